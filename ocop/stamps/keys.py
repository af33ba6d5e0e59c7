"""The provinces' stamp signing keys: creation, rotation, encryption at rest, publication.

Private keys are stored encrypted with AES-256-GCM. The encryption key is
derived (HKDF-SHA256) from `settings.STAMP_KEY_SECRET`, read from the file named
by the environment variable ``STAMP_KEY_SECRET_FILE``, or from SECRET_KEY when
that variable is not set. A separate file is the better choice on a server:
rotating SECRET_KEY (e.g. after a leak of sessions) would otherwise make every
province's private key unreadable, and a database dump alone never reveals a
key. The key id is bound into the ciphertext as associated data, so an
encrypted key copied onto another row does not decrypt. Private keys never
leave the server: no page, export or API returns them.

Rotation creates the province's next key and retires the current one in one
transaction. A retired key stays published (signatures it made still verify)
and keeps its encrypted private half so that batches it signed print again
identically; it never signs a new batch.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ocop.stamps import codes
from ocop.stamps.models import SigningKey

_INFO = b"ocop-stamp-signing-key-encryption/1"


def _wrapping_key() -> bytes:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    secret = getattr(settings, "STAMP_KEY_SECRET", "") or settings.SECRET_KEY
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(secret.encode("utf-8"))


def _encrypt(private_bytes: bytes, kid: str) -> bytes:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = os.urandom(12)
    return nonce + AESGCM(_wrapping_key()).encrypt(nonce, private_bytes, kid.encode("ascii"))


def _decrypt(blob: bytes, kid: str) -> bytes:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    blob = bytes(blob)
    return AESGCM(_wrapping_key()).decrypt(blob[:12], blob[12:], kid.encode("ascii"))


def private_key(key: SigningKey) -> Any:
    """The key's Ed25519PrivateKey, decrypted in memory for signing."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    return Ed25519PrivateKey.from_private_bytes(_decrypt(key.private_key_encrypted, key.kid))


def _next_kid(province: Any) -> str:
    # "P" + the province code + "K" + a sequence number: short, upper-case
    # alphanumeric (it is printed in every signed QR code) and readable.
    count = SigningKey.objects.filter(province=province).count()
    while True:
        count += 1
        kid = f"P{province.code}K{count}".upper()
        if not SigningKey.objects.filter(kid=kid).exists():
            return kid


def create_key(province: Any, *, by: Any = None) -> SigningKey:
    """Make the province's first (or next) key and retire the one in force. Audited through the model save."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    secret = Ed25519PrivateKey.generate()
    raw_private = secret.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    raw_public = secret.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    now = timezone.now()
    with transaction.atomic():
        for old in SigningKey.objects.select_for_update().filter(province=province, retired_at__isnull=True):
            old.retired_at = now
            old.save(update_fields=["retired_at"])
        kid = _next_kid(province)
        return SigningKey.objects.create(
            province=province,
            kid=kid,
            public_key=raw_public,
            private_key_encrypted=_encrypt(raw_private, kid),
            valid_from=now,
            created_by=by if getattr(by, "is_authenticated", False) else None,
        )


def rotate(province: Any, *, by: Any = None) -> SigningKey:
    return create_key(province, by=by)


def active_key(province: Any, *, create: bool = True, by: Any = None) -> SigningKey | None:
    """The province's key in force; the first one is made on first use when `create`."""
    key = SigningKey.objects.active().filter(province=province).first()
    if key is None and create:
        key = create_key(province, by=by)
    return key


def sign(key: SigningKey, ident: str, secret: Any = None) -> bytes:
    """The signature of a stamp identity (pass `secret` = private_key(key) when signing many)."""
    return (secret or private_key(key)).sign(codes.signed_message(key.kid, ident))


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def public_key_set() -> dict[str, Any]:
    """Every province's public keys, current and retired, as a JWKS-like document (RFC 8037 OKP keys)."""
    keys = SigningKey.objects.select_related("province").order_by("province__code", "valid_from")
    return {
        "issuer": "OCOP",
        "algorithm": "Ed25519",
        "message": f"{codes.MESSAGE_PREFIX}{{kid}}/{{identity}}",
        "keys": [
            {
                "kty": "OKP",
                "crv": "Ed25519",
                "alg": "EdDSA",
                "use": "sig",
                "kid": key.kid,
                "province": key.province.code,
                "province_name": key.province.name,
                "x": codes.b64url(bytes(key.public_key)),
                "valid_from": _iso(key.valid_from),
                "valid_to": _iso(key.retired_at),
                "status": "active" if key.retired_at is None else "retired",
            }
            for key in keys
        ],
    }
