// The agent console's queue: the Pending, Mine and (for supervisors) All tabs with their counts.
// Each row names the visitor and their first question, quotes the last message, and shows the
// unread count, the waiting time and why it came to people; the search box filters the rows
// here in the page (a queue frame holds every row, so nothing needs asking the server).
"use strict";

window.SupportBot = window.SupportBot || {};

window.SupportBot.consoleQueue = ({ open, currentId }) => {
  const element = window.SupportBot.element;
  const queueList = document.getElementById("queue-list");
  const queueEmpty = document.getElementById("queue-empty");
  const search = document.getElementById("queue-search");
  // Waiting times keep growing between queue frames: redraw them this often.
  const REDRAW_EVERY_MS = 10000;
  let queue = { pending: [], mine: [], all: [], counts: {} };
  let receivedAt = Date.now();
  let tab = "pending";

  function waited(seconds) {
    if (seconds < 60) return interpolate(gettext("%s s"), [seconds]);
    if (seconds < 3600) return interpolate(gettext("%s min"), [Math.floor(seconds / 60)]);
    return interpolate(gettext("%(hours)s h %(minutes)s min"),
      { hours: Math.floor(seconds / 3600), minutes: Math.floor((seconds % 3600) / 60) }, true);
  }

  function lastMessage(row) {
    if (!row.last_message) return "";
    const { who, text } = row.last_message;
    return who ? `${who}: ${text}` : text;
  }

  function rowElement(row, elapsed) {
    const item = element("li", "queue-row");
    const button = element("button", "open-row");
    button.type = "button";
    button.dataset.conversationId = row.conversation_id;
    if (currentId() === row.conversation_id) button.setAttribute("aria-current", "true");
    if (row.offered_to_me) item.classList.add("offered");
    const top = element("span", "row-top");
    top.append(element("span", "row-visitor", row.visitor));
    if (row.unread > 0) {
      const badge = element("span", "unread", String(row.unread));
      const unread = interpolate(gettext("%s unread"), [row.unread]);
      badge.title = unread;
      badge.setAttribute("aria-label", unread);
      top.append(badge);
    }
    top.append(element("span", "waiting",
      interpolate(gettext("waiting %s"), [waited(row.waiting_s + elapsed)])));
    const title = element("span", "row-title", row.question); // the visitor is named above it
    const details = element("span", "row-details");
    // The status code names the badge's style; its words are in the agent's language.
    details.append(element("span", `status-badge ${row.status}`, row.status_text || row.status));
    if (row.priority > 0) {
      details.append(element("span", "priority", interpolate(gettext("priority %s"), [row.priority])));
    }
    const words = [row.reason_text, row.team, row.owner && interpolate(gettext("owner %s"), [row.owner]),
      row.offered_to_me && gettext("offered to you")].filter(Boolean).join(" · ");
    details.append(element("span", "", words));
    button.append(top, title, details, element("span", "row-last", lastMessage(row)));
    button.addEventListener("click", () => open(row.conversation_id));
    item.append(button);
    return item;
  }

  function matches(row, words) {
    const haystack = [row.visitor, row.title, lastMessage(row), row.reason_text, row.summary,
      row.team, row.owner, row.status, row.status_text].filter(Boolean).join("\n").toLowerCase();
    return words.every((word) => haystack.includes(word));
  }

  function render() {
    for (const count of document.querySelectorAll("[data-count]")) {
      count.textContent = String(queue.counts[count.dataset.count] || 0);
    }
    const words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
    const rows = (queue[tab] || []).filter((row) => matches(row, words));
    const elapsed = Math.floor((Date.now() - receivedAt) / 1000);
    queueList.replaceChildren(...rows.map((row) => rowElement(row, elapsed)));
    queueEmpty.hidden = rows.length > 0;
    queueEmpty.textContent = words.length ? gettext("Nothing matches the search.") : gettext("Nothing here.");
  }

  function show(frame) {
    queue = frame;
    receivedAt = Date.now();
    render();
  }

  // The rows that are this agent's to answer: their own, and those offered to them.
  function ownRows() {
    return [...queue.mine, ...queue.pending.filter((row) => row.offered_to_me)];
  }

  function rowOf(conversationId) {
    return [...queue.mine, ...queue.pending, ...queue.all]
      .find((row) => row.conversation_id === conversationId) || null;
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
  search.addEventListener("input", render);
  setInterval(render, REDRAW_EVERY_MS);

  return { show, render, ownRows, rowOf };
};
