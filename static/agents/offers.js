// The agent console's offers: a card for each conversation offered to this agent, which stays
// until they take it (Open claims it and shows it) or decline it (it goes to the next agent), or
// until the queue says it is not theirs to take any more (someone claimed it, or it was passed
// on after waiting too long). A conversation transferred to them is theirs already: Open shows
// it, Dismiss hides the card.
"use strict";

window.SupportBot = window.SupportBot || {};

window.SupportBot.consoleOffers = ({ transmit }) => {
  const element = window.SupportBot.element;
  const list = document.getElementById("offers");
  // conversation id -> {conversation_id, title, reason_text, summary, transferred_by}
  const offers = new Map();

  function add(offer) {
    offers.set(offer.conversation_id, { ...offers.get(offer.conversation_id), ...offer });
    render();
  }

  function remove(conversationId) {
    offers.delete(conversationId);
    render();
  }

  // Every queue frame: offers waiting for this agent appear (after a reload too), and those
  // taken by someone else or passed on disappear.
  function syncWithQueue(queue) {
    const offeredToMe = new Map(queue.pending.filter((row) => row.offered_to_me)
      .map((row) => [row.conversation_id, row]));
    const mine = new Set(queue.mine.map((row) => row.conversation_id));
    for (const [id, offer] of offers) {
      const stillOpen = offer.transferred_by ? mine.has(id) : offeredToMe.has(id);
      if (!stillOpen) offers.delete(id);
    }
    for (const [id, row] of offeredToMe) {
      if (!offers.has(id)) {
        offers.set(id, { conversation_id: id, title: row.title, reason_text: row.reason_text, summary: row.summary });
      }
    }
    render();
  }

  function take(offer) {
    // A transferred conversation is owned already; an offered one is claimed first, so that it
    // is shown as the agent's own.
    if (!offer.transferred_by) transmit({ type: "claim", conversation_id: offer.conversation_id });
    transmit({ type: "open", conversation_id: offer.conversation_id });
    remove(offer.conversation_id);
  }

  function decline(offer) {
    if (!offer.transferred_by) transmit({ type: "decline", conversation_id: offer.conversation_id });
    remove(offer.conversation_id);
  }

  function card(offer) {
    const item = element("li", "offer");
    item.dataset.conversationId = offer.conversation_id;
    const heading = offer.transferred_by
      ? interpolate(gettext("%s transferred a conversation to you"), [offer.transferred_by])
      : gettext("A conversation is offered to you");
    item.append(element("strong", "offer-heading", heading),
      element("span", "offer-title", offer.title || gettext("Conversation")));
    if (offer.reason_text) item.append(element("span", "offer-reason", offer.reason_text));
    const actions = element("span", "offer-actions");
    const open = element("button", "", gettext("Open"));
    open.type = "button";
    open.addEventListener("click", () => take(offer));
    const no = element("button", "secondary", offer.transferred_by ? gettext("Dismiss") : gettext("Decline"));
    no.type = "button";
    no.addEventListener("click", () => decline(offer));
    actions.append(open, no);
    item.append(actions);
    return item;
  }

  function render() {
    list.replaceChildren(...[...offers.values()].map(card));
    list.hidden = offers.size === 0;
  }

  // Offers waiting to be taken count as news in the tab title.
  function count() {
    return [...offers.values()].filter((offer) => !offer.transferred_by).length;
  }

  return { add, remove, syncWithQueue, count };
};
