// The agent console. Speaks the /ws/console/ protocol of docs/protocol.md; no build step.
// Every piece of user or agent text goes in with textContent, never as HTML.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const connectionEl = $("connection");
  const noticeEl = $("notice");
  const queueList = $("queue-list");
  const queueEmpty = $("queue-empty");
  const conversationEl = $("conversation");
  const pickHint = $("pick-hint");
  const messagesEl = $("messages");
  const notesEl = $("notes");
  const typingEl = $("typing");
  const form = $("composer");
  const textarea = $("text");
  const cannedSelect = $("canned");
  const suggestButton = $("suggest");
  const transferControls = $("transfer-controls");
  const transferSelect = $("transfer-to");
  const buttons = {
    claim: $("claim"), resolve: $("resolve"), hand_back: $("hand-back"), reopen: $("reopen"),
  };

  // Presence expires after AGENT_PRESENCE_TTL_S (60 s) without a ping.
  const PING_EVERY_MS = 20000;
  const TYPING_EVERY_MS = 3000;
  const ROLE_NAMES = { user: "User", assistant: "SupportBot", agent: "Agent", system: "" };

  let socket = null;
  let retryDelay = 500;
  let queue = { pending: [], mine: [], all: [], counts: {} };
  let queueReceivedAt = Date.now();
  let tab = "pending";
  // The conversation on screen: {id, status, canned}; null when none is picked.
  let current = null;
  const shownMessageIds = new Set();
  let lastTypingSentAt = 0;
  let typingTimer = null;
  let noticeTimer = null;
  // The model's draft being written into the reply box: {conversationId, before, overtaken} (what
  // the agent had typed already stays in front of it; once the agent edits the box, sends, or picks
  // a canned response, the rest of the draft is dropped, never written over their words); null
  // when none is coming.
  let draft = null;

  // An error (red) or news such as an offer (blue).
  function showNotice(text, kind = "error") {
    noticeEl.textContent = text;
    noticeEl.classList.toggle("info", kind === "info");
    noticeEl.hidden = false;
    clearTimeout(noticeTimer);
    noticeTimer = setTimeout(() => { noticeEl.hidden = true; }, 8000);
  }

  function element(tag, className, text) {
    const made = document.createElement(tag);
    if (className) made.className = className;
    if (text !== undefined) made.textContent = text;
    return made;
  }

  // ---- connection ------------------------------------------------------------------------
  function connect() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    socket = new WebSocket(`${scheme}://${location.host}/ws/console/`);
    socket.addEventListener("open", () => {
      retryDelay = 500;
      connectionEl.textContent = "Online";
      connectionEl.classList.add("online");
      if (current) transmit({ type: "open", conversation_id: current.id });
    });
    socket.addEventListener("message", (event) => handleFrame(JSON.parse(event.data)));
    socket.addEventListener("close", () => {
      connectionEl.textContent = "Offline, reconnecting…";
      connectionEl.classList.remove("online");
      setTimeout(connect, retryDelay);
      retryDelay = Math.min(retryDelay * 2, 10000);
    });
  }

  function transmit(frame) {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(frame));
  }

  function act(type) {
    if (current) transmit({ type, conversation_id: current.id });
  }

  function handleFrame(frame) {
    switch (frame.type) {
      case "queue":
        queue = frame;
        queueReceivedAt = Date.now();
        renderQueue();
        break;
      case "offer":
        showNotice(
          frame.transferred_by
            ? `${frame.transferred_by} transferred a conversation to you: ${frame.summary || "no summary"}`
            : `A conversation is waiting for you: ${frame.summary || "no summary"}`,
          "info",
        );
        break;
      case "conversation":
        showConversation(frame);
        break;
      case "handoff":
        showMessage(frame.message);
        // The owner and the actions change with the state: fetch the conversation afresh.
        if (current) transmit({ type: "open", conversation_id: current.id });
        break;
      case "message":
      case "agent.message":
      case "reply.end":
        showMessage(frame.message);
        break;
      case "note":
        showNote(frame.note);
        break;
      case "draft.token":
      case "draft.end":
        showDraft(frame);
        break;
      case "typing":
        if (frame.role === "user") showUserTyping(frame.typing);
        break;
      case "error":
        showNotice(frame.message);
        break;
      default:
        break; // pong, queue.changed (a fresh queue follows it), token, newer frame types
    }
  }

  // ---- queue -----------------------------------------------------------------------------
  function waited(seconds) {
    if (seconds < 60) return `${seconds} s`;
    if (seconds < 3600) return `${Math.floor(seconds / 60)} min`;
    return `${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} min`;
  }

  function renderQueue() {
    for (const count of document.querySelectorAll("[data-count]")) {
      count.textContent = String(queue.counts[count.dataset.count] || 0);
    }
    const rows = queue[tab] || [];
    const elapsed = Math.floor((Date.now() - queueReceivedAt) / 1000);
    queueList.replaceChildren(...rows.map((row) => {
      const item = element("li", "queue-row");
      const open = element("button", "open-row");
      open.type = "button";
      open.dataset.conversationId = row.conversation_id;
      if (current && current.id === row.conversation_id) open.setAttribute("aria-current", "true");
      if (row.offered_to_me) item.classList.add("offered");
      const top = element("span", "row-top");
      top.append(
        element("span", `status-badge ${row.status}`, row.status),
        element("span", "waiting", `waiting ${waited(row.waiting_s + elapsed)}`),
      );
      if (row.priority > 0) top.append(element("span", "priority", `priority ${row.priority}`));
      const details = [row.reason.replaceAll("_", " "), row.team, row.owner && `owner ${row.owner}`]
        .filter(Boolean).join(" · ");
      open.append(top, element("span", "row-details", details),
        element("span", "row-summary", row.summary || ""));
      open.addEventListener("click", () => openConversation(row.conversation_id));
      item.append(open);
      return item;
    }));
    queueEmpty.hidden = rows.length > 0;
  }

  function selectTab(name) {
    tab = name;
    for (const button of document.querySelectorAll(".tab")) {
      button.setAttribute("aria-selected", String(button.dataset.tab === name));
    }
    renderQueue();
  }

  function openConversation(conversationId) {
    transmit({ type: "open", conversation_id: conversationId });
  }

  // ---- one conversation ------------------------------------------------------------------
  function showConversation(detail) {
    const switched = !current || current.id !== detail.conversation_id;
    current = { id: detail.conversation_id, status: detail.status };
    conversationEl.hidden = false;
    pickHint.hidden = true;
    $("conversation-title").textContent = `Conversation ${detail.conversation_id.slice(0, 8)}`;
    $("summary").textContent = detail.summary || "";
    $("conversation-owner").textContent = detail.owner ? `owned by ${detail.owner}` : "unclaimed";
    const badge = $("conversation-status");
    badge.textContent = detail.status;
    badge.className = `status-badge ${detail.status}`;
    shownMessageIds.clear();
    messagesEl.replaceChildren();
    detail.messages.forEach(showMessage);
    notesEl.replaceChildren();
    detail.notes.forEach(showNote);
    fillTransferTargets(detail);
    if (switched) {
      endDraft();
      cannedSelect.replaceChildren(element("option", "", "Choose…"));
      cannedSelect.firstChild.value = "";
      for (const canned of detail.canned) {
        const option = element("option", "", canned.title);
        option.value = canned.text;
        cannedSelect.append(option);
      }
      typingEl.hidden = true;
    }
    updateActions();
    renderQueue();
  }

  function updateActions() {
    const status = current ? current.status : null;
    buttons.claim.hidden = status !== "pending";
    buttons.resolve.hidden = status !== "open";
    buttons.hand_back.hidden = status !== "open";
    buttons.reopen.hidden = !(status === "resolved" || status === "bot");
    transferControls.hidden = status !== "open";
  }

  // Named agents (online with room, from the server) and team queues; values "agent:<id>" and
  // "team:<id>".
  function fillTransferTargets(detail) {
    const choose = element("option", "", "Transfer to…");
    choose.value = "";
    const agents = element("optgroup");
    agents.label = "Agents online with room";
    for (const agent of detail.transfer_agents) {
      const option = element("option", "", `${agent.name} (${agent.team})`);
      option.value = `agent:${agent.id}`;
      agents.append(option);
    }
    const teams = element("optgroup");
    teams.label = "Back to a team's queue";
    for (const team of detail.teams) {
      const option = element("option", "", team.name);
      option.value = `team:${team.id}`;
      teams.append(option);
    }
    transferSelect.replaceChildren(choose, agents, teams);
  }

  function transfer() {
    const [kind, id] = transferSelect.value.split(":");
    if (!current || !id) return;
    const target = kind === "agent" ? { to_agent_id: Number(id) } : { to_team_id: Number(id) };
    transmit({ type: "transfer", conversation_id: current.id, ...target });
  }

  function showMessage(message) {
    if (!current || shownMessageIds.has(message.id)) return;
    // A bot reply still being written is shown once it is finished (reply.end).
    if (message.role === "assistant" && message.state === "generating") return;
    shownMessageIds.add(message.id);
    const article = element("article", `message ${message.role}`);
    // Agents by their name, as the user saw it.
    const author = message.author || ROLE_NAMES[message.role];
    if (author) article.append(element("div", "author", author));
    if (message.attachments && message.attachments.length) {
      const images = element("div", "images");
      for (const attachment of message.attachments) {
        // Attachment URLs are permission-checked; staff may read them (chat/access.py).
        const link = element("a");
        link.href = attachment.url;
        link.target = "_blank";
        link.rel = "noopener";
        const img = element("img");
        img.src = attachment.url;
        img.alt = "Screenshot from the user";
        img.loading = "lazy";
        link.append(img);
        images.append(link);
      }
      article.append(images);
    }
    article.append(element("div", "body", message.text));
    const when = new Date(message.created_at);
    article.append(element("time", "when", when.toLocaleTimeString()));
    messagesEl.append(article);
    messagesEl.scrollTop = messagesEl.scrollHeight;
  }

  function showNote(note) {
    const item = element("li", "note");
    item.append(element("span", "note-flag", "Private"), element("strong", "", note.author),
      element("span", "note-text", note.text));
    notesEl.append(item);
  }

  function showUserTyping(typing) {
    typingEl.hidden = !typing;
    clearTimeout(typingTimer);
    if (typing) typingTimer = setTimeout(() => { typingEl.hidden = true; }, 6000);
  }

  // ---- drafts --------------------------------------------------------------------------------
  function suggest() {
    if (!current || draft) return;
    form.querySelector("input[name=mode][value=reply]").click();
    draft = {
      conversationId: current.id,
      before: textarea.value ? `${textarea.value}\n` : "",
      overtaken: false,
    };
    textarea.value = draft.before;
    suggestButton.disabled = true;
    transmit({ type: "suggest", conversation_id: current.id });
  }

  function showDraft(frame) {
    if (!draft || frame.conversation_id !== draft.conversationId) return;
    if (draft.overtaken) {
      if (frame.type === "draft.end") endDraft();
      return;
    }
    if (frame.type === "draft.token") {
      textarea.value += frame.text;
      return;
    }
    if (frame.error) showNotice(frame.error);
    textarea.value = draft.before + frame.text; // the whole draft, whatever tokens were missed
    endDraft();
    textarea.focus();
  }

  function endDraft() {
    draft = null;
    suggestButton.disabled = false;
  }

  function overtakeDraft() {
    if (draft) draft.overtaken = true;
  }

  // ---- composing ---------------------------------------------------------------------------
  function mode() {
    return form.querySelector("input[name=mode]:checked").value;
  }

  function send() {
    const text = textarea.value.trim();
    if (!text || !current) return;
    overtakeDraft();
    transmit({ type: mode(), conversation_id: current.id, text });
    textarea.value = "";
    transmit({ type: "typing", conversation_id: current.id, typing: false });
    lastTypingSentAt = 0;
  }

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
  textarea.addEventListener("input", () => {
    overtakeDraft(); // only the agent's own edits fire this, not the draft's tokens
    // Notes are private: typing one is not shown to the user.
    if (!current || mode() !== "reply" || Date.now() - lastTypingSentAt < TYPING_EVERY_MS) return;
    lastTypingSentAt = Date.now();
    transmit({ type: "typing", conversation_id: current.id, typing: true });
  });
  for (const radio of form.querySelectorAll("input[name=mode]")) {
    radio.addEventListener("change", () => {
      form.classList.toggle("note-mode", mode() === "note");
      textarea.placeholder = mode() === "note" ? "Write a private note…" : "Write a reply…";
    });
  }
  cannedSelect.addEventListener("change", () => {
    if (!cannedSelect.value) return;
    overtakeDraft();
    textarea.value = textarea.value ? `${textarea.value}\n${cannedSelect.value}` : cannedSelect.value;
    cannedSelect.value = "";
    textarea.focus();
  });
  suggestButton.addEventListener("click", suggest);
  $("transfer").addEventListener("click", transfer);
  for (const [type, button] of Object.entries(buttons)) {
    button.addEventListener("click", () => act(type));
  }
  for (const button of document.querySelectorAll(".tab")) {
    button.addEventListener("click", () => selectTab(button.dataset.tab));
  }

  setInterval(() => transmit({ type: "ping" }), PING_EVERY_MS);
  setInterval(renderQueue, 10000);
  connect();
})();
