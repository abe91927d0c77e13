"""Instagram's "Download your information" archive, JSON format.

Instagram has moved its posts file over the years; all three places are read, with every part
(`posts_1.json`, `posts_2.json`, …) in order:

- `content/posts_1.json` (2022-2023),
- `your_instagram_activity/content/posts_1.json` and `your_instagram_activity/media/posts_1.json`
  (2024 on),
- `media/posts_1.json`.

Reels (`reels.json` beside the posts file, `{"ig_reels_media": [{"media": [...]}]}`) are imported as
posts too. A ZIP re-made from the unpacked folder (one folder around everything) is read too. Each entry is
`{"media": [{"uri", "creation_timestamp", "title", …}], "title"?, "creation_timestamp"?}`: a carousel
has its caption and date at the top, a single photo carries them on its one media item. Media
`uri`s are relative to the archive's root. Instagram has no alt texts in its export.

Text is UTF-8 whose bytes were written as Latin-1 code points (`"caf\u00c3\u00a9"` for "café",
four such characters for an emoji): `repair_text` turns it back when it round-trips, and leaves
any other text as it is.
"""

from __future__ import annotations

import re
import zipfile
from datetime import UTC, datetime

from django.conf import settings

from .archive import (
    ArchiveItem,
    ArchiveRefused,
    MediaRef,
    check_json_total,
    date_problem,
    member_for,
    read_json,
    source_key,
    text,
    too_many_posts,
)

# (root folder or "", the part number)
POSTS_FILE = re.compile(
    r"^(?P<root>(?:(?!your_instagram_activity/)[^/]+/)?)(?:your_instagram_activity/)?(?:content|media)/(?:posts_(?P<n>\d{1,6})|(?P<reels>reels))\.json$"
)
HTML_POSTS_FILE = re.compile(r"^(?:[^/]+/)?(?:your_instagram_activity/)?(?:content|media)/posts_\d+\.html$")


def repair_text(text) -> str:
    """Undo Instagram's mojibake: "caf\u00c3\u00a9" → "café". Text that is not such a
    misreading (already proper Unicode, or plain ASCII) comes back unchanged."""
    if not isinstance(text, str):
        return ""
    try:
        return text.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text


def posts_files(names) -> list[tuple[str, str]]:
    """[(member name, root)] of the archive's posts files, part 1 first, then `reels.json` (reels
    are posts with a video); one place only (the first found), so an archive holding two layouts is
    not imported twice."""
    found: dict[tuple[str, str], list[tuple[int, str]]] = {}
    for name in names:
        match = POSTS_FILE.match(name)
        if match:
            place = name.rsplit("/", 1)[0]
            part = 10**9 if match["reels"] else int(match["n"])  # reels after the posts' parts
            found.setdefault((place, match["root"]), []).append((part, name))
    if not found:
        return []
    (place, root), parts = sorted(found.items(), key=lambda kv: (kv[0][0].count("/"), kv[0][0]))[0]
    return [(name, root) for _, name in sorted(parts)]


def looks_like(names) -> bool:
    return bool(posts_files(names))


def looks_like_html_export(names) -> bool:
    return any(HTML_POSTS_FILE.match(name) for name in names)


def _entries(data) -> list:
    if isinstance(data, list):
        return data
    if isinstance(data, dict):  # {"ig_reels_media": [...]}, {"ig_posts": [...]}
        for value in data.values():
            if isinstance(value, list):
                return value
    return []


def _timestamp(value) -> datetime | None:
    """The date of a Unix timestamp (an int, or a string of one), or None. Out-of-range dates are
    returned as they are (`archive.date_problem` refuses them) unless Python cannot hold them."""
    if isinstance(value, bool) or not isinstance(value, int | float | str) or value == "":
        return None
    try:
        return datetime.fromtimestamp(int(value), tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def _item(entry, names: set[str], root: str) -> ArchiveItem | None:
    if not isinstance(entry, dict):
        return None
    media = entry.get("media")
    if not isinstance(media, list):
        media = [entry] if entry.get("uri") else []
    media = [m for m in media if isinstance(m, dict)]
    if not media:
        return None
    first = media[0]
    caption = repair_text(entry.get("title")) or repair_text(first.get("title"))
    created = _timestamp(entry.get("creation_timestamp")) or _timestamp(first.get("creation_timestamp"))
    refs = []
    for m in media:
        uri = text(m.get("uri"))
        label = uri.rsplit("/", 1)[-1][:200] if uri else "a file"
        refs.append(MediaRef(path=member_for(names, root, uri), label=label or "a file"))
    stamp = first.get("creation_timestamp")
    item = ArchiveItem(
        key=source_key("instagram", text(first.get("uri")), (stamp if isinstance(stamp, int | str) else "") or created or ""),
        created=created,
        caption=caption,
        media=refs,
    )
    item.problem = date_problem(created)
    return item


def read(zf: zipfile.ZipFile) -> list[ArchiveItem]:
    """The archive's posts, oldest first (Instagram lists them newest first)."""
    names = set(zf.namelist())
    files = posts_files(names)
    check_json_total(zf, [name for name, _ in files])  # IMPORT_MAX_JSON_BYTES is for all parts together
    items: list[ArchiveItem] = []
    for name, root in files:
        for entry in _entries(read_json(zf, name)):
            item = _item(entry, names, root)
            if item is not None:
                items.append(item)
                if len(items) > settings.IMPORT_MAX_POSTS:
                    raise too_many_posts(len(items))
    if not items and not posts_files(names):
        raise ArchiveRefused("No Instagram posts file was found in this archive.", code="no_posts")
    items.sort(key=lambda i: (i.created is None, i.created or datetime.min.replace(tzinfo=UTC)))
    return items
