"""An Instaclone export (docs/export.md): `profile.json` says `{"format": "instaclone-export",
"version": 1, …}`; `posts.json` lists the posts oldest first, each `{"id", "caption", "created_at"
(ISO 8601, UTC), "aspect", "aspect_ratio", "hashtags", "media": [{"path", "kind", "alt_text",
"width", "height", "position"}]}`, with the files under `media/`. Alt texts, the frame and the
media order come back as they were, and an archived post (`is_archived`) is archived again. A
media item the export marks `missing` has no file: it is reported as missing from the ZIP."""

from __future__ import annotations

import zipfile
from datetime import UTC, datetime

from .archive import ArchiveItem, ArchiveRefused, MediaRef, member_for, read_json, source_key

FORMAT = "instaclone-export"
VERSIONS = {1}
ASPECTS = {"square", "portrait", "landscape", "original"}


def _root(names) -> str | None:
    """"" or the one folder around the export, where `profile.json` is."""
    for name in names:
        if name == "profile.json":
            return ""
    for name in names:
        parts = name.split("/")
        if len(parts) == 2 and parts[1] == "profile.json":
            return parts[0] + "/"
    return None


def looks_like(zf: zipfile.ZipFile) -> bool:
    names = set(zf.namelist())
    root = _root(names)
    if root is None or f"{root}posts.json" not in names:
        return False
    try:
        profile = read_json(zf, f"{root}profile.json")
    except ArchiveRefused:
        return False
    return isinstance(profile, dict) and profile.get("format") == FORMAT


def _created(value) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def read(zf: zipfile.ZipFile) -> list[ArchiveItem]:
    names = set(zf.namelist())
    root = _root(names) or ""
    profile = read_json(zf, f"{root}profile.json")
    if profile.get("version") not in VERSIONS:
        raise ArchiveRefused(
            f"This Instaclone export is of a version we can't read ({profile.get('version')!r}).", code="version"
        )
    posts = read_json(zf, f"{root}posts.json")
    if not isinstance(posts, list):
        raise ArchiveRefused("posts.json in this export is not a list of posts.", code="bad_json")
    items = []
    for post in posts:
        if not isinstance(post, dict):
            continue
        media = sorted((m for m in post.get("media") or [] if isinstance(m, dict)), key=lambda m: m.get("position") or 0)
        created = _created(post.get("created_at"))
        item = ArchiveItem(
            key=source_key("instaclone", post.get("id"), post.get("created_at")),
            created=created,
            caption=str(post.get("caption") or ""),
            aspect=post.get("aspect") if post.get("aspect") in ASPECTS else "original",
            archived=post.get("is_archived") is True,
            media=[
                MediaRef(
                    path=member_for(names, root, m.get("path") or ""),
                    label=str(m.get("path") or "a file").rsplit("/", 1)[-1],
                    alt_text=str(m.get("alt_text") or ""),
                )
                for m in media
            ],
        )
        if created is None:
            item.problem = "It has no date in the export."
        elif not item.media:
            item.problem = "It has no photos or videos in the export."
        items.append(item)
    items.sort(key=lambda i: (i.created is None, i.created or datetime.min.replace(tzinfo=UTC)))
    return items
