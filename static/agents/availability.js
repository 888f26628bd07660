// Says plainly when offers cannot reach this agent, and what to do about it: no agent profile
// (only agents with one are offered conversations), offline (the console's socket is closed), or
// at capacity. The server's view comes in every queue frame ("availability", docs/protocol.md).
"use strict";

window.SupportBot = window.SupportBot || {};

window.SupportBot.consoleAvailability = () => {
  const banner = document.getElementById("availability");
  // null until the socket first opens or closes: no banner while it connects.
  let connected = null;
  let availability = null;

  function message() {
    if (connected === false) {
      return gettext("You are offline: no conversations are offered to you until the console reconnects. " +
        "It retries by itself; check your network, or reload the page.");
    }
    if (!availability) return "";
    switch (availability.state) {
      case "no_profile":
        return gettext("You cannot receive offers: you have no agent profile. Ask an admin to add one for you " +
          "(Admin › Agents › Agent profiles, with your team and how many conversations you take at once). " +
          "You can still claim conversations from the Pending queue.");
      case "at_capacity":
        return interpolate(gettext("You are at capacity (%(load)s of %(limit)s conversations and offers): " +
          "no new offers until you resolve, hand back or transfer one, or decline an offer."), availability, true);
      case "offline":
        return gettext("The server does not see you online yet: offers start once your console has checked in.");
      default:
        return "";
    }
  }

  function render() {
    const text = message();
    banner.textContent = text;
    banner.hidden = !text;
  }

  function showConnected(isConnected) {
    connected = isConnected;
    render();
  }

  function show(state) {
    availability = state;
    render();
  }

  return { show, showConnected };
};
