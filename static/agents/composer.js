// The agent console's reply box: a reply to the user or a private note, canned responses, and
// telling the user that the agent is typing.
"use strict";

window.SupportBot = window.SupportBot || {};

window.SupportBot.consoleComposer = ({ transmit, currentId, onOwnWords }) => {
  const element = window.SupportBot.element;
  const form = document.getElementById("composer");
  const textarea = document.getElementById("text");
  const cannedSelect = document.getElementById("canned");
  // The user sees the agent typing; tell them at most this often.
  const TYPING_EVERY_MS = 3000;
  let lastTypingSentAt = 0;

  function mode() {
    return form.querySelector("input[name=mode]:checked").value;
  }

  function chooseReplyMode() {
    form.querySelector("input[name=mode][value=reply]").click();
  }

  function fillCanned(canned) {
    const choose = element("option", "", gettext("Choose…"));
    choose.value = "";
    cannedSelect.replaceChildren(choose, ...canned.map((response) => {
      const option = element("option", "", response.title);
      option.value = response.text;
      return option;
    }));
  }

  function send() {
    const text = textarea.value.trim();
    const conversationId = currentId();
    if (!text || !conversationId) return;
    onOwnWords();
    const sent = mode();
    transmit({ type: sent, conversation_id: conversationId, text });
    textarea.value = "";
    // Only a reply showed "typing" to the visitor (and only the owner may send either).
    if (sent === "reply") transmit({ type: "typing", conversation_id: conversationId, typing: false });
    lastTypingSentAt = 0;
  }

  SupportBot.sendOnSubmitOrEnter(form, textarea, send);
  textarea.addEventListener("input", () => {
    onOwnWords(); // only the agent's own edits fire this, not a draft's tokens
    const conversationId = currentId();
    // Notes are private: typing one is not shown to the user.
    if (!conversationId || mode() !== "reply" || Date.now() - lastTypingSentAt < TYPING_EVERY_MS) return;
    lastTypingSentAt = Date.now();
    transmit({ type: "typing", conversation_id: conversationId, typing: true });
  });
  for (const radio of form.querySelectorAll("input[name=mode]")) {
    radio.addEventListener("change", () => {
      form.classList.toggle("note-mode", mode() === "note");
      textarea.placeholder = mode() === "note" ? gettext("Write a private note…") : gettext("Write a reply…");
    });
  }
  cannedSelect.addEventListener("change", () => {
    if (!cannedSelect.value) return;
    onOwnWords();
    textarea.value = textarea.value ? `${textarea.value}\n${cannedSelect.value}` : cannedSelect.value;
    cannedSelect.value = "";
    textarea.focus();
  });

  return { chooseReplyMode, fillCanned };
};
