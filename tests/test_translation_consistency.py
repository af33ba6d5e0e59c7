"""One English phrase, one Vietnamese rendering across the whole interface.

Django merges every app's catalogue into one; when two apps translate the same
msgid differently, whichever loads first wins everywhere — e.g. the audit
action "Verified" (chain checked) would label a verified producer. Ambiguous
words must carry a context (pgettext).
"""

import gettext
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_no_msgid_is_translated_two_ways():
    seen: dict[str, tuple[str, str]] = {}
    clashes = []
    for mo in sorted(ROOT.glob("ocop/*/locale/vi/LC_MESSAGES/django.mo")):
        app = mo.parts[-5]
        with mo.open("rb") as fh:
            catalog = gettext.GNUTranslations(fh)._catalog
        for msgid, msgstr in catalog.items():
            if not msgid or not isinstance(msgid, str):
                continue
            if msgid in seen and seen[msgid][1] != msgstr:
                clashes.append(f"{msgid!r}: {seen[msgid][0]}={seen[msgid][1]!r} vs {app}={msgstr!r}")
            seen.setdefault(msgid, (app, msgstr))
    assert not clashes, "\n".join(clashes)
