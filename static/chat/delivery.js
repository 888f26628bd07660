// Under each message of the chat page: its time, in the page language's clock, and for the
// visitor's own whether it reached the server (docs/protocol.md, "Messages"): sending until its
// ack, sent after it, or not sent, with the reason and a button to send it again.
"use strict";

window.SupportBot = window.SupportBot || {};

window.SupportBot.delivery = () => {
  const clock = new Intl.DateTimeFormat(document.documentElement.lang, { hour: "2-digit", minute: "2-digit" });
  const WORDS = {
    sending: gettext("Sending…"),
    sent: gettext("Sent"),
    failed: gettext("Not sent"),
  };

  // meta: the message's .meta element; state: sending, sent, failed, or null for none.
  function show(meta, when, state) {
    const time = document.createElement("time");
    time.dateTime = when.toISOString();
    time.textContent = clock.format(when);
    meta.replaceChildren(time);
    if (state) {
      const said = document.createElement("span");
      said.className = `delivery ${state}`;
      said.textContent = WORDS[state];
      meta.append(" · ", said);
    }
  }

  // A send the server refused: the message stays, marked failed with the reason; the button
  // marks it sending again and calls resend().
  function fail(element, reason, resend) {
    const [, , , status, actions, meta] = element.children;
    element.classList.remove("pending");
    element.classList.add("failed");
    show(meta, new Date(), "failed");
    status.textContent = reason;
    const again = document.createElement("button");
    again.type = "button";
    again.className = "secondary retry";
    again.textContent = gettext("Send again");
    again.addEventListener("click", () => {
      element.classList.remove("failed");
      element.classList.add("pending");
      status.textContent = "";
      actions.replaceChildren();
      show(meta, new Date(), "sending");
      resend();
    });
    actions.replaceChildren(again);
  }

  return { show, fail };
};
