// The chat page's side of handing a conversation to people (docs/protocol.md, "People"): the
// "Talk to a human" button, the agent's typing, thumbs on bot replies and the rating after a
// resolved handoff, and starting a new conversation after a resolved one. chat.js owns the
// messages and calls in here.
"use strict";

window.SupportBot = window.SupportBot || {};

window.SupportBot.people = ({ status, transmit, onChange, newConversationUrl, csrfToken, showNotice }) => {
  const talkButton = document.getElementById("talk-to-human");
  const ratingForm = document.getElementById("rating");
  const ratingThanks = document.getElementById("rating-thanks");
  const resolvedPanel = document.getElementById("resolved");
  const newConversationButton = document.getElementById("new-conversation");
  const textarea = document.getElementById("text");
  const logEl = document.getElementById("log");
  // Only an agent sees the visitor typing; tell them at most this often.
  const TYPING_EVERY_MS = 3000;
  // A typing frame may be the last one before a pause: forget it after a while.
  const AGENT_TYPING_FOR_MS = 6000;
  const SVG = "http://www.w3.org/2000/svg";
  const THUMB_UP = "M14 9V5a3 3 0 0 0-3-3l-4 9v11h11.28a2 2 0 0 0 2-1.7l1.38-9a2 2 0 0 0-2-2.3zM7 22H4a2 2 0 0 1-2-2v-7a2 2 0 0 1 2-2h3";
  let agentTyping = false;
  let agentTypingTimer = null;
  let lastTypingSentAt = 0;

  // bot, pending, open or resolved: in pending and open people answer, never the bot.
  function peopleAnswer() {
    return status === "pending" || status === "open";
  }

  function setAgentTyping(typing) {
    agentTyping = typing;
    clearTimeout(agentTypingTimer);
    if (typing) agentTypingTimer = setTimeout(() => setAgentTyping(false), AGENT_TYPING_FOR_MS);
    onChange();
  }

  // The frames about people other than the messages themselves; true when handled.
  function handleFrame(frame) {
    switch (frame.type) {
      case "handoff":
        status = frame.status;
        return false; // chat.js shows its system message
      case "agent.message":
        setAgentTyping(false);
        return false;
      case "typing":
        if (frame.role === "agent") setAgentTyping(frame.typing);
        return true;
      case "csat.request":
        ratingThanks.hidden = true;
        ratingForm.reset();
        ratingForm.hidden = false;
        ratingForm.querySelector("input").focus();
        logEl.scrollTop = logEl.scrollHeight; // the form takes room: keep the last messages in view
        return true;
      case "rating.thanks":
        ratingForm.hidden = true;
        ratingThanks.hidden = false;
        return true;
      default:
        return false;
    }
  }

  // An icon rather than an emoji: not every system has an emoji font.
  function thumbIcon(up) {
    const svg = document.createElementNS(SVG, "svg");
    for (const [name, value] of Object.entries({
      width: 18, height: 18, viewBox: "0 0 24 24", fill: "none", stroke: "currentColor",
      "stroke-width": 2, "stroke-linecap": "round", "stroke-linejoin": "round", "aria-hidden": "true",
    })) svg.setAttribute(name, value);
    if (!up) svg.setAttribute("transform", "rotate(180)");
    const path = document.createElementNS(SVG, "path");
    path.setAttribute("d", THUMB_UP);
    svg.append(path);
    return svg;
  }

  function feedbackButton(messageId, helpful) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "feedback";
    button.append(thumbIcon(helpful));
    button.dataset.helpful = String(helpful);
    button.setAttribute("aria-label", helpful ? gettext("Helpful answer") : gettext("Not helpful"));
    button.setAttribute("aria-pressed", "false");
    button.addEventListener("click", () => {
      transmit({ type: "feedback", message_id: messageId, helpful });
      showFeedback(button.parentElement, helpful, false);
    });
    return button;
  }

  // The thumbs of one reply as pressed; `saved`: the server acknowledged it (feedback.saved).
  function showFeedback(actions, helpful, saved) {
    for (const button of actions.querySelectorAll(".feedback")) {
      button.setAttribute("aria-pressed", String(button.dataset.helpful === String(helpful)));
    }
    let thanks = actions.querySelector(".feedback-saved");
    if (!saved) {
      if (thanks) thanks.textContent = "";
      return;
    }
    if (!thanks) {
      thanks = document.createElement("span");
      thanks.className = "feedback-saved";
      thanks.setAttribute("role", "status");
      actions.append(thanks);
    }
    thanks.textContent = helpful
      ? gettext("Thanks for your feedback!")
      : gettext("Thanks for telling us. We will use it to improve.");
  }

  // Under a reply that found no answer in the help center: one click brings a person.
  function offerButton(messageId) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "secondary offer-person";
    button.textContent = gettext("Talk to a person");
    button.disabled = peopleAnswer();
    button.addEventListener("click", () => {
      transmit({ type: "escalate", message_id: messageId });
      button.disabled = true;
      talkButton.disabled = true;
    });
    return button;
  }

  talkButton.addEventListener("click", () => {
    transmit({ type: "escalate" });
    talkButton.disabled = true; // the handoff frame follows; repeated presses change nothing
  });
  textarea.addEventListener("input", () => {
    if (peopleAnswer() && Date.now() - lastTypingSentAt > TYPING_EVERY_MS) {
      lastTypingSentAt = Date.now();
      transmit({ type: "typing", typing: true });
    }
  });
  newConversationButton.addEventListener("click", async () => {
    newConversationButton.disabled = true;
    const response = await fetch(newConversationUrl, {
      method: "POST",
      headers: { "X-CSRFToken": csrfToken },
    }).catch(() => null);
    if (response && response.ok) {
      location.reload(); // the page shows the visitor's latest conversation: the new one
      return;
    }
    newConversationButton.disabled = false;
    const answer = response ? await response.json().catch(() => ({})) : {};
    showNotice(answer.message || gettext("Could not start a new conversation; check your connection."));
  });
  ratingForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const score = Number(new FormData(ratingForm).get("score"));
    const comment = document.getElementById("rating-comment").value.trim();
    transmit({ type: "rating", score, comment });
  });

  return {
    handleFrame,
    peopleAnswer,
    agentTyping: () => agentTyping,
    // Thumbs up and down for a finished bot reply, pressed as stored (`feedback`: true, false or
    // null); two thumbs down in a row bring a person.
    feedbackButtons(messageId, feedback) {
      const buttons = [feedbackButton(messageId, true), feedbackButton(messageId, false)];
      if (typeof feedback === "boolean") {
        buttons.forEach((button) => button.setAttribute("aria-pressed", String(button.dataset.helpful === String(feedback))));
      }
      return buttons;
    },
    // feedback.saved: the server stored the thumbs; said under the reply.
    feedbackSaved(messageId, helpful) {
      const actions = document.querySelector(`.message[data-id="${messageId}"] .actions`);
      if (actions) showFeedback(actions, helpful, true);
    },
    offerButton,
    updateControls(online) {
      talkButton.disabled = !online || peopleAnswer();
      resolvedPanel.hidden = status !== "resolved";
    },
  };
};
