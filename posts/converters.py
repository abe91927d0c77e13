"""URL converter for hashtag names: anything that can never be a stored hashtag is a 404 before any
view or query runs (a NUL byte, for one, makes PostgreSQL raise instead of finding nothing)."""

from __future__ import annotations

import unicodedata

from .text import HASHTAG_MAX_LENGTH


def is_hashtag_name(value: str) -> bool:
    """True when `value` (any case) could be a stored hashtag name: 1–HASHTAG_MAX_LENGTH word
    characters (what `posts.text.HASHTAG_RE` captures, in any script), not only digits. Combining
    marks are allowed because lower-casing can add them ("İ".lower() is "i" + U+0307), and stored
    names are lower-cased."""
    name = value.lower()
    if not 0 < len(name) <= HASHTAG_MAX_LENGTH or name.isdigit():
        return False
    return all(ch.isalnum() or ch == "_" or unicodedata.category(ch) in ("Mn", "Mc") for ch in name)


class HashtagConverter:
    regex = r"[^/]+"

    def to_python(self, value: str) -> str:
        if not is_hashtag_name(value):
            raise ValueError("not a hashtag")
        return value.lower()

    def to_url(self, value: str) -> str:
        return value
