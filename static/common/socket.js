// The WebSocket of the chat page and of the agent console (docs/protocol.md): connects, keeps
// reconnecting, and shows the state of the connection in the page's #connection element.
// Each reconnect's delay is logged to the browser console. A test (or a person debugging by hand)
// may set window.SupportBotReconnect = {baseMs, maxMs, stableAfterMs} before the page's scripts run.
"use strict";

window.SupportBot = window.SupportBot || {};

window.SupportBot.openSocket = ({
  path, // "/ws/chat/<id>/" or "/ws/console/"
  onOpen = () => {}, // e.g. send `resume`
  onFrame, // every frame except server.restart, which is handled here
  onClose = () => {},
  // A frame that shows the session works (not just the handshake): backoff starts afresh.
  provesSession = () => false,
  pingEveryMs = null, // keep-alive; null for none
  closeNotices = {}, // {4404: "Conversation not found"}: the words for an application close
}) => {
  const settings = {
    baseMs: 500,
    maxMs: 10000,
    // A socket that stayed open this long worked, even if it said nothing that proves it.
    stableAfterMs: 10000,
    ...window.SupportBotReconnect,
  };
  // 1013 "try again later": the server is up but overloaded or without its database, so the next
  // try starts this far along the backoff rather than at its first step.
  const TRY_AGAIN_LATER_ATTEMPT = 4;
  const statusEl = document.getElementById("connection");
  let socket = null;
  // Failed connections since the last one that worked; a brief open does not count as working,
  // or a server that accepts and drops at once would be hammered at the shortest delay.
  let attempt = 0;
  // Set by server.restart: how long the server asked us to wait before reconnecting.
  let restartPauseMs = null;
  let stableTimer = null;
  let pingTimer = null;

  function showStatus(text, online = false) {
    statusEl.textContent = text;
    statusEl.classList.toggle("online", online);
  }

  function resetBackoff() {
    attempt = 0;
    clearTimeout(stableTimer);
  }

  // Exponential, with "equal jitter": half the step fixed, half random, so delays still grow
  // while many pages that lost the same server spread out instead of returning all at once.
  function backoffDelay() {
    const step = Math.min(settings.baseMs * 2 ** attempt, settings.maxMs);
    attempt += 1;
    return step / 2 + Math.random() * (step / 2);
  }

  function reconnectDelay(code) {
    if (restartPauseMs !== null) {
      // Spread over twice the pause, so the new server is not met by every page at once.
      const pause = restartPauseMs * (1 + Math.random());
      restartPauseMs = null;
      return pause;
    }
    if (code === 1013) attempt = Math.max(attempt, TRY_AGAIN_LATER_ATTEMPT);
    return backoffDelay();
  }

  function connect() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    socket = new WebSocket(`${scheme}://${location.host}${path}`);
    socket.addEventListener("open", () => {
      showStatus(gettext("Online"), true);
      stableTimer = setTimeout(resetBackoff, settings.stableAfterMs);
      if (pingEveryMs) pingTimer = setInterval(() => send({ type: "ping" }), pingEveryMs);
      onOpen();
    });
    socket.addEventListener("message", (event) => {
      const frame = JSON.parse(event.data);
      if (frame.type === "server.restart") {
        restartPauseMs = (frame.reconnect_after_s ?? 1) * 1000;
        return;
      }
      if (provesSession(frame)) resetBackoff();
      onFrame(frame);
    });
    socket.addEventListener("close", (event) => {
      clearTimeout(stableTimer);
      clearInterval(pingTimer);
      onClose();
      if (event.code >= 4000 && event.code < 5000) {
        // The application's refusals (4404: not this visitor's conversation): trying again
        // cannot help.
        showStatus(closeNotices[event.code] || gettext("Disconnected: reload the page"));
        return;
      }
      const delay = reconnectDelay(event.code);
      showStatus(event.code === 1013 ? gettext("Unavailable, retrying soon…") : gettext("Offline, reconnecting…"));
      console.info(`SupportBot: reconnecting in ${Math.round(delay)} ms (close code ${event.code})`);
      setTimeout(connect, delay);
    });
  }

  function isOpen() {
    return socket !== null && socket.readyState === WebSocket.OPEN;
  }

  // Frames are not queued while closed: each page sends what it needs again in onOpen.
  function send(frame) {
    if (isOpen()) socket.send(JSON.stringify(frame));
  }

  connect();
  return { send, isOpen };
};
