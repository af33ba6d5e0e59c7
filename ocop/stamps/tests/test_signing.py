"""Signed stamps: keys at rest, rotation, the published key set, offline and server-side verification."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import serialization
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import IntegrityError, transaction

from ocop.stamps import actions, codes, keys
from ocop.stamps.models import SigningKey
from ocop.stamps.tests.util import make_batch

ROOT = Path(django_settings.BASE_DIR)


def _key_set_file(tmp_path: Path) -> Path:
    path = tmp_path / "keys.json"
    path.write_text(json.dumps(keys.public_key_set()), encoding="utf-8")
    return path


def _first_uri(batch) -> str:
    return next(actions.printed_stamps(batch)).uri


def _changed(text: str, position: int) -> str:
    """`text` with the character at `position` replaced by another of the same kind."""
    old = text[position]
    pool = "0123456789" if old.isdigit() else "ABCDEFGHJKMNPQRSTVWXYZ"
    new = next(ch for ch in pool if ch != old)
    return text[:position] + new + text[position + 1 :]


def test_private_keys_are_encrypted_at_rest(world, settings):
    key = keys.create_key(world.bac_ninh)
    secret = keys.private_key(key)
    raw = secret.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    stored = bytes(key.private_key_encrypted)
    assert raw not in stored and len(stored) == 12 + 32 + 16
    public = secret.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    assert bytes(key.public_key) == public
    # Another secret, or the ciphertext moved to another key id, does not decrypt.
    settings.STAMP_KEY_SECRET = "x" * 64
    with pytest.raises(InvalidTag):
        keys.private_key(key)
    settings.STAMP_KEY_SECRET = ""
    with pytest.raises(InvalidTag):
        keys._decrypt(stored, "P99K1")


def test_one_active_key_per_province(world):
    first = keys.active_key(world.bac_ninh)
    assert first.kid == f"P{world.bac_ninh.code}K1"
    assert keys.active_key(world.bac_ninh) == first
    with pytest.raises(IntegrityError), transaction.atomic():
        SigningKey.objects.create(
            province=world.bac_ninh,
            kid="P99K9",
            public_key=b"x",
            private_key_encrypted=b"y",
            valid_from=first.valid_from,
        )
    assert keys.active_key(world.bac_ninh, create=False) == first


def test_rotation_keeps_old_signatures_valid_and_signs_new_batches_with_the_new_key(world, tmp_path):
    old_batch = make_batch(world.product_a, count=3, signed=True)
    old_key = old_batch.signing_key
    new_key = keys.rotate(world.bac_ninh)
    old_key.refresh_from_db()
    assert old_key.retired_at is not None and new_key.retired_at is None
    assert new_key.kid == f"P{world.bac_ninh.code}K2"
    new_batch = make_batch(world.product_a, count=3, signed=True)
    assert new_batch.signing_key == new_key
    published = codes.keys_from_jwks(keys.public_key_set())
    assert set(published) == {old_key.kid, new_key.kid}
    old_uri, new_uri = _first_uri(old_batch), _first_uri(new_batch)
    assert f"/K/{old_key.kid}/G/" in old_uri and f"/K/{new_key.kid}/G/" in new_uri
    assert codes.verify(old_uri, published).ok
    assert codes.verify(new_uri, published).ok
    # A reprint of the old batch is identical (Ed25519 is deterministic; the retired key still prints).
    assert _first_uri(old_batch) == old_uri
    # Without the old key in the set, its stamps cannot be verified.
    only_new = {new_key.kid: published[new_key.kid]}
    assert codes.verify(old_uri, only_new).reason == "unknown_key"


def test_each_province_signs_with_its_own_key(world):
    batch_a = make_batch(world.product_a, count=1, signed=True)
    batch_c = make_batch(world.product_c, count=1, signed=True)
    assert batch_a.signing_key.province == world.bac_ninh
    assert batch_c.signing_key.province == world.ha_noi
    published = codes.keys_from_jwks(keys.public_key_set())
    # A signature presented under the other province's key id does not verify.
    uri = _first_uri(batch_a).replace(f"/K/{batch_a.signing_key.kid}/", f"/K/{batch_c.signing_key.kid}/")
    assert codes.verify(uri, published).reason == "bad_signature"


def test_any_single_changed_character_fails(world):
    world.product_a.gtin = "8930000000019"
    world.product_a.save()
    batch = make_batch(world.product_a, count=2, signed=True, number="LUC-9")
    published = codes.keys_from_jwks(keys.public_key_set())
    uri = _first_uri(batch)
    assert codes.verify(uri, published).ok
    assert codes.verify(uri.lower(), published).ok  # case is not a change
    path_start = uri.index("/01/")
    changed = 0
    for position in range(path_start + 1, len(uri)):
        if uri[position] == "/":
            continue
        result = codes.verify(_changed(uri, position), published)
        assert not result.ok, (position, result.reason)
        changed += 1
    assert changed > 150
    # Unsigned codes are reported as such, never as valid.
    assert codes.verify(uri.split("/K/")[0], published).reason == "unsigned"


def test_unsigned_batches_carry_no_signature(world):
    batch = make_batch(world.product_a, count=1)
    assert batch.signing_key is None and "/K/" not in _first_uri(batch)


def test_verify_stamp_command_offline(world, tmp_path, capsys):
    batch = make_batch(world.product_a, count=1, signed=True)
    keyset = _key_set_file(tmp_path)
    uri = _first_uri(batch)
    with pytest.raises(SystemExit) as exit_code:
        call_command("verify_stamp", uri, "--keys", str(keyset))
    assert exit_code.value.code == 0
    assert "VALID" in capsys.readouterr().out
    forged = _changed(uri, len(uri) - 30)
    with pytest.raises(SystemExit) as exit_code:
        call_command("verify_stamp", forged, "--keys", str(keyset))
    assert exit_code.value.code == 1
    assert "forged or altered" in capsys.readouterr().err


def test_verify_stamp_command_needs_no_database(world, tmp_path):
    """Run as a separate process pointed at a database that does not exist: it must not notice."""
    batch = make_batch(world.product_a, count=1, signed=True)
    keyset = _key_set_file(tmp_path)
    uri = _first_uri(batch)
    env = {
        "PATH": "/usr/bin:/bin",
        "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none",
        "OCOP_DATA_DIR": str(tmp_path / "data"),
    }

    def run(text: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), "verify_stamp", text, "--keys", str(keyset)],
            capture_output=True,
            text=True,
            env=env,
            cwd=ROOT,
            timeout=60,
        )

    good = run(uri)
    assert good.returncode == 0, good.stderr
    assert "VALID" in good.stdout
    bad = run(_changed(uri, len(uri) - 1))
    assert bad.returncode == 1
    assert "INVALID" in bad.stderr
    assert run("not a stamp").returncode == 1


def test_unreadable_key_set_is_a_clear_error(tmp_path):
    from django.core.management.base import CommandError

    missing = tmp_path / "none.json"
    with pytest.raises(CommandError, match="cannot read the key set"):
        call_command("verify_stamp", "x", "--keys", str(missing))
