// The agent console: joins its parts (loaded before this file by templates/agents/console.html)
// to the /ws/console/ socket of docs/protocol.md. No build step.
"use strict";

(() => {
  // Presence expires after AGENT_PRESENCE_TTL_S (60 s) without a ping.
  const PING_EVERY_MS = 20000;
  const { openSocket, consoleNotices, consoleQueue, consoleConversation, consoleDrafts,
    consoleComposer, consoleAlerts, consoleOffers, consoleAvailability } = window.SupportBot;

  const transmit = (frame) => socket.send(frame);
  const openConversation = (conversationId) => transmit({ type: "open", conversation_id: conversationId });
  const notices = consoleNotices();
  const availability = consoleAvailability();
  const alerts = consoleAlerts({ onNotificationClick: openConversation });
  const offers = consoleOffers({ transmit });
  const conversation = consoleConversation({
    transmit,
    onSwitch(detail) {
      drafts.end();
      composer.fillCanned(detail.canned);
    },
    onShown() {
      queue.render(); // marks the open row
      showUnreadCount();
    },
  });
  const queue = consoleQueue({ open: openConversation, currentId: conversation.currentId });
  const composer = consoleComposer({
    transmit,
    currentId: conversation.currentId,
    onOwnWords: () => drafts.overtake(),
  });
  const drafts = consoleDrafts({
    transmit,
    currentId: conversation.currentId,
    showNotice: notices.show,
    chooseReplyMode: composer.chooseReplyMode,
  });
  const socket = openSocket({
    path: "/ws/console/",
    onOpen() {
      availability.showConnected(true);
      conversation.reload();
    },
    onClose: () => availability.showConnected(false),
    onFrame: handleFrame,
    // Sent on every connect once the agent's presence is stored.
    provesSession: (frame) => frame.type === "queue",
    pingEveryMs: PING_EVERY_MS,
  });

  // The agent sees this conversation now: its messages are read as they come.
  function watching(conversationId) {
    return conversation.currentId() === conversationId && document.visibilityState === "visible";
  }

  // The tab title counts what waits for this agent: each offer, and the unread visitor messages
  // of their own and offered conversations (not of the one they are looking at).
  function showUnreadCount() {
    const unread = queue.ownRows()
      .filter((row) => !watching(row.conversation_id))
      .reduce((sum, row) => sum + row.unread, 0);
    alerts.showCount(unread + offers.count());
  }

  function readIfWatching() {
    const id = conversation.currentId();
    const row = id && queue.rowOf(id);
    if (row && row.unread > 0 && watching(id)) transmit({ type: "read", conversation_id: id });
  }

  document.addEventListener("visibilitychange", () => {
    readIfWatching();
    showUnreadCount();
  });

  function handleFrame(frame) {
    switch (frame.type) {
      case "queue":
        queue.show(frame);
        offers.syncWithQueue(frame);
        availability.show(frame.availability);
        readIfWatching();
        showUnreadCount();
        break;
      case "offer":
        offers.add(frame);
        alerts.alert({
          title: frame.transferred_by
            ? interpolate(gettext("%s transferred a conversation to you"), [frame.transferred_by])
            : gettext("A conversation is offered to you"),
          body: [frame.title, frame.reason_text].filter(Boolean).join("\n"),
          conversationId: frame.conversation_id,
        });
        showUnreadCount();
        break;
      case "visitor.message":
        // The unread counts come with the queue frame that follows.
        alerts.alert({
          title: frame.title,
          body: frame.text,
          conversationId: frame.conversation_id,
          quiet: watching(frame.conversation_id),
        });
        break;
      case "conversation":
        conversation.show(frame);
        break;
      case "handoff":
        conversation.showMessage(frame.message);
        conversation.reload(); // the owner and the actions change with the state
        break;
      case "message":
      case "agent.message":
      case "reply.end":
        conversation.showMessage(frame.message);
        break;
      case "note":
        conversation.showNote(frame.note);
        break;
      case "draft.token":
      case "draft.end":
        drafts.show(frame);
        break;
      case "typing":
        if (frame.role === "user") conversation.showUserTyping(frame.typing);
        break;
      case "error":
        notices.show(frame.message);
        break;
      default:
        break; // pong, queue.changed (a fresh queue follows it), token, newer frame types
    }
  }
})();
