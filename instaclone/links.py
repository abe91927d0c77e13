"""`link(name, *args)`: reverse() for the URLs a page builds by the hundred, at a fraction of the cost.

A feed page of 12 cards builds ~170 URLs (the post, like/unlike, save, comments, likers, delete …).
Django's reverse() walks the route's candidate patterns and re-checks every argument against its
converter on each call — about 20 µs each on the benchmark machine, 10% of the feed's CPU
(bench/RESULTS.md). For routes whose arguments are all integer ids, the URL is a fixed string with the
ids in fixed places, so `link()` asks reverse() once per route (with placeholder ids), keeps the
result as a format string and fills in the ids afterwards (~1 µs).

Arguments are integer ids or plain words (letters, digits, `.`, `_`, `-`, `~`: usernames), which
need no quoting, so the result is what reverse() returns; anything else (and "." or "..", which
reverse() escapes) goes to reverse() itself. Instaclone is served at the root of its host (no
FORCE_SCRIPT_NAME or per-request urlconf; reading those two context-locals alone costs more than
formatting the string), so the memo is keyed by route name; it is forgotten when ROOT_URLCONF or
FORCE_SCRIPT_NAME changes (tests override them).
"""

from __future__ import annotations

import re

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import reverse

_PLACEHOLDER = 9_000_000_000_000_000_000  # > any id: appears in a reversed URL only where an argument goes
_formats: dict[tuple, str] = {}


def _format(name: str, arity: int) -> str:
    key = (name, arity)
    fmt = _formats.get(key)
    if fmt is None:
        placeholders = [str(_PLACEHOLDER + i) for i in range(arity)]
        url = reverse(name, args=placeholders).replace("{", "{{").replace("}", "}}")
        for i, placeholder in enumerate(placeholders):
            if url.count(placeholder) != 1:  # a route that repeats or drops an argument: not ours to speed up
                raise ValueError(f"link(): route {name!r} does not place each argument once")
            url = url.replace(placeholder, f"{{{i}}}")
        fmt = _formats[key] = url
    return fmt


_PLAIN = re.compile(r"[A-Za-z0-9._~-]+")


def link(name: str, *args: int | str) -> str:
    """The URL of route `name` for `args` (what `reverse(name, args=args)` returns)."""
    for value in args:
        if type(value) is int:
            continue
        # isinstance: a word written in a template ({% include … with kind="comment" %}) is a SafeString
        if not isinstance(value, str) or not _PLAIN.fullmatch(value) or value in (".", ".."):
            return reverse(name, args=args)
    return _format(name, len(args)).format(*args)


@receiver(setting_changed)
def _forget(*, setting, **kwargs):
    if setting in ("ROOT_URLCONF", "FORCE_SCRIPT_NAME"):
        _formats.clear()
