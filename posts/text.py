"""Captions: find #hashtags and @mentions, and render a caption as safe HTML.

Parsing and rendering use the same patterns, so a link appears exactly where the service stored a
hashtag or mention. Everything that is not a hashtag or mention is escaped: a caption can never
inject markup.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from urllib.parse import quote

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import reverse
from django.utils.html import escape
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


# The two routes a caption links to, each as (before, after) its one argument: reverse() runs once
# per route, not once per link (a feed page renders dozens). What goes between is quoted as
# reverse() quotes it (a mention is ASCII letters, digits, "." and "_"; a tag's non-ASCII letters
# are percent-encoded). Like instaclone.links, this assumes the site is served at the root of its
# host, and it is forgotten when the urlconf changes (tests override it).
_PLACEHOLDER = "captionlinkplaceholder"
_SAFE = "!$&'()*+,;=/~:@"  # django.urls.resolvers: RFC3986_SUBDELIMS + "/~:@"
_routes: dict[str, tuple[str, str]] = {}


def _link(route: str, kwarg: str, value: str) -> str:
    """`reverse(route, kwargs={kwarg: value})` for the caption routes, at the cost of a quote()."""
    parts = _routes.get(route)
    if parts is None:
        before, found, after = reverse(route, kwargs={kwarg: _PLACEHOLDER}).partition(_PLACEHOLDER)
        if not found:
            raise ValueError(f"route {route!r} does not place its argument as given")
        parts = _routes[route] = (before, after)
    return f"{parts[0]}{quote(value, safe=_SAFE)}{parts[1]}"


@receiver(setting_changed)
def _forget_routes(*, setting, **kwargs):
    if setting in ("ROOT_URLCONF", "FORCE_SCRIPT_NAME"):
        _routes.clear()


def render_caption(caption: str, known: Collection[str] = frozenset()) -> SafeString:
    """The caption as HTML: hashtags and the mentions of `known` (lower-case usernames of people who
    exist: a post's stored mentions, or `known_mentions`) become links, everything else is escaped;
    an @mention of anyone else stays plain text (never a link to a 404). The text of a caption,
    comment or bio alike. Line breaks are kept by CSS (white-space: pre-line), not by markup."""
    caption = caption or ""
    if "#" not in caption and "@" not in caption:  # most comments: nothing to link
        return mark_safe(escape(caption))  # noqa: S308 - escaped
    out: list[str] = []
    pos = 0
    for match in TOKEN_RE.finditer(caption):
        tag, username = match.group(1), match.group(2)
        if tag is not None and not _valid_tag(tag):
            continue
        if username is not None and (
            ".." in username or username.lower() in RESERVED_USERNAMES or username.lower() not in known
        ):
            continue  # "@admin" is no one: never a link to /admin/; nor is a name nobody has
        out.append(escape(caption[pos : match.start()]))
        # Tags and names are word characters (and "." for names): nothing in them to escape, and
        # quote() leaves nothing in the URL that HTML would need escaped.
        if tag is not None:
            url = _link("hashtag", "name", tag.lower())
            out.append(f'<a class="caption__tag" href="{url}">#{tag}</a>')
        else:
            url = _link("profile", "username", username.lower())
            out.append(f'<a class="caption__mention" href="{url}">@{username}</a>')
        pos = match.end()
    out.append(escape(caption[pos:]))
    return mark_safe("".join(out))  # noqa: S308 - every piece above is escaped or word characters


def mention_names(joined: str | None) -> frozenset[str]:
    """The set of names in a space-joined string of lower-case usernames (the `mention_names`
    column `posts.sharing.with_mention_names` adds to a post read; "" or None: nobody)."""
    return frozenset(joined.split()) if joined else frozenset()
