// The agent console's notice bar: errors (red) and news (blue). Offers have cards of their own
// (offers.js), which stay until the agent answers them.
"use strict";

window.SupportBot = window.SupportBot || {};

window.SupportBot.consoleNotices = () => {
  const noticeEl = document.getElementById("notice");
  let hideTimer = null;

  function show(text, kind = "error") {
    noticeEl.textContent = text;
    noticeEl.classList.toggle("info", kind === "info");
    noticeEl.hidden = false;
    clearTimeout(hideTimer);
    hideTimer = setTimeout(() => { noticeEl.hidden = true; }, 8000);
  }

  return { show };
};
