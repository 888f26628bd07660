// The agent console's alerts, so that an agent never misses an offer or a visitor's message: a
// short beep (Web Audio, no sound file), a desktop notification, and the unread count in the tab
// title. Desktop notifications need the agent's permission, asked from a visible button (browsers
// ignore or block a request nobody clicked for), never on load.
"use strict";

window.SupportBot = window.SupportBot || {};

window.SupportBot.consoleAlerts = ({ onNotificationClick }) => {
  const banner = document.getElementById("alerts-banner");
  const enableButton = document.getElementById("enable-alerts");
  const bannerText = document.getElementById("alerts-text");
  const baseTitle = document.title;
  const supported = "Notification" in window;
  let audio = null;

  // Browsers start audio only after the page had a click or key press: the context is made (or
  // resumed) on the agent's first gesture, so the first beep is not lost.
  function unlockAudio() {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      if (audio.state === "suspended") audio.resume();
    } catch (error) {
      audio = null; // no Web Audio: the notification and the title still tell
    }
  }

  function beep() {
    unlockAudio();
    if (!audio) return;
    const oscillator = audio.createOscillator();
    const gain = audio.createGain();
    oscillator.type = "sine";
    oscillator.frequency.value = 880;
    // A quick fade in and out: a click-free 0.2 s tone.
    const now = audio.currentTime;
    gain.gain.setValueAtTime(0.0001, now);
    gain.gain.exponentialRampToValueAtTime(0.2, now + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, now + 0.2);
    oscillator.connect(gain).connect(audio.destination);
    oscillator.start(now);
    oscillator.stop(now + 0.22);
  }

  function notify(title, body, conversationId) {
    if (!supported || Notification.permission !== "granted") return;
    try {
      // One notification per conversation: a newer one replaces it instead of piling up.
      const shown = new Notification(title, { body, tag: conversationId });
      shown.onclick = () => {
        window.focus();
        onNotificationClick(conversationId);
        shown.close();
      };
    } catch (error) {
      // Some browsers allow notifications only from a service worker; the beep still sounds.
    }
  }

  // Agent-facing: something new for them. `quiet`: they are looking at it already.
  function alert({ title, body, conversationId, quiet }) {
    if (quiet) return;
    beep();
    notify(title, body, conversationId);
  }

  function showCount(count) {
    document.title = count > 0 ? `(${count}) ${baseTitle}` : baseTitle;
  }

  function showPermission() {
    if (!supported) {
      bannerText.textContent = gettext("This browser has no desktop notifications: keep this tab in sight, it beeps on news.");
      enableButton.hidden = true;
      banner.hidden = false;
      return;
    }
    const permission = Notification.permission;
    banner.hidden = permission === "granted";
    enableButton.hidden = permission !== "default";
    bannerText.textContent = permission === "denied"
      ? gettext("Desktop alerts are blocked for this site (allow them in the browser's site settings). The console still beeps and counts unread in its tab title.")
      : gettext("Get a desktop alert for new offers and visitor messages, even when this tab is hidden.");
  }

  enableButton.addEventListener("click", async () => {
    unlockAudio();
    try {
      await Notification.requestPermission();
    } finally {
      showPermission();
    }
  });
  document.addEventListener("pointerdown", unlockAudio, { once: true });
  document.addEventListener("keydown", unlockAudio, { once: true });
  showPermission();

  return { alert, showCount };
};
