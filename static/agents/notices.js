// The agent console's notice bar: errors (red) and news such as an offer (blue).
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

  // A conversation offered to this agent by assignment, or given to them by another agent.
  function showOffer(offer) {
    const summary = offer.summary || "no summary";
    show(
      offer.transferred_by
        ? `${offer.transferred_by} transferred a conversation to you: ${summary}`
        : `A conversation is waiting for you: ${summary}`,
      "info",
    );
  }

  return { show, showOffer };
};
