"""How text becomes search words, on both sides: when a product is indexed and when a query is read.

Both sides go through `words()`, so whatever the folding does (drop tone and
vowel marks, đ→d, lower case, NFC or NFD input alike), an indexed word and a
typed word compare equal exactly when a reader would call them the same word.
"""

from __future__ import annotations

import re
import unicodedata

from ocop.lib.text import fold

# Anything that is not a letter or a digit separates words: the same rule as
# SQLite's unicode61 tokenizer, so a stored word is always one FTS5 token.
_SEPARATORS = re.compile(r"[\W_]+")
# "mì" and "mỳ", "kĩ" and "kỹ", "lí" and "lý", "quí" and "quý" are one word
# spelt two ways: a final y after consonants only (so "may", "tay", "thuy"
# keep theirs) is read as i on both sides.
# (After separators became spaces, a word boundary is a space or an end.)
_FINAL_Y = re.compile(r"\b([bcdghklmnprstvx]+|qu)y\b")
ALPHABET = "abcdefghijklmnopqrstuvwxyz"


def _ranges(codes: list[int]) -> str:
    """A regular-expression character class body for these code points, as ranges."""
    parts, start = [], None
    for i, code in enumerate(codes):
        if start is None:
            start = code
        if i + 1 == len(codes) or codes[i + 1] != code + 1:
            parts.append(f"{re.escape(chr(start))}-{re.escape(chr(code))}" if code > start else re.escape(chr(code)))
            start = None
    return "".join(parts)


# What ocop.lib.text.fold does character by character, done by the regular
# expression engine (indexing a catalogue folds megabytes of descriptions):
# the combining marks of the Basic Multilingual Plane dropped; text with
# characters beyond it takes the slow way.
_COMBINING = re.compile("[" + _ranges([c for c in range(0x10000) if unicodedata.combining(chr(c))]) + "]+")
_BEYOND_BMP = re.compile("[\U00010000-\U0010ffff]")


def fold_fast(text: str) -> str:
    """ocop.lib.text.fold, faster, with the same result."""
    if text.isascii():
        return " ".join(text.casefold().split())
    decomposed = unicodedata.normalize("NFD", text)
    if _BEYOND_BMP.search(decomposed):
        return fold(text)
    stripped = _COMBINING.sub("", decomposed).replace("đ", "d").replace("Đ", "D")
    return " ".join(stripped.casefold().split())


def words(text: str) -> list[str]:
    """The search words of `text`, in order: "Mỳ Chũ (Lục Ngạn)!" → ["mi", "chu", "luc", "ngan"]."""
    spaced = _SEPARATORS.sub(" ", fold_fast(text))
    return _FINAL_Y.sub(r"\1i", spaced).split()


def padded(parts: list[str]) -> str:
    """Words joined by single spaces, with a space at each end.

    The padding lets one `LIKE '% word %'` (or `'% prefix%'`) test a whole word
    anywhere in the column, the first and the last included.
    """
    joined = " ".join(parts)
    return f" {joined} " if joined else ""


def edits1(word: str) -> dict[str, int]:
    """Every string one edit away from `word`, with the kind of edit, likeliest first.

    0: two neighbours swapped ("thiue"), 1: a letter doubled or extra
    ("thieuu"), 2: a letter replaced, 3: a letter missing.
    """
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    found: dict[str, int] = {}
    for kind, made in enumerate(
        (
            (a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1),
            (a + b[1:] for a, b in splits if b),
            (a + c + b[1:] for a, b in splits if b for c in ALPHABET if c != b[0]),
            (a + c + b for a, b in splits for c in ALPHABET),
        )
    ):
        for candidate in made:
            if candidate and candidate != word:
                found.setdefault(candidate, kind)
    return found
