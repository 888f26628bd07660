// The agent console: joins its parts (loaded before this file by templates/agents/console.html)
// to the /ws/console/ socket of docs/protocol.md. No build step.
"use strict";

(() => {
  // Presence expires after AGENT_PRESENCE_TTL_S (60 s) without a ping.
  const PING_EVERY_MS = 20000;
  const { openSocket, consoleNotices, consoleQueue, consoleConversation, consoleDrafts,
    consoleComposer } = window.SupportBot;

  const transmit = (frame) => socket.send(frame);
  const notices = consoleNotices();
  const conversation = consoleConversation({
    transmit,
    onSwitch(detail) {
      drafts.end();
      composer.fillCanned(detail.canned);
    },
    onShown: () => queue.render(), // marks the open row
  });
  const queue = consoleQueue({
    open: (conversationId) => transmit({ type: "open", conversation_id: conversationId }),
    currentId: conversation.currentId,
  });
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
    onOpen: conversation.reload,
    onFrame: handleFrame,
    // Sent on every connect once the agent's presence is stored.
    provesSession: (frame) => frame.type === "queue",
    pingEveryMs: PING_EVERY_MS,
  });

  function handleFrame(frame) {
    switch (frame.type) {
      case "queue":
        queue.show(frame);
        break;
      case "offer":
        notices.showOffer(frame);
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
