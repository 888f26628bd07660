"""Identity verification (as in Intercom's): the host site signs its signed-in user's id, email and
name with SUPPORTBOT_WIDGET_SECRET (HMAC-SHA256); the widget passes them on, and only a claim whose
signature matches names the visitor. Unsigned or forged claims are ignored: the visitor stays
anonymous. docs/widget.md shows the host's side."""

from __future__ import annotations

import hashlib
import hmac
import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone

from supportbot.chat.models import Conversation
from supportbot.widget.models import VerifiedVisitor

log = logging.getLogger(__name__)

# Names the visitor id of a verified host user (uuid5 of their user id); the cookie holding it
# is signed with SECRET_KEY, so knowing the id gives nobody the identity.
VERIFIED_VISITOR_NAMESPACE = uuid.UUID("3d1f6b52-9c0e-4a8b-b7a2-52e4f0c9d6a1")
MAX_USER_ID_CHARS = 255
MAX_NAME_CHARS = 150


@dataclass(frozen=True)
class VisitorClaim:
    user_id: str
    email: str
    name: str


def signed_message(user_id: str, email: str = "", name: str = "") -> bytes:
    """What the host signs: the three fields joined by newlines. Neither the user id nor the email
    may hold a newline, so no two claims share a message."""
    return f"{user_id}\n{email}\n{name}".encode()


def signature(secret: str, user_id: str, email: str = "", name: str = "") -> str:
    """The hex HMAC-SHA256 a host puts in data-signature (its servers compute it, never the page)."""
    return hmac.new(secret.encode(), signed_message(user_id, email, name), hashlib.sha256).hexdigest()


def verified_claim(params: Mapping[str, str]) -> VisitorClaim | None:
    """The claim in user_id, email, name and signature if the signature is the secret's; None for
    no claim, a forged or altered one, or when no secret is configured."""
    user_id, given = params.get("user_id", ""), params.get("signature", "")
    email, name = params.get("email", ""), params.get("name", "")
    if not (settings.WIDGET_SECRET and user_id and given):
        return None
    expected = signature(settings.WIDGET_SECRET, user_id, email, name)
    if not hmac.compare_digest(expected.encode(), given.strip().lower().encode()):
        log.info("widget identity claim with a wrong signature ignored")
        return None
    if len(user_id) > MAX_USER_ID_CHARS or "\n" in user_id or not _valid_email(email):
        log.warning("a signed widget identity claim is malformed (user id or email); ignored")
        return None
    return VisitorClaim(user_id, email, " ".join(name.split())[:MAX_NAME_CHARS])


def _valid_email(email: str) -> bool:
    if not email:
        return True
    try:
        validate_email(email)
    except ValidationError:
        return False
    return True


def verified_visitor_id(user_id: str) -> uuid.UUID:
    return uuid.uuid5(VERIFIED_VISITOR_NAMESPACE, user_id)


def widget_visitor(current: uuid.UUID | None, claim: VisitorClaim | None) -> uuid.UUID | None:
    """Who the widget's visitor is: the verified user of a valid claim (remembered, and named on
    their conversations); else the anonymous visitor of the cookie. A cookie of a verified user
    without a valid claim (they signed out on the host, or the claim was forged) is dropped: None,
    a new anonymous visitor, so the next person at that browser never sees their conversations."""
    if claim is not None:
        return remember(claim)
    if current is not None and VerifiedVisitor.objects.filter(visitor_id=current).exists():
        return None
    return current


def remember(claim: VisitorClaim) -> uuid.UUID:
    visitor_id = verified_visitor_id(claim.user_id)
    VerifiedVisitor.objects.update_or_create(
        user_id=claim.user_id,
        defaults={"visitor_id": visitor_id, "name": claim.name, "email": claim.email, "verified_at": timezone.now()},
    )
    name_conversations(Conversation.objects.filter(visitor_id=visitor_id), claim.name, claim.email)
    return visitor_id


def name_conversations(conversations: Any, name: str, email: str) -> None:
    """The verified name on every conversation; the verified email where the visitor left none of
    their own (agents.email_later writes the address they asked to be answered at)."""
    if name:
        conversations.exclude(visitor_name=name).update(visitor_name=name)
    if email:
        conversations.filter(visitor_email="").update(visitor_email=email)


def name_new_conversation(sender: type, instance: Conversation, created: bool, **kwargs: Any) -> None:
    if not created:
        return
    verified = VerifiedVisitor.objects.filter(visitor_id=instance.visitor_id).first()
    if verified is not None:
        name_conversations(Conversation.objects.filter(pk=instance.pk), verified.name, verified.email)
