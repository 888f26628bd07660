// What the chat page's and the console's text boxes share: the form's submit and Enter (without
// Shift, and not while an input method is composing) both send; Shift+Enter starts a new line.
"use strict";

window.SupportBot = window.SupportBot || {};

window.SupportBot.sendOnSubmitOrEnter = (form, textarea, send) => {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    send();
  });
  textarea.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      send();
    }
  });
};
