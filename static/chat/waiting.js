// The chat page's waiting room (docs/protocol.md, "The waiting room"): while the conversation
// waits for a person, the visitor's place in the queue and expected wait, that a message written
// meanwhile was received, and the offer to be answered by email instead. chat.js calls in here.
"use strict";

window.SupportBot = window.SupportBot || {};

window.SupportBot.waiting = ({ transmit }) => {
  const panel = document.getElementById("waiting");
  const position = document.getElementById("waiting-position");
  const acknowledged = document.getElementById("waiting-acknowledged");
  const form = document.getElementById("email-later");
  const why = document.getElementById("email-later-why");
  const address = document.getElementById("email-later-address");
  const error = document.getElementById("email-later-error");
  const saved = document.getElementById("email-later-saved");

  function showSaved(email) {
    saved.textContent = interpolate(
      gettext("We will email the answer to %s. You can also keep this page open."), [email],
    );
    saved.hidden = false;
    form.hidden = true;
  }

  function show(frame) {
    panel.hidden = false;
    position.textContent = frame.text;
    if (frame.acknowledged) {
      acknowledged.textContent = frame.acknowledged.text;
      acknowledged.hidden = false;
    }
    if (frame.email) {
      showSaved(frame.email);
    } else if (frame.email_offer) {
      why.textContent = frame.offer_text;
      form.hidden = false;
    } else if (!address.value) {
      form.hidden = true; // an agent should come soon; a half-typed address keeps the form
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const value = address.value.trim();
    if (!value) return;
    error.hidden = true;
    transmit({ type: "email", address: value });
  });

  return {
    // True when the frame was the waiting room's.
    handleFrame(frame) {
      if (frame.type === "waiting") show(frame);
      else if (frame.type === "email.saved") showSaved(frame.email);
      else return false;
      return true;
    },
    // The conversation's state changed: the waiting room is only for `pending`.
    statusChanged(status) {
      if (status !== "pending") {
        panel.hidden = true;
        acknowledged.hidden = true;
      }
    },
    // A refused address: said next to the field, not in the general notice.
    handleError(frame) {
      if (frame.code !== "invalid_email") return false;
      error.textContent = frame.message;
      error.hidden = false;
      address.focus();
      return true;
    },
  };
};
