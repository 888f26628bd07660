// The agent console's open conversation: its messages with screenshots, the private notes, the
// user's typing, and the actions on it (claim, resolve, hand back, reopen, transfer).
"use strict";

window.SupportBot = window.SupportBot || {};

window.SupportBot.consoleConversation = ({ transmit, onSwitch, onShown }) => {
  const element = window.SupportBot.element;
  const $ = (id) => document.getElementById(id);
  const conversationEl = $("conversation");
  const pickHint = $("pick-hint");
  const messagesEl = $("messages");
  const notesEl = $("notes");
  const typingEl = $("typing");
  const transferControls = $("transfer-controls");
  const transferSelect = $("transfer-to");
  const actionButtons = {
    claim: $("claim"), resolve: $("resolve"), hand_back: $("hand-back"), reopen: $("reopen"),
  };
  const ROLE_NAMES = { user: gettext("User"), assistant: "SupportBot", agent: gettext("Agent"), system: "" };
  // A typing frame may be the last one before a pause: forget it after a while.
  const USER_TYPING_FOR_MS = 6000;
  // The conversation on screen: {id, status}; null when none is picked.
  let current = null;
  const shownMessageIds = new Set();
  let typingTimer = null;

  function currentId() {
    return current ? current.id : null;
  }

  // Asks for the conversation afresh: after a reconnect, or when its state (and with it the
  // owner and the actions) changed.
  function reload() {
    if (current) transmit({ type: "open", conversation_id: current.id });
  }

  function show(detail) {
    const switched = !current || current.id !== detail.conversation_id;
    current = { id: detail.conversation_id, status: detail.status };
    conversationEl.hidden = false;
    pickHint.hidden = true;
    $("conversation-title").textContent = detail.title;
    $("conversation-reason").textContent = detail.reason_text ? `· ${detail.reason_text}` : "";
    $("summary").textContent = detail.summary || "";
    $("conversation-owner").textContent = detail.owner ? interpolate(gettext("owned by %s"), [detail.owner]) : gettext("unclaimed");
    const badge = $("conversation-status");
    badge.textContent = detail.status_text || detail.status;
    badge.className = `status-badge ${detail.status}`;
    shownMessageIds.clear();
    messagesEl.replaceChildren();
    detail.messages.forEach(showMessage);
    notesEl.replaceChildren();
    detail.notes.forEach(showNote);
    fillTransferTargets(detail);
    if (switched) {
      typingEl.hidden = true;
      onSwitch(detail);
    }
    updateActions();
    onShown();
  }

  function updateActions() {
    const status = current ? current.status : null;
    actionButtons.claim.hidden = status !== "pending";
    actionButtons.resolve.hidden = status !== "open";
    actionButtons.hand_back.hidden = status !== "open";
    actionButtons.reopen.hidden = !(status === "resolved" || status === "bot");
    transferControls.hidden = status !== "open";
  }

  // Named agents (online with room, from the server) and team queues; values "agent:<id>" and
  // "team:<id>".
  function fillTransferTargets(detail) {
    const choose = element("option", "", gettext("Transfer to…"));
    choose.value = "";
    const agents = element("optgroup");
    agents.label = gettext("Agents online with room");
    for (const agent of detail.transfer_agents) {
      const option = element("option", "", `${agent.name} (${agent.team})`);
      option.value = `agent:${agent.id}`;
      agents.append(option);
    }
    const teams = element("optgroup");
    teams.label = gettext("Back to a team's queue");
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

  function screenshots(attachments) {
    const images = element("div", "images");
    for (const attachment of attachments) {
      // Attachment URLs are permission-checked; staff may read them (chat/access.py).
      const link = element("a");
      link.href = attachment.url;
      link.target = "_blank";
      link.rel = "noopener";
      const img = element("img");
      img.src = attachment.url;
      img.alt = gettext("Screenshot from the user");
      img.loading = "lazy";
      link.append(img);
      images.append(link);
    }
    return images;
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
      article.append(screenshots(message.attachments));
    }
    article.append(element("div", "body", message.text));
    if (message.citations && message.citations.length) {
      // The help-center articles the bot's reply drew on (titles as text: no markup from data).
      article.append(element("div", "sources", `Sources: ${message.citations.map((c) => c.title).join(" · ")}`));
    }
    const when = new Date(message.created_at);
    article.append(element("time", "when", when.toLocaleTimeString()));
    messagesEl.append(article);
    messagesEl.scrollTop = messagesEl.scrollHeight;
  }

  function showNote(note) {
    const item = element("li", "note");
    item.append(element("span", "note-flag", gettext("Private")), element("strong", "", note.author),
      element("span", "note-text", note.text));
    notesEl.append(item);
  }

  function showUserTyping(typing) {
    typingEl.hidden = !typing;
    clearTimeout(typingTimer);
    if (typing) typingTimer = setTimeout(() => { typingEl.hidden = true; }, USER_TYPING_FOR_MS);
  }

  $("transfer").addEventListener("click", transfer);
  for (const [type, button] of Object.entries(actionButtons)) {
    button.addEventListener("click", () => {
      if (current) transmit({ type, conversation_id: current.id });
    });
  }

  return { currentId, reload, show, showMessage, showNote, showUserTyping };
};
