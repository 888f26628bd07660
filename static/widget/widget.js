// SupportBot's website widget. A host site adds one tag (docs/widget.md):
//   <script src="https://support.example.com/widget.js" async data-lang="zh-hans"></script>
// and gets a launcher bubble that opens the chat in an iframe served by the support site. 
// bubble lives in a shadow root whose host resets every inherited style, so no CSS crosses
// either way. Open or closed, and the unread count, are kept in the host's sessionStorage, so they
// survive navigation between the host's pages. No build step, no dependencies.
"use strict";

(() => {
  const script = document.currentScript;
  if (!script || window.SupportBotWidget) return;
  const supportOrigin = new URL(script.src).origin;
  const options = script.dataset;
  const WORDS = {
    en: { open: "Open support chat", close: "Close support chat", title: "Support chat", unread: "unread" },
    zh: { open: "打开客服聊天", close: "关闭客服聊天", title: "客服聊天", unread: "条未读" },
  };
  const words = WORDS[(options.lang || navigator.language || "en").slice(0, 2).toLowerCase()] || WORDS.en;
  const KEY = `supportbot-widget:${supportOrigin}:`;
  const stored = {
    get: (name) => {
      try { return sessionStorage.getItem(KEY + name); } catch (e) { return null; }
    },
    set: (name, value) => {
      try { sessionStorage.setItem(KEY + name, String(value)); } catch (e) { /* storage off: state lasts this page */ }
    },
  };

  // An element of its own name with its styles reset: the host's rules for div or * miss it.
  const host = document.createElement("supportbot-widget");
  host.setAttribute("data-supportbot-widget", "");
  // Through the CSSOM, which a host's CSP without 'unsafe-inline' still allows.
  host.style.setProperty("all", "initial", "important");
  const shadow = host.attachShadow({ mode: "open" });
  const side = options.position === "left" ? "left" : "right";
  const css = `
      :host { all: initial; }
      * { box-sizing: border-box; }
      .launcher {
        position: fixed; ${side}: 20px; bottom: 20px; z-index: 2147483646;
        width: 56px; height: 56px; border: 0; border-radius: 50%; padding: 0; cursor: pointer;
        background: #2457c5; color: #fff; box-shadow: 0 4px 14px rgba(0, 0, 0, .25);
        display: flex; align-items: center; justify-content: center;
      }
      .launcher:focus-visible { outline: 3px solid #ffbf47; outline-offset: 2px; }
      .badge {
        position: absolute; top: -4px; ${side === "right" ? "left" : "right"}: -4px; min-width: 22px; height: 22px;
        padding: 0 6px; border-radius: 11px; background: #b3261e; color: #fff;
        font: 700 13px/22px system-ui, sans-serif; text-align: center;
      }
      .badge[hidden], .panel[hidden], .launcher svg[hidden] { display: none; }
      .panel {
        position: fixed; ${side}: 20px; bottom: 88px; z-index: 2147483647;
        width: 380px; height: min(640px, calc(100vh - 108px)); border-radius: 12px; overflow: hidden;
        background: #fff; box-shadow: 0 8px 30px rgba(0, 0, 0, .3);
      }
      iframe { display: block; width: 100%; height: 100%; border: 0; }
      @media (max-width: 480px) {
        .panel { inset: 0; width: 100%; height: 100%; border-radius: 0; }
        .launcher.open { display: none; }
      }
  `;
  shadow.innerHTML = `    <div class="panel" role="dialog" aria-label="${words.title}" hidden></div>
    <button type="button" class="launcher" aria-expanded="false" aria-label="${words.open}">
      <svg class="chat-icon" aria-hidden="true" width="28" height="28" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"><path d="M21 15a2 2 0 0 1-2 2H7l-4 4V5a2 2 0 0 1 2-2h14a2 2 0 0 1 2 2z"/></svg>
      <svg class="close-icon" aria-hidden="true" width="24" height="24" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2.5" stroke-linecap="round" hidden><path d="M6 6l12 12M18 6L6 18"/></svg>
      <span class="badge" hidden></span>
    </button>`;
  // A constructed sheet, which a host's CSP without 'unsafe-inline' still allows; else a <style>.
  if ("adoptedStyleSheets" in shadow && "replaceSync" in CSSStyleSheet.prototype) {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    shadow.adoptedStyleSheets = [sheet];
  } else {
    shadow.prepend(Object.assign(document.createElement("style"), { textContent: css }));
  }
  const launcher = shadow.querySelector(".launcher");
  const panel = shadow.querySelector(".panel");
  const badge = shadow.querySelector(".badge");
  let frame = null;
  let isOpen = stored.get("open") === "1";
  let unread = Number(stored.get("unread")) || 0;

  function frameUrl() {
    const query = new URLSearchParams({ origin: window.location.origin });
    // The claim is checked by the support site against its secret (data-signature); without a
    // valid signature the visitor is anonymous.
    for (const name of ["lang", "userId", "email", "name", "signature"]) {
      if (options[name]) query.set(name === "userId" ? "user_id" : name, options[name]);
    }
    return `${supportOrigin}/widget/frame/?${query}`;
  }

  // The chat is loaded on first open; once used in this session, on every page (for the badge).
  function ensureFrame() {
    if (frame) return;
    frame = document.createElement("iframe");
    frame.title = words.title;
    frame.src = frameUrl();
    panel.append(frame);
    stored.set("started", 1);
  }

  function render() {
    panel.hidden = !isOpen;
    launcher.classList.toggle("open", isOpen);
    launcher.setAttribute("aria-expanded", String(isOpen));
    const label = isOpen ? words.close : words.open;
    launcher.setAttribute("aria-label", unread ? `${label} (${unread} ${words.unread})` : label);
    shadow.querySelector(".chat-icon").toggleAttribute("hidden", isOpen); // SVG has no .hidden
    shadow.querySelector(".close-icon").toggleAttribute("hidden", !isOpen);
    badge.hidden = unread === 0;
    badge.textContent = unread > 9 ? "9+" : String(unread);
  }

  function setOpen(open) {
    isOpen = open;
    if (open) {
      ensureFrame();
      unread = 0;
      stored.set("unread", 0);
    }
    stored.set("open", open ? 1 : 0);
    render();
    if (open) frame.focus();
    else launcher.focus();
  }

  launcher.addEventListener("click", () => setOpen(!isOpen));
  window.addEventListener("message", (event) => {
    // Only the chat frame of the support site speaks to the widget.
    if (event.origin !== supportOrigin || !frame || event.source !== frame.contentWindow) return;
    const data = event.data;
    if (!data || data.source !== "supportbot") return;
    if (data.type === "close") setOpen(false);
    if (data.type === "unread" && !isOpen) {
      unread += 1;
      stored.set("unread", unread);
      render();
    }
  });

  window.SupportBotWidget = { open: () => setOpen(true), close: () => setOpen(false) };
  if (isOpen || stored.get("started") === "1") ensureFrame();
  render();
  if (document.body) document.body.append(host);
  else document.addEventListener("DOMContentLoaded", () => document.body.append(host));
})();
