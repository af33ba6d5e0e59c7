"""Making, revoking and checking API tokens (used by the token pages, the API's authentication and tests)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from ocop.api.models import ApiToken
from ocop.lib import clock

# Every token starts with this, so a secret scanner (or a person) recognises one pasted somewhere it should not be.
TOKEN_PREFIX = "ocop_"
# Characters of the token kept visible on the token pages: the fixed prefix and 8 random characters.
VISIBLE = len(TOKEN_PREFIX) + 8
# A user keeps at most this many usable tokens: one per partner system is the expected use.
MAX_TOKENS_PER_USER = 20
# last_used_at is written at most this often per token, so reading the API does not write on every request.
LAST_USED_RESOLUTION = dt.timedelta(minutes=5)


class TokenRefused(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    secret: str  # the whole token, shown once


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


def may_use_tokens(user: Any, session_verified: bool) -> bool:
    """Whether `user` may make or revoke tokens now: staff roles must have passed their second factor.

    A token is a long-lived credential; making one must not be easier than signing in.
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return session_verified or not user.needs_second_factor


@transaction.atomic
def create_token(user: Any, name: str, *, expires_at: dt.datetime | None = None) -> NewToken:
    name = (name or "").strip()
    if not name:
        raise TokenRefused(_("Give the token a name, e.g. the system that will use it."))
    if expires_at is not None and expires_at <= clock.now():
        raise TokenRefused(_("The expiry must be in the future."))
    if ApiToken.objects.filter(user=user).usable().count() >= MAX_TOKENS_PER_USER:
        raise TokenRefused(
            _("You already have %(count)d active tokens: revoke one you no longer use.")
            % {"count": MAX_TOKENS_PER_USER}
        )
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name[:100], key_hash=hash_token(secret), prefix=secret[:VISIBLE], expires_at=expires_at
    )
    return NewToken(token=token, secret=secret)


def revoke_token(token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = clock.now()
        token.save(update_fields=["revoked_at"])
    return token


def authenticate(raw: str) -> ApiToken | None:
    """The usable token whose secret is `raw`, with its user; None for anything else (no reason given)."""
    raw = (raw or "").strip()
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    token = ApiToken.objects.usable().select_related("user").filter(key_hash=hash_token(raw)).first()
    if token is None:
        return None
    now = clock.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        # A plain UPDATE: the time of use is a counter, not a change to audit.
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
