// The chat page inside the website widget's iframe (widget.js on the host site): tells the host
// page of each reply or agent message (its unread badge) and of the close button. Messages go
// only to the host origin the server checked against the admin's list (data-host-origin), never "*".
"use strict";

(() => {
  const root = document.getElementById("chat");
  const hostOrigin = root && root.dataset.hostOrigin;
  if (!hostOrigin || window.parent === window) return;

  function tell(type) {
    window.parent.postMessage({ source: "supportbot", type }, hostOrigin);
  }

  root.addEventListener("supportbot:frame", (event) => {
    const type = event.detail && event.detail.type;
    if (type === "reply.end" || type === "agent.message") tell("unread");
  });
  const close = document.getElementById("widget-close");
  if (close) close.addEventListener("click", () => tell("close"));
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") tell("close");
  });
})();
