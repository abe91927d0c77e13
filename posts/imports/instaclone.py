"""An Instaclone export (docs/export.md): `profile.json` says `{"format": "instaclone-export",
"version": 1, …}`; `posts.json` lists the posts oldest first, each `{"id", "caption", "created_at"
(ISO 8601, UTC), "aspect", "aspect_ratio", "hashtags", "media": [{"path", "kind", "alt_text",
"width", "height", "position"}]}`, with the files under `media/`. Alt texts, the frame and the
media order come back as they were, and an archived post (`is_archived`) is archived again. A
media item the export marks `missing` has no file: it is reported as missing from the ZIP."""

from __future__ import annotations

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

FORMAT = "instaclone-export"
VERSIONS = {1}
ASPECTS = {"square", "portrait", "landscape", "original"}
PROFILE_MAX_BYTES = 1024 * 1024  # profile.json is a few hundred bytes; it is read in the upload request


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
        profile = read_json(zf, f"{root}profile.json", PROFILE_MAX_BYTES)
    except ArchiveRefused:
        return False
    return isinstance(profile, dict) and profile.get("format") == FORMAT


def _created(value) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def profile(zf: zipfile.ZipFile) -> dict:
    """The export's profile.json, once its format and version are checked; ArchiveRefused otherwise."""
    names = set(zf.namelist())
    root = _root(names) or ""
    data = read_json(zf, f"{root}profile.json", PROFILE_MAX_BYTES)
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ArchiveRefused("profile.json in this export is not an Instaclone profile.", code="bad_json")
    version = data.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version not in VERSIONS:
        raise ArchiveRefused(f"This Instaclone export is of a version we can't read ({str(version)[:20]!r}).", code="version")
    return data


def posts_member(zf: zipfile.ZipFile) -> str:
    return f"{_root(set(zf.namelist())) or ''}posts.json"


def check(zf: zipfile.ZipFile) -> None:
    """What the upload request checks (cheap: profile.json only, and posts.json's declared size)."""
    profile(zf)
    check_json_total(zf, [posts_member(zf)])


def _position(m: dict, index: int) -> int:
    value = m.get("position")
    return value if isinstance(value, int) and not isinstance(value, bool) else index


def _media(post: dict, names: set[str], root: str) -> list[MediaRef]:
    media = post.get("media")
    if not isinstance(media, list):
        return []
    media = [(_position(m, i), i, m) for i, m in enumerate(media) if isinstance(m, dict)]
    refs = []
    for _, _, m in sorted(media, key=lambda t: (t[0], t[1])):
        path = text(m.get("path"))
        refs.append(MediaRef(
            path=member_for(names, root, path),
            label=path.rsplit("/", 1)[-1][:200] or "a file",
            alt_text=text(m.get("alt_text")),
        ))
    return refs


def read(zf: zipfile.ZipFile) -> list[ArchiveItem]:
    names = set(zf.namelist())
    root = _root(names) or ""
    username = text(profile(zf).get("username"))
    check_json_total(zf, [f"{root}posts.json"])
    posts = read_json(zf, f"{root}posts.json")
    if not isinstance(posts, list):
        raise ArchiveRefused("posts.json in this export is not a list of posts.", code="bad_json")
    items = []
    for post in posts:
        if not isinstance(post, dict):
            continue
        if len(items) >= settings.IMPORT_MAX_POSTS:
            raise too_many_posts(len(items) + 1)
        post_id, created_at = post.get("id"), post.get("created_at")
        post_id = str(post_id) if isinstance(post_id, int | str) and not isinstance(post_id, bool) else ""
        created = _created(created_at)
        aspect = post.get("aspect")
        item = ArchiveItem(
            key=source_key("instaclone", post.get("id") if post_id else None, created_at if isinstance(created_at, str) else None),
            created=created,
            caption=text(post.get("caption")),
            aspect=aspect if isinstance(aspect, str) and aspect in ASPECTS else "original",
            archived=post.get("is_archived") is True,
            media=_media(post, names, root),
            export_id=post_id[:40],
            export_username=username,
        )
        item.problem = date_problem(created).replace("in the archive", "in the export")
        if not item.problem and not item.media:
            item.problem = "It has no photos or videos in the export."
        items.append(item)
    items.sort(key=lambda i: (i.created is None, i.created or datetime.min.replace(tzinfo=UTC)))
    return items
