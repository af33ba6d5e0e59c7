"""What a stamp's QR code says: serials, the URI grammar, and the signature of signed stamps.

This module needs no database and no network: the scan page, the PDF and CSV
writers, the offline `verify_stamp` command and the tests all use it. Nothing
else builds or parses a stamp URI.

Serials
-------
20 characters of Crockford base32 (``0-9 A-Z`` without ``I L O U``) holding 100
bits from `secrets`: unguessable (finding one valid serial among ten million
issued takes about 2^77 guesses) and never sequential. Crockford's alphabet
has no letters that read like digits, and every character belongs to the QR
code's alphanumeric mode (5.5 bits per character instead of 8).

URI grammar
-----------
Printed in upper case, so the whole URI is in the QR alphanumeric mode
(``0-9 A-Z space $ % * + - . / :``); a resolver matches it case-insensitively
(scheme and host are case-insensitive anyway)::

    stamp-uri  = base "/" identity [ "/K/" kid "/G/" signature ]
    identity   = "01/" gtin14 "/10/" lot "/21/" serial     ; GS1 Digital Link, product with a GTIN
               / "S/" serial                               ; short form, product without a GTIN
    base       = settings.SITE_URL in upper case, e.g. "HTTPS://OCOP.EXAMPLE.GOV.VN"
    gtin14     = 14 DIGIT                                  ; registry.validators.gtin14(), check digit valid
    lot        = 1*20 ( DIGIT / A-Z / "-" / "." )          ; traceability.models.LOT_NUMBER_RE
    serial     = 20 CROCKFORD
    kid        = 1*16 ( DIGIT / A-Z )                      ; SigningKey.kid, e.g. "P24K1"
    signature  = 103 CROCKFORD                             ; Ed25519, 64 bytes big-endian, 3 leading zero bits

e.g. ``HTTPS://OCOP.EXAMPLE.GOV.VN/01/08930000000014/10/LUC-2026-001/21/4KQ7M2X9ZC8TRW5HJ3NB``
and ``HTTPS://OCOP.EXAMPLE.GOV.VN/S/4KQ7M2X9ZC8TRW5HJ3NB/K/P24K1/G/1Y…`` (signed).

The signature is a path suffix rather than a query parameter because ``?``
and ``=`` are not in the alphanumeric mode: a query string would push the
whole code into byte mode, about three QR versions larger. The price is that a
generic GS1 Digital Link resolver does not know the suffix; ours does (and the
unsigned identity before it is plain Digital Link).

Signed stamps
-------------
The province's Ed25519 key signs the ASCII bytes of ``"OCOPSTAMP1/" + kid + "/" +
identity`` (identity in upper case, no scheme or host). The host is left out
on purpose: printed stamps stay valid if the platform moves to another domain
and any mirror can verify them; a genuine code copied under a look-alike host
is a copy, which the scan log catches, not a forgery. The key id is inside the
message so a signature cannot be presented under another province's key.
Verification needs only the published public keys
(``/.well-known/ocop-stamp-keys.json``): `verify()` here, `verify_stamp`
offline, ``static/stamps/verify.js`` in the browser.

Size cost (QR versions at error correction level M, measured with segno for
the base ``HTTPS://OCOP.EXAMPLE.GOV.VN``)::

    short form, unsigned        /S/{serial}                    version 3 (29×29 modules)
    GS1 Digital Link, unsigned  /01/…/10/{lot}/21/{serial}     version 4 (33×33)
    short form, signed          + /K/{kid}/G/{signature}       version 7 (45×45)
    GS1 Digital Link, signed                                    version 8 (49×49)

A signed stamp needs about 2.2 times the modules of an unsigned one: at the
same module size, a 15 mm unsigned code becomes a 22 mm signed one.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_DECODE = {ch: i for i, ch in enumerate(CROCKFORD)}
SERIAL_BITS = 100
SERIAL_LENGTH = 20
SIGNATURE_LENGTH = 103  # ceil(512 / 5)
MESSAGE_PREFIX = "OCOPSTAMP1/"

_C = "[0-9A-HJKMNP-TV-Z]"
SERIAL_RE = re.compile(f"{_C}{{{SERIAL_LENGTH}}}")
KID_RE = re.compile(r"[0-9A-Z]{1,16}")
_SERIAL = f"{_C}{{{SERIAL_LENGTH}}}"
_URI_RE = re.compile(
    r"^(?:(?P<base>[A-Z][A-Z0-9+.-]*://[^/]+(?:/[^/]+)*?))?/?"
    r"(?P<identity>"
    rf"01/(?P<gtin>\d{{14}})/10/(?P<lot>[0-9A-Z][0-9A-Z.-]{{0,19}})/21/(?P<serial>{_SERIAL})"
    rf"|S/(?P<short>{_SERIAL})"
    r")"
    rf"(?:/K/(?P<kid>[0-9A-Z]{{1,16}})/G/(?P<sig>{_C}{{{SIGNATURE_LENGTH}}}))?"
    r"/?$"
)


# --- Base32 ---------------------------------------------------------------------------------
def encode_int(value: int, length: int) -> str:
    """`value` as exactly `length` Crockford characters, most significant first."""
    chars = []
    for _ in range(length):
        chars.append(CROCKFORD[value & 31])
        value >>= 5
    if value:
        raise ValueError("value does not fit")
    return "".join(reversed(chars))


def decode_int(text: str) -> int:
    """Strict decoding: only the canonical upper-case alphabet (no I/L/O aliases)."""
    value = 0
    for ch in text:
        value = (value << 5) | _DECODE[ch]
    return value


def encode_signature(signature: bytes) -> str:
    return encode_int(int.from_bytes(signature, "big"), SIGNATURE_LENGTH)


def decode_signature(text: str) -> bytes | None:
    value = decode_int(text)
    if value >> 512:
        return None  # a non-canonical encoding: the three padding bits must be zero
    return value.to_bytes(64, "big")


# --- Serials --------------------------------------------------------------------------------
def new_serial() -> str:
    return encode_int(secrets.randbits(SERIAL_BITS), SERIAL_LENGTH)


_FROM_RFC4648 = bytes.maketrans(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", CROCKFORD.encode("ascii"))


def new_serials(count: int) -> list[str]:
    """`count` distinct fresh serials, drawn in bulk.

    The random bytes come from the operating system's generator (as
    `secrets.randbits` does) and are encoded by the C base32 encoder, whose
    alphabet is then mapped onto Crockford's: a third of the time of drawing
    them one by one. 25 bytes make exactly two serials.
    """
    out: list[str] = []
    seen: set[str] = set()
    while len(out) < count:
        wanted = count - len(out)
        pairs = (wanted + 1) // 2
        text = base64.b32encode(secrets.token_bytes(25 * pairs)).translate(_FROM_RFC4648).decode("ascii")
        fresh = [text[i : i + SERIAL_LENGTH] for i in range(0, SERIAL_LENGTH * wanted, SERIAL_LENGTH)]
        if not out and len(set(fresh)) == len(fresh):
            return fresh
        # A collision of 100-bit values: keep the distinct ones and draw the rest.
        for serial in fresh:
            if serial not in seen:
                seen.add(serial)
                out.append(serial)
    return out


def normalise_serial(text: str) -> str | None:
    """A serial typed by a person, in canonical form, or None when it cannot be one.

    Case is ignored and Crockford's look-alikes are mapped (O→0, I/L→1); a
    QR code never needs this, a person reading a damaged stamp aloud might.
    """
    value = re.sub(r"[\s-]", "", text or "").upper().translate(str.maketrans("OIL", "011"))
    return value if SERIAL_RE.fullmatch(value) else None


# --- URIs -----------------------------------------------------------------------------------
def identity(serial: str, gtin14: str = "", lot: str = "") -> str:
    """The identity path of a stamp (no host): Digital Link when the product has a GTIN."""
    if gtin14:
        return f"01/{gtin14}/10/{lot}/21/{serial}".upper()
    return f"S/{serial}".upper()


def stamp_uri(base: str, ident: str, kid: str = "", signature: bytes | None = None) -> str:
    uri = f"{base.rstrip('/')}/{ident}"
    if signature is not None:
        uri += f"/K/{kid}/G/{encode_signature(signature)}"
    return uri.upper()


def signed_message(kid: str, ident: str) -> bytes:
    return f"{MESSAGE_PREFIX}{kid.upper()}/{ident.upper()}".encode("ascii")


@dataclass(frozen=True)
class ParsedStamp:
    identity: str
    serial: str
    gtin: str = ""
    lot: str = ""
    kid: str = ""
    signature: bytes | None = None
    base: str = ""

    @property
    def is_signed(self) -> bool:
        return self.signature is not None


def parse(text: str) -> ParsedStamp | None:
    """Parse a scanned stamp (a full URI, or a path with or without its leading "/"); None when malformed.

    Case-insensitive; a query string or fragment a scanner app may add is
    ignored. Never raises on any input.
    """
    if not isinstance(text, str) or len(text) > 512:
        return None
    text = text.strip().split("#", 1)[0].split("?", 1)[0].upper()
    match = _URI_RE.match(text)
    if not match:
        return None
    if match["gtin"] and not _gtin_ok(match["gtin"]):
        return None
    signature = None
    if match["sig"]:
        signature = decode_signature(match["sig"])
        if signature is None:
            return None
    return ParsedStamp(
        identity=match["identity"],
        serial=match["serial"] or match["short"],
        gtin=match["gtin"] or "",
        lot=match["lot"] or "",
        kid=match["kid"] or "",
        signature=signature,
        base=match["base"] or "",
    )


def _gtin_ok(gtin: str) -> bool:
    from ocop.registry.validators import gtin_check_digit

    return gtin_check_digit(gtin[:-1]) == int(gtin[-1])


# --- Published keys and verification --------------------------------------------------------
def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class PublicKey:
    kid: str
    province: str
    public_key: bytes
    valid_from: dt.datetime | None = None
    valid_to: dt.datetime | None = None


def keys_from_jwks(document: Mapping[str, Any] | str | bytes) -> dict[str, PublicKey]:
    """The keys of a published key set (see keys.public_key_set()), by key id."""
    if isinstance(document, str | bytes):
        document = json.loads(document)
    keys: dict[str, PublicKey] = {}
    for item in document.get("keys", []):
        if item.get("kty") != "OKP" or item.get("crv") != "Ed25519":
            continue
        keys[str(item["kid"]).upper()] = PublicKey(
            kid=str(item["kid"]).upper(),
            province=str(item.get("province", "")),
            public_key=b64url_decode(item["x"]),
            valid_from=_when(item.get("valid_from")),
            valid_to=_when(item.get("valid_to")),
        )
    return keys


def _when(value: Any) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


@dataclass(frozen=True)
class Verification:
    ok: bool
    reason: str  # "valid", "malformed", "unsigned", "unknown_key", "bad_signature"
    stamp: ParsedStamp | None = None
    key: PublicKey | None = None


def verify(text_or_stamp: str | ParsedStamp, keys: Mapping[str, PublicKey] | Iterable[PublicKey]) -> Verification:
    """Check the signature of a scanned stamp against published public keys. No database, no network.

    A retired key still verifies what it signed: retirement only stops it
    signing new batches.
    """
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    stamp = parse(text_or_stamp) if isinstance(text_or_stamp, str) else text_or_stamp
    if stamp is None:
        return Verification(False, "malformed")
    if not stamp.is_signed:
        return Verification(False, "unsigned", stamp)
    by_kid = keys if isinstance(keys, Mapping) else {k.kid: k for k in keys}
    key = by_kid.get(stamp.kid)
    if key is None:
        return Verification(False, "unknown_key", stamp)
    try:
        Ed25519PublicKey.from_public_bytes(key.public_key).verify(
            stamp.signature, signed_message(stamp.kid, stamp.identity)
        )
    except (InvalidSignature, ValueError):
        return Verification(False, "bad_signature", stamp, key)
    return Verification(True, "valid", stamp, key)
