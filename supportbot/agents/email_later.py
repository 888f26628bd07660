""""Email me the answer instead": a waiting visitor leaves an address (stored on the conversation,
shown to agents), and every agent reply in that conversation is mailed to it by a Celery task
(agents.tasks.mail_agent_reply). The address is personal data: it is never logged or put in an
event."""

from __future__ import annotations

import logging
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from supportbot.agents import notify, waiting
from supportbot.chat import hooks
from supportbot.chat.models import Conversation, Message
from supportbot.events.log import record_event
from supportbot.events.models import Event

log = logging.getLogger(__name__)

MAX_ADDRESS_CHARS = 254  # RFC 5321's limit on a forward path
SUBJECT = gettext_lazy("Your answer from our support team")


class BadAddress(hooks.NotAllowed):
    code = "invalid_email"


def leave_email(conversation_id: uuid.UUID | str, address: str) -> None:
    """Store the address while people own the conversation (waiting or answering); the visitor's
    tabs confirm it and the consoles' queue shows it."""
    address = address.strip()
    try:
        if len(address) > MAX_ADDRESS_CHARS:
            raise ValidationError("too long")
        validate_email(address)
    except ValidationError:
        # Lazy: put in the visitor's language when the chat socket sends it.
        raise BadAddress(gettext_lazy("That does not look like an email address. Check it and try again.")) from None
    with transaction.atomic():
        conversation = Conversation.objects.select_for_update().get(pk=conversation_id)
        if conversation.status not in (Conversation.Status.PENDING, Conversation.Status.OPEN):
            raise hooks.NotAllowed(gettext_lazy("You can leave an email address while you wait for a person."))
        conversation.visitor_email = address
        conversation.save(update_fields=["visitor_email", "updated_at"])
        record_event(Event.Kind.AGENT_ACTION, conversation.id, action="email_left")
        notify.to_visitor(conversation.id, {"type": "email.saved", "email": address})
        waiting.tell_visitor(conversation)
        notify.queue_changed(conversation.id, conversation.status)


def mail_reply(message_id: int) -> bool:
    """Mail an agent's reply to the address its visitor left; True when mailed now. Idempotent
    (the task is acked late and may run twice): a reply already mailed is not mailed again."""
    message = Message.objects.select_related("conversation").filter(pk=message_id, role=Message.Role.AGENT).first()
    if message is None or not message.conversation.visitor_email:
        return False
    already = Event.objects.filter(
        kind=Event.Kind.AGENT_ACTION, conversation_id=message.conversation_id,
        data__action="reply_mailed", data__message=message.id,
    )
    if already.exists():
        return False
    with translation.override(message.conversation.visitor_language()):
        subject, body = str(SUBJECT), _body(message)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [message.conversation.visitor_email])
    record_event(Event.Kind.AGENT_ACTION, message.conversation_id, action="reply_mailed", message=message.id)
    log.info("agent reply %s mailed to its visitor", message.id)
    return True


def _body(message: Message) -> str:
    who = message.author_name or _("A support agent")
    return "%s\n\n%s\n\n%s" % (
        _("%(who)s answered you:") % {"who": who},
        message.text,
        _("Open the chat page again to go on with the conversation; the answer is there too."),
    )
