// The agent console's queue: the Pending, Mine and (for supervisors) All tabs with their counts.
"use strict";

window.SupportBot = window.SupportBot || {};

window.SupportBot.consoleQueue = ({ open, currentId }) => {
  const element = window.SupportBot.element;
  const queueList = document.getElementById("queue-list");
  const queueEmpty = document.getElementById("queue-empty");
  // Waiting times keep growing between queue frames: redraw them this often.
  const REDRAW_EVERY_MS = 10000;
  let queue = { pending: [], mine: [], all: [], counts: {} };
  let receivedAt = Date.now();
  let tab = "pending";

  function waited(seconds) {
    if (seconds < 60) return `${seconds} s`;
    if (seconds < 3600) return `${Math.floor(seconds / 60)} min`;
    return `${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} min`;
  }

  function rowElement(row, elapsed) {
    const item = element("li", "queue-row");
    const button = element("button", "open-row");
    button.type = "button";
    button.dataset.conversationId = row.conversation_id;
    if (currentId() === row.conversation_id) button.setAttribute("aria-current", "true");
    if (row.offered_to_me) item.classList.add("offered");
    const top = element("span", "row-top");
    top.append(
      element("span", `status-badge ${row.status}`, row.status),
      element("span", "waiting", `waiting ${waited(row.waiting_s + elapsed)}`),
    );
    if (row.priority > 0) top.append(element("span", "priority", `priority ${row.priority}`));
    const details = [row.reason.replaceAll("_", " "), row.team, row.owner && `owner ${row.owner}`]
      .filter(Boolean).join(" · ");
    button.append(top, element("span", "row-details", details),
      element("span", "row-summary", row.summary || ""));
    button.addEventListener("click", () => open(row.conversation_id));
    item.append(button);
    return item;
  }

  function render() {
    for (const count of document.querySelectorAll("[data-count]")) {
      count.textContent = String(queue.counts[count.dataset.count] || 0);
    }
    const rows = queue[tab] || [];
    const elapsed = Math.floor((Date.now() - receivedAt) / 1000);
    queueList.replaceChildren(...rows.map((row) => rowElement(row, elapsed)));
    queueEmpty.hidden = rows.length > 0;
  }

  function show(frame) {
    queue = frame;
    receivedAt = Date.now();
    render();
  }

  function selectTab(name) {
    tab = name;
    for (const button of document.querySelectorAll(".tab")) {
      button.setAttribute("aria-selected", String(button.dataset.tab === name));
    }
    render();
  }

  for (const button of document.querySelectorAll(".tab")) {
    button.addEventListener("click", () => selectTab(button.dataset.tab));
  }
  setInterval(render, REDRAW_EVERY_MS);

  return { show, render };
};
