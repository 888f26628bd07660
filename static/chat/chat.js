// SupportBot chat page: the conversation and sending messages. Speaks the protocol in
// docs/protocol.md through common/socket.js; screenshots are in uploads.js, handing the
// conversation to people in people.js and waiting for them in waiting.js, the image viewer in
// viewer.js, times and delivery states in delivery.js. Strings go through Django's JavaScript
// catalog (gettext). No build step, no dependencies.
"use strict";

(() => {
  const root = document.getElementById("chat");
  const conversationId = root.dataset.conversationId;

  const logEl = document.getElementById("log");
  const emptyHint = document.getElementById("empty-hint");
  const typingEl = document.getElementById("typing");
  const typingText = document.getElementById("typing-text");
  const noticeEl = document.getElementById("notice");
  const form = document.getElementById("composer");
  const textarea = document.getElementById("text");
  const sendButton = document.getElementById("send");
  const stopButton = document.getElementById("stop");
  const announcer = document.getElementById("announcer");
  const language = document.documentElement.lang;

  // id -> {message, element, streamed}: streamed is the text received token by token
  const shown = new Map();
  // client_message_id -> {frame, element}: sends the server has not acknowledged yet; they are
  // sent again after a reconnect (the server answers a repeat without starting a second reply).
  const unacked = new Map();
  // The visitor pressed send while images were still uploading.
  let sendAfterUploads = false;
  // Highest id of a finished message on screen: what `resume` asks to continue after.
  let lastDoneId = null;
  let noticeTimer = null;
  const AUTHORS = { assistant: "SupportBot", agent: gettext("Support agent") };
  const viewer = SupportBot.imageViewer();
  const delivery = SupportBot.delivery();
  const people = SupportBot.people({
    status: root.dataset.status,
    transmit,
    onChange: () => updateControls(),
    newConversationUrl: root.dataset.newConversationUrl,
    csrfToken: root.dataset.csrfToken,
    showNotice,
  });
  const waiting = SupportBot.waiting({ transmit });
  const uploads = SupportBot.uploads({
    url: root.dataset.uploadUrl,
    csrfToken: root.dataset.csrfToken,
    maxCount: Number(root.dataset.maxAttachments),
    maxBytes: Number(root.dataset.maxUploadBytes),
    showNotice,
    onSettled: uploadSettled,
  });
  const socket = SupportBot.openSocket({
    // The page's language: the bot is told to answer in it (supportbot.lib.languages).
    path: `/ws/chat/${conversationId}/?lang=${encodeURIComponent(language)}`,
    onOpen() {
      transmit({ type: "resume", last_message_id: lastDoneId });
      for (const pending of unacked.values()) transmit(pending.frame);
      updateControls();
    },
    onFrame: handleFrame,
    onClose: () => updateControls(),
    // The answer to `resume`: the conversation is there and the server can read it.
    provesSession: (frame) => frame.type === "history",
    closeNotices: { 4404: gettext("Conversation not found") },
  });

  function randomId() {
    const bytes = crypto.getRandomValues(new Uint8Array(12));
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function showNotice(text) {
    noticeEl.textContent = text;
    noticeEl.hidden = false;
    clearTimeout(noticeTimer);
    noticeTimer = setTimeout(hideNotice, 8000);
  }

  function hideNotice() {
    clearTimeout(noticeTimer);
    noticeEl.hidden = true;
  }

  // ---- connection ------------------------------------------------------------------------
  function transmit(frame) {
    socket.send(frame);
  }

  function handleFrame(frame) {
    switch (frame.type) {
      case "history":
        frame.messages.forEach(showMessage);
        break;
      case "ack":
        adoptPending(frame.client_message_id, frame.message);
        showMessage(frame.message);
        if (frame.reply) showMessage(frame.reply); // none while people own the conversation
        break;
      case "turn": // a message sent from another tab or device of this visitor
        showMessage(frame.message);
        if (frame.reply) showMessage(frame.reply);
        break;
      case "token":
        appendToken(frame);
        break;
      case "reply.end":
        showMessage(frame.message);
        announce(frame.message);
        break;
      case "handoff":
        waiting.statusChanged(frame.status);
        people.handleFrame(frame);
        showMessage(frame.message);
        announce(frame.message);
        break;
      case "agent.message":
        people.handleFrame(frame);
        showMessage(frame.message);
        announce(frame.message);
        break;
      case "feedback.saved":
        people.feedbackSaved(frame.message_id, frame.helpful);
        break;
      case "error":
        if (!waiting.handleError(frame)) handleError(frame);
        break;
      case "waiting": // place in the queue while nobody has joined; email.saved: the address left
      case "email.saved":
        waiting.handleFrame(frame);
        break;
      default:
        // typing, csat.request, rating.thanks; pong and frame types of newer servers are ignored
        people.handleFrame(frame);
    }
    updateControls();
    // The website widget's frame (widget/frame.js) counts unread replies from these.
    root.dispatchEvent(new CustomEvent("supportbot:frame", { detail: frame }));
  }

  function handleError(frame) {
    const pending = frame.client_message_id && unacked.get(frame.client_message_id);
    if (pending && frame.code === "rate_limited") {
      setTimeout(() => transmit(pending.frame), Math.max(500, (frame.retry_after_s || 1) * 1000));
      return;
    }
    if (pending) {
      // Not accepted: the message stays, marked failed with the reason, to be sent again.
      unacked.delete(frame.client_message_id);
      delivery.fail(pending.element, frame.message, () => {
        unacked.set(pending.frame.client_message_id, pending);
        transmit(pending.frame);
        updateControls();
      });
    }
    showNotice(frame.message);
  }

  // Screen readers hear each finished message once, not every token of it.
  function announce(message) {
    if (!message || message.role === "user" || message.state === "generating") return;
    const entry = shown.get(message.id);
    const author = message.author || AUTHORS[message.role] || "";
    const text = entry ? entry.element.children[2].textContent.trim() : message.text;
    announcer.textContent = author ? `${author}: ${text}` : text;
  }

  // ---- rendering -------------------------------------------------------------------------
  function messageElement(role) {
    const element = document.createElement("article");
    element.className = `message ${role}`;
    const author = document.createElement("div");
    author.className = "author";
    const images = document.createElement("div");
    images.className = "images";
    const body = document.createElement("div");
    body.className = "body";
    const status = document.createElement("div");
    status.className = "status";
    const actions = document.createElement("div");
    actions.className = "actions";
    const meta = document.createElement("div");
    meta.className = "meta";
    element.append(author, images, body, status, actions, meta);
    return element;
  }

  function placeInOrder(element, id) {
    element.dataset.id = id;
    const later = Array.from(logEl.querySelectorAll(".message[data-id]"))
      .find((other) => Number(other.dataset.id) > id);
    logEl.insertBefore(element, later || null);
    emptyHint.hidden = true;
  }

  function adoptPending(clientMessageId, message) {
    const pending = unacked.get(clientMessageId);
    if (!pending) return;
    unacked.delete(clientMessageId);
    if (shown.has(message.id)) {
      pending.element.remove();
      return;
    }
    pending.element.classList.remove("pending");
    shown.set(message.id, { message, element: pending.element, streamed: "" });
    placeInOrder(pending.element, message.id);
  }

  function showMessage(message) {
    let entry = shown.get(message.id);
    if (!entry) {
      entry = { message, element: messageElement(message.role), streamed: "" };
      shown.set(message.id, entry);
      placeInOrder(entry.element, message.id);
    }
    entry.message = message;
    render(entry);
    if (message.state !== "generating" && (lastDoneId === null || message.id > lastDoneId)) {
      lastDoneId = message.id;
    }
    logEl.scrollTop = logEl.scrollHeight;
  }

  function render(entry) {
    const { message, element } = entry;
    const [author, images, body, status, actions, meta] = element.children;
    // An agent's own name, as stored with their message (so it is there after a reload too).
    author.textContent = message.author || AUTHORS[message.role] || "";
    element.classList.toggle("generating", message.state === "generating");
    element.classList.toggle("failed", message.state === "failed");
    images.replaceChildren(...(message.attachments || []).map(
      (attachment) => viewer.thumbnail(attachment.url, gettext("Attached screenshot")),
    ));
    // The people side's notices ("Alex has joined…") go without a time: they read as the
    // conversation's state, not as something said.
    if (message.role !== "system") {
      delivery.show(meta, new Date(message.created_at), message.role === "user" ? "sent" : null);
    }
    if (message.role === "user" || message.role === "system") {
      body.textContent = message.text;
    } else if (message.state === "generating") {
      body.textContent = readable(entry.streamed || message.text);
    } else {
      // Rendered by the server from Markdown with raw HTML disabled, so it carries no markup
      // from the model.
      body.innerHTML = message.html;
      if (message.citations && message.citations.length) body.append(sources(message.citations));
    }
    status.textContent = message.state === "failed"
      ? `⚠ ${message.error || gettext("The reply failed.")}`
      : message.finish_reason === "length" ? gettext("(reply cut short)")
      : message.finish_reason === "cancelled" ? gettext("(stopped)") : "";
    if (message.role === "assistant" && message.state === "done" && !actions.hasChildNodes()) {
      if (message.offers_person) actions.append(people.offerButton(message.id));
      else actions.append(...people.feedbackButtons(message.id, message.feedback));
    }
  }

  // A reply still streaming is shown as plain text (the server renders its Markdown once it is
  // whole): without the quote marks, bold marks and link targets of its help-center quotes.
  function readable(markdown) {
    return markdown
      .replace(/^> ?/gm, "")
      .replace(/\*\*/g, "")
      .replace(/\[([^\]]+)\]\([^)]*\)/g, "$1");
  }

  // The help-center articles a reply drew on, as links under it.
  function sources(citations) {
    const list = document.createElement("p");
    list.className = "sources";
    list.append(gettext("Sources:"), " ");
    citations.filter((c) => /^https?:\/\//.test(c.url)).forEach((citation, index) => {
      if (index) list.append(" · ");
      const link = document.createElement("a");
      link.href = citation.url;
      link.textContent = citation.title;
      link.target = "_blank";
      link.rel = "noopener noreferrer";
      list.append(link);
    });
    return list;
  }

  function appendToken(frame) {
    let entry = shown.get(frame.message_id);
    if (!entry) {
      showMessage({ id: frame.message_id, role: "assistant", text: "", state: "generating", attachments: [] });
      entry = shown.get(frame.message_id);
    }
    if (entry.message.state !== "generating") return;
    // Index 0 again: the reply's worker died and another one starts it afresh. A gap (tokens
    // sent while this page was offline) is filled by reply.end's full text.
    if (frame.index === 0) entry.streamed = "";
    entry.streamed += frame.text;
    render(entry);
    logEl.scrollTop = logEl.scrollHeight;
  }

  function isGenerating() {
    return Array.from(shown.values()).some((entry) => entry.message.state === "generating");
  }

  function updateControls() {
    const generating = Array.from(shown.values()).filter((e) => e.message.state === "generating");
    const agentTyping = people.agentTyping();
    const botTyping =
      !people.peopleAnswer() && (generating.some((e) => !e.streamed) || unacked.size > 0);
    typingText.textContent = agentTyping ? gettext("An agent is typing") : gettext("SupportBot is typing");
    typingEl.hidden = !(agentTyping || botTyping);
    const online = socket.isOpen();
    // Not disabled while images upload: a send then waits for them (uploadSettled). The visitor
    // may type while a reply streams, and send once it ends or is stopped.
    sendButton.disabled = !online || isGenerating();
    stopButton.hidden = !generating.some((e) => e.message.role === "assistant");
    stopButton.disabled = !online;
    people.updateControls(online);
  }

  // ---- sending ---------------------------------------------------------------------------
  function uploadSettled(upload) {
    updateControls();
    if (!sendAfterUploads || uploads.isUploading()) return;
    sendAfterUploads = false;
    // A failed image is not silently left out: the visitor removes it or tries again.
    if (upload.state === "failed" || uploads.anyFailed()) return;
    hideNotice(); // "will be sent once the images are uploaded": it is being sent now
    send();
  }

  function send() {
    const text = textarea.value.trim();
    const ready = uploads.ready();
    if (!text && ready.length === 0) return;
    if (uploads.isUploading()) {
      // Sent by itself once the last image is uploaded (see uploadSettled).
      sendAfterUploads = true;
      showNotice(gettext("Your message will be sent once the images are uploaded."));
      return;
    }
    if (sendButton.disabled) return;
    const frame = {
      type: "send",
      client_message_id: randomId(),
      text,
      attachment_ids: ready.map((upload) => upload.attachment.id),
    };
    const element = messageElement("user");
    element.classList.add("pending");
    logEl.append(element);
    emptyHint.hidden = true;
    const [, images, body, , , meta] = element.children;
    body.textContent = text;
    images.replaceChildren(...ready.map(
      (upload) => viewer.thumbnail(upload.attachment.url, gettext("Attached screenshot")),
    ));
    delivery.show(meta, new Date(), "sending");
    unacked.set(frame.client_message_id, { frame, element });
    transmit(frame);
    textarea.value = "";
    fitComposer();
    uploads.clear();
    logEl.scrollTop = logEl.scrollHeight;
    updateControls();
  }

  SupportBot.sendOnSubmitOrEnter(form, textarea, send);
  stopButton.addEventListener("click", () => {
    for (const entry of shown.values()) {
      if (entry.message.role === "assistant" && entry.message.state === "generating") {
        transmit({ type: "cancel", message_id: entry.message.id });
      }
    }
    stopButton.disabled = true; // reply.end follows with the reply as it was stopped
  });
  // The text box grows with what is typed and shrinks back once it is sent.
  function fitComposer() {
    textarea.style.height = "auto";
    if (textarea.value) textarea.style.height = `${textarea.scrollHeight}px`;
  }
  textarea.addEventListener("input", fitComposer);
})();
