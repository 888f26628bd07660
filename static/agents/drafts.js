// The agent console's reply drafts: "Suggest reply" asks the model for the agent's next message
// and writes it into the reply box as it comes (docs/protocol.md, "Reply drafts").
"use strict";

window.SupportBot = window.SupportBot || {};

window.SupportBot.consoleDrafts = ({ transmit, currentId, showNotice, chooseReplyMode }) => {
  const textarea = document.getElementById("text");
  const suggestButton = document.getElementById("suggest");
  // The draft being written: {conversationId, before, overtaken} (what the agent had typed already
  // stays in front of it; once the agent edits the box, sends, or picks a canned response, the
  // rest of the draft is dropped, never written over their words); null when none is coming.
  let draft = null;

  function suggest() {
    const conversationId = currentId();
    if (!conversationId || draft) return;
    chooseReplyMode();
    draft = {
      conversationId,
      before: textarea.value ? `${textarea.value}\n` : "",
      overtaken: false,
    };
    textarea.value = draft.before;
    suggestButton.disabled = true;
    transmit({ type: "suggest", conversation_id: conversationId });
  }

  // draft.token and draft.end frames.
  function show(frame) {
    if (!draft || frame.conversation_id !== draft.conversationId) return;
    if (draft.overtaken) {
      if (frame.type === "draft.end") end();
      return;
    }
    if (frame.type === "draft.token") {
      textarea.value += frame.text;
      return;
    }
    if (frame.error) showNotice(frame.error);
    textarea.value = draft.before + frame.text; // the whole draft, whatever tokens were missed
    end();
    textarea.focus();
  }

  function end() {
    draft = null;
    suggestButton.disabled = false;
  }

  // The agent's own words now own the reply box.
  function overtake() {
    if (draft) draft.overtaken = true;
  }

  suggestButton.addEventListener("click", suggest);

  return { show, end, overtake };
};
