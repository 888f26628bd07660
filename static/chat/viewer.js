// The chat page's image viewer: a screenshot in the conversation opens large in a modal dialog.
// showModal() makes the rest of the page inert (focus stays in the dialog) and Esc closes it;
// focus then returns to the screenshot that opened it. chat.js calls open() from a click or Enter.
"use strict";

window.SupportBot = window.SupportBot || {};

window.SupportBot.imageViewer = () => {
  const dialog = document.getElementById("image-viewer");
  const image = document.getElementById("image-viewer-image");
  const closeButton = document.getElementById("image-viewer-close");
  let opener = null;

  // thumbnail: the <img> in the conversation; focus goes back to its button on close.
  function open(thumbnail) {
    opener = thumbnail.closest("button") || thumbnail;
    image.src = thumbnail.src;
    image.alt = thumbnail.alt;
    dialog.showModal();
    closeButton.focus();
  }

  closeButton.addEventListener("click", () => dialog.close());
  // The close button is the dialog's one control: Tab and Shift+Tab stay on it rather than
  // leaving for the browser's own controls.
  dialog.addEventListener("keydown", (event) => {
    if (event.key === "Tab") {
      event.preventDefault();
      closeButton.focus();
    }
  });
  // A click on the backdrop (outside the image) closes it too.
  dialog.addEventListener("click", (event) => {
    if (event.target === dialog) dialog.close();
  });
  dialog.addEventListener("close", () => {
    image.removeAttribute("src");
    if (opener && opener.isConnected) opener.focus();
    opener = null;
  });

  // A screenshot as a control that opens the viewer: a button around the thumbnail.
  function thumbnail(url, alt) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "thumbnail";
    button.setAttribute("aria-label", interpolate(gettext("%s, open large"), [alt]));
    const img = document.createElement("img");
    img.src = url;
    img.alt = alt;
    img.loading = "lazy";
    button.append(img);
    button.addEventListener("click", () => open(img));
    return button;
  }

  return { open, thumbnail };
};
