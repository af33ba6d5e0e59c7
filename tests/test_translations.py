"""Vietnamese is the default interface language: every catalogue complete and compiled."""

import gettext
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CATALOGUES = sorted(ROOT.glob("ocop/*/locale/vi/LC_MESSAGES/django.po"))


def test_there_are_catalogues():
    assert len(CATALOGUES) >= 4, CATALOGUES


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: p.parts[-5])
def test_catalogue_is_complete_and_compiled(po, tmp_path):
    text = po.read_text(encoding="utf-8")
    assert "#, fuzzy" not in text.split("msgid", 2)[-1], f"{po} has fuzzy entries"
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.fail("msgfmt not found: run `make system-deps` (installs gettext)")
    fresh = tmp_path / "fresh.mo"
    result = subprocess.run([msgfmt, "--check", "-o", str(fresh), str(po)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    # Untranslated entries: msgfmt --statistics reports them.
    stats = subprocess.run([msgfmt, "--statistics", "-o", "/dev/null", str(po)], capture_output=True, text=True)
    assert "untranslated" not in stats.stderr, f"{po}: {stats.stderr.strip()}"
    committed = po.with_suffix(".mo")
    assert committed.exists(), f"{committed} missing: run `make messages`"
    with fresh.open("rb") as a, committed.open("rb") as b:
        assert gettext.GNUTranslations(a)._catalog == gettext.GNUTranslations(b)._catalog, (
            f"{committed} is stale: run `make messages`"
        )
