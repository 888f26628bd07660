// Builds the agent console's elements. Every piece of user or agent text goes in with
// textContent, never as HTML.
"use strict";

window.SupportBot = window.SupportBot || {};

window.SupportBot.element = (tag, className, text) => {
  const made = document.createElement(tag);
  if (className) made.className = className;
  if (text !== undefined) made.textContent = text;
  return made;
};
