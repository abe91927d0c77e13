"""Captions: find #hashtags and @mentions, and render a caption as safe HTML.

Parsing and rendering use the same patterns, so a link appears exactly where the service stored a
hashtag or mention. Everything that is not a hashtag or mention is escaped: a caption can never
inject markup.
"""

from __future__ import annotations

import re

from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from accounts.validators import RESERVED_USERNAMES

HASHTAG_MAX_LENGTH = 100
# A hashtag starts after a non-word character (so "a#b" and "&#39;" are not tags) and holds word
# characters in any script. Pure numbers ("#1") are not hashtags, as on Instagram.
HASHTAG_RE = re.compile(r"(?<![\w#&])#(\w+)")
# Usernames: letters, digits, "_" and ".", never ending with "." ("hi @bob." mentions bob). The
# look-behind keeps email addresses (bob@example.com) from counting as mentions.
MENTION_RE = re.compile(r"(?<![\w@.])@([A-Za-z0-9_](?:[A-Za-z0-9._]{0,28}[A-Za-z0-9_])?)(?![\w@])")
TOKEN_RE = re.compile(f"{HASHTAG_RE.pattern}|{MENTION_RE.pattern}")


def _valid_tag(name: str) -> bool:
    return len(name) <= HASHTAG_MAX_LENGTH and not name.isdigit()


def parse_hashtags(caption: str) -> list[str]:
    """Hashtag names in the caption, lower-case, without '#', first occurrence order, no repeats."""
    seen: dict[str, None] = {}
    for match in HASHTAG_RE.finditer(caption or ""):
        name = match.group(1).lower()
        if _valid_tag(name):
            seen.setdefault(name, None)
    return list(seen)


def parse_mentions(caption: str) -> list[str]:
    """Mentioned usernames, lower-case, first occurrence order, no repeats (not yet resolved)."""
    seen: dict[str, None] = {}
    for match in MENTION_RE.finditer(caption or ""):
        name = match.group(1).lower()
        if ".." not in name:
            seen.setdefault(name, None)
    return list(seen)


def render_caption(caption: str) -> SafeString:
    """The caption as HTML: hashtags and mentions become links, everything else is escaped.
    Line breaks are kept by CSS (white-space: pre-line), not by markup."""
    caption = caption or ""
    out: list[str] = []
    pos = 0
    for match in TOKEN_RE.finditer(caption):
        tag, username = match.group(1), match.group(2)
        if tag is not None and not _valid_tag(tag):
            continue
        if username is not None and (".." in username or username.lower() in RESERVED_USERNAMES):
            continue  # "@admin" is no one: never a link to /admin/
        out.append(escape(caption[pos : match.start()]))
        if tag is not None:
            url = reverse("hashtag", kwargs={"name": tag.lower()})
            out.append(format_html('<a class="caption__tag" href="{}">#{}</a>', url, tag))
        else:
            url = reverse("profile", kwargs={"username": username.lower()})
            out.append(format_html('<a class="caption__mention" href="{}">@{}</a>', url, username))
        pos = match.end()
    out.append(escape(caption[pos:]))
    return mark_safe("".join(out))  # noqa: S308 - every piece above is escaped or format_html
