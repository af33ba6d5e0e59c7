"""Serials, the URI grammar and the QR sizes it gives."""

from __future__ import annotations

import random
import secrets

import pytest
import segno

from ocop.stamps import codes, qr

BASE = "HTTPS://OCOP.EXAMPLE.GOV.VN"
GTIN14 = "08930000000019"


def test_serials_are_unique_random_crockford():
    serials = codes.new_serials(100_000)
    assert len(set(serials)) == 100_000
    assert all(len(s) == 20 and codes.SERIAL_RE.fullmatch(s) for s in serials)
    used = set("".join(serials))
    assert used <= set(codes.CROCKFORD)
    assert not used & set("ILOU")  # no characters that read like digits
    assert len(used) == 32
    # Not sequential: consecutive serials are neither ordered nor a fixed step apart.
    values = [codes.decode_int(s) for s in serials[:1000]]
    steps = {b - a for a, b in zip(values, values[1:], strict=False)}
    assert len(steps) > 990
    assert values != sorted(values)
    # Every one of the 100 bits is used about half the time (12 standard deviations of slack).
    for bit in range(100):
        share = sum((v >> bit) & 1 for v in values) / len(values)
        assert 0.35 < share < 0.65, bit


def test_single_serial_and_typed_serials():
    serial = codes.new_serial()
    assert codes.SERIAL_RE.fullmatch(serial)
    assert serial != codes.new_serial()
    assert codes.normalise_serial(serial.lower()) == serial
    assert codes.normalise_serial("O1IL-" + "A" * 16) == "0111" + "A" * 16
    assert codes.normalise_serial("too short") is None
    assert codes.normalise_serial("U" * 20) is None


def test_uri_forms_parse_back():
    serial = codes.new_serial()
    gs1 = codes.stamp_uri(BASE, codes.identity(serial, GTIN14, "LUC-2026.1"))
    assert gs1 == f"{BASE}/01/{GTIN14}/10/LUC-2026.1/21/{serial}"
    parsed = codes.parse(gs1)
    assert (parsed.gtin, parsed.lot, parsed.serial, parsed.is_signed) == (GTIN14, "LUC-2026.1", serial, False)
    assert parsed.base == BASE
    short = codes.stamp_uri("https://ocop.example.gov.vn/", codes.identity(serial))
    assert short == f"{BASE}/S/{serial}"
    assert codes.parse(short).identity == f"S/{serial}"
    # Case-insensitive, with or without host, ignoring what scanner apps append.
    assert codes.parse(short.lower()).serial == serial
    assert codes.parse(f"/s/{serial.lower()}").serial == serial
    assert codes.parse(f"s/{serial}").serial == serial
    assert codes.parse(f"{short}?utm_source=x#top").serial == serial
    assert codes.parse(f"https://host.vn/prefix/S/{serial}").base == "HTTPS://HOST.VN/PREFIX"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "junk",
        None,
        f"{BASE}/S/ABC",
        f"{BASE}/S/{'A' * 21}",
        f"{BASE}/S/{'I' * 20}",  # not in Crockford's alphabet
        f"{BASE}/01/08930000000018/10/L1/21/{'A' * 20}",  # wrong GTIN check digit
        f"{BASE}/01/{GTIN14}/10/_LOT/21/{'A' * 20}",
        f"{BASE}/01/{GTIN14}/10/{'L' * 21}/21/{'A' * 20}",
        f"{BASE}/S/{'A' * 20}/K/P24K1/G/{'Z' * 103}",  # padding bits set: not a canonical signature
        f"{BASE}/S/{'A' * 20}/K/P24K1/G/{'0' * 102}",
        f"{BASE}/S/{'A' * 20}/X/Y",
        "x" * 600,
    ],
)
def test_malformed_codes_are_refused_without_error(text):
    assert codes.parse(text) is None
    assert codes.verify(text, {}).reason == "malformed"


def test_signature_encoding_round_trip():
    for _ in range(50):
        raw = secrets.token_bytes(64)
        text = codes.encode_signature(raw)
        assert len(text) == 103 and text[0] in "0123"
        assert codes.decode_signature(text) == raw


def test_uris_stay_in_the_alphanumeric_mode_and_sizes_are_as_documented():
    serial = codes.new_serial()
    sig = secrets.token_bytes(64)
    cases = {
        "short": (codes.stamp_uri(BASE, codes.identity(serial)), 3),
        "gs1": (codes.stamp_uri(BASE, codes.identity(serial, GTIN14, "LUC-2026-001")), 4),
        "short signed": (codes.stamp_uri(BASE, codes.identity(serial), "P24K1", sig), 7),
        "gs1 signed": (codes.stamp_uri(BASE, codes.identity(serial, GTIN14, "LUC-2026-001"), "P24K1", sig), 8),
    }
    for name, (uri, version) in cases.items():
        code = segno.make(uri, error="M", micro=False, boost_error=False)
        assert code.mode == "alphanumeric", name
        assert code.version == version, name
        assert qr.version(uri) == version


def test_fast_matrix_is_segno_module_for_module():
    rng = random.Random(26)
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
    texts = []
    for _ in range(40):
        serial = codes.new_serial()
        sig = secrets.token_bytes(64)
        texts += [
            codes.stamp_uri(BASE, codes.identity(serial, GTIN14, "LUC-2026-001")),
            codes.stamp_uri("HTTP://LOCALHOST:8000", codes.identity(serial)),
            codes.stamp_uri(BASE, codes.identity(serial, GTIN14, "A"), "P24K12", sig),
            "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 300))),
        ]
    texts += ["lower case goes to segno", "12345", "A"]
    for error in "LMQH":
        for text in texts:
            expected = [bytes(row) for row in segno.make(text, error=error, micro=False, boost_error=False).matrix]
            assert qr.matrix(text, error) == expected, (error, text)


def test_repeated_draws_are_drawn_again(monkeypatch):
    calls = []

    def token_bytes(n):
        calls.append(n)
        return bytes(n) if len(calls) == 1 else secrets.SystemRandom().randbytes(n)

    monkeypatch.setattr(codes.secrets, "token_bytes", token_bytes)
    serials = codes.new_serials(4)
    assert serials[0] == "0" * 20
    assert len(set(serials)) == 4 and len(calls) == 2
