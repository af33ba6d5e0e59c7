"""Set the Vietnamese rendering of one msgid in an app's catalogue: po_set.py APP MSGID MSGSTR."""

import re
import sys
from pathlib import Path

app, msgid, msgstr = sys.argv[1:4]
po = Path(__file__).resolve().parent.parent / "ocop" / app / "locale" / "vi" / "LC_MESSAGES" / "django.po"
text = po.read_text(encoding="utf-8")
escaped = msgid.replace("\\", "\\\\").replace('"', '\\"')
pattern = re.compile(r'(\nmsgid "' + re.escape(escaped) + r'"\nmsgstr )"(?:[^"\\]|\\.)*"(\n(?:"(?:[^"\\]|\\.)*"\n)*)?')
new, count = pattern.subn(lambda m: m.group(1) + '"' + msgstr.replace('"', '\\"') + '"\n', text)
if count != 1:
    sys.exit(f"{app}: {msgid!r} found {count} times")
po.write_text(new, encoding="utf-8")
