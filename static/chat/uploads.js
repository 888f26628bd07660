// The chat page's screenshots for the next message: picked, pasted or dropped, each uploaded at
// once with a preview and its progress (docs/protocol.md, "Uploading a screenshot"). chat.js
// sends the uploaded ones' ids with the message.
"use strict";

window.SupportBot = window.SupportBot || {};

window.SupportBot.uploads = ({ url, csrfToken, maxCount, maxBytes, showNotice, onSettled }) => {
  const root = document.getElementById("chat");
  const form = document.getElementById("composer");
  const fileInput = document.getElementById("file-input");
  const previewsEl = document.getElementById("previews");
  const attachLabel = document.querySelector(".attach");
  // {state: "uploading" | "done" | "failed", attachment, element, request}
  let uploads = [];

  function add(files) {
    for (const file of files) {
      if (!file.type.startsWith("image/")) continue;
      if (uploads.length >= maxCount) {
        showNotice(interpolate(gettext("At most %s images per message."), [maxCount]));
        break;
      }
      if (file.size > maxBytes) {
        showNotice(interpolate(gettext("%(name)s is larger than %(size)s MB."), {
          name: file.name || gettext("The image"),
          size: Math.round(maxBytes / 1048576),
        }, true));
        continue;
      }
      start(file);
    }
  }

  function fail(upload, notice) {
    upload.state = "failed";
    upload.element.classList.add("failed");
    showNotice(notice);
  }

  function start(file) {
    const upload = { state: "uploading", attachment: null, element: document.createElement("li") };
    upload.element.className = "preview";
    const img = document.createElement("img");
    img.src = URL.createObjectURL(file);
    img.alt = interpolate(gettext("Preview of %s"), [file.name || gettext("pasted image")]);
    const progress = document.createElement("progress");
    progress.max = 100;
    progress.value = 0;
    progress.setAttribute("aria-label", gettext("Upload progress"));
    const remove = document.createElement("button");
    remove.type = "button";
    remove.className = "remove";
    remove.textContent = "×";
    remove.setAttribute("aria-label", gettext("Remove image"));
    remove.addEventListener("click", () => {
      upload.request.abort();
      uploads = uploads.filter((other) => other !== upload);
      upload.element.remove();
      onSettled(upload);
    });
    upload.element.append(img, progress, remove);
    previewsEl.append(upload.element);
    uploads.push(upload);

    // XMLHttpRequest rather than fetch: fetch cannot report upload progress.
    const request = new XMLHttpRequest();
    upload.request = request;
    request.open("POST", url);
    request.setRequestHeader("X-CSRFToken", csrfToken);
    request.responseType = "json";
    request.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) progress.value = (100 * event.loaded) / event.total;
    });
    request.addEventListener("load", () => {
      if (request.status === 201) {
        upload.state = "done";
        upload.attachment = request.response;
        progress.value = 100;
        upload.element.classList.add("uploaded");
      } else {
        fail(upload, (request.response && request.response.message) || gettext("The upload failed."));
      }
      onSettled(upload);
    });
    request.addEventListener("error", () => {
      fail(upload, gettext("The upload failed; check your connection."));
      onSettled(upload);
    });
    const body = new FormData();
    body.append("image", file, file.name || "pasted.png");
    request.send(body);
  }

  fileInput.addEventListener("change", () => {
    add(fileInput.files);
    fileInput.value = "";
  });
  document.addEventListener("paste", (event) => {
    const files = Array.from(event.clipboardData.files || []);
    if (files.length) {
      event.preventDefault();
      add(files);
    }
  });
  root.addEventListener("dragover", (event) => {
    event.preventDefault();
    form.classList.add("dragging");
  });
  root.addEventListener("dragleave", () => form.classList.remove("dragging"));
  root.addEventListener("drop", (event) => {
    event.preventDefault();
    form.classList.remove("dragging");
    add(event.dataTransfer.files);
  });
  // The attach control is a label; let the keyboard open the file picker too.
  attachLabel.tabIndex = 0;
  attachLabel.addEventListener("keydown", (event) => {
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      fileInput.click();
    }
  });

  return {
    isUploading: () => uploads.some((upload) => upload.state === "uploading"),
    anyFailed: () => uploads.some((upload) => upload.state === "failed"),
    // [{attachment, element}] of the images ready to go with the next message.
    ready: () => uploads.filter((upload) => upload.state === "done"),
    // The message took them.
    clear() {
      uploads = [];
      previewsEl.replaceChildren();
    },
  };
};
