"""Vietnamese text helpers."""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """Fold Vietnamese text for matching: drop tone and vowel marks, đ→d, casefold.

    Accepts NFC or NFD input: "Vải thiều Lục Ngạn", "VAI THIEU luc ngan" and
    "Vải thiều" typed with combining marks all fold to the same string.
    """
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    stripped = stripped.replace("đ", "d").replace("Đ", "D")
    return " ".join(stripped.casefold().split())
