"""Writing the archive: one ZIP, streamed into a file the caller gives (a temporary file), with
each layer's part as a JSON document, a readable `index.html`, and every media file the person
posted copied from storage one at a time (never all in memory). The layout is docs/export.md."""

from __future__ import annotations

import json
import shutil
import zipfile
from dataclasses import dataclass, field
from datetime import datetime

from django.template.loader import render_to_string

from accounts import exports as accounts_exports
from accounts.models import User
from posts import exports as posts_exports

from .parts import notifications_part

COPY_BUFFER = 1024 * 1024
# Photos and videos are compressed already: stored as they are (fast, and the bytes are the
# stored file's, byte for byte). Text is deflated.
MEDIA_COMPRESSION = zipfile.ZIP_STORED
TEXT_COMPRESSION = zipfile.ZIP_DEFLATED

DOCUMENTS = (
    "profile.json", "posts.json", "comments.json", "likes.json", "saves.json", "collections.json",
    "followers.json", "following.json", "blocks.json", "notifications.json",
)


@dataclass
class ArchiveSummary:
    posts: int = 0
    media_files: int = 0
    media_bytes: int = 0
    missing: list[str] = field(default_factory=list)  # stored names that could not be read


def _entry(name: str, when: datetime, compression: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=when.timetuple()[:6])
    info.compress_type = compression
    info.external_attr = 0o644 << 16
    return info


def _write_text(archive: zipfile.ZipFile, name: str, text: str, when: datetime) -> None:
    archive.writestr(_entry(name, when, TEXT_COMPRESSION), text.encode())


def _json(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def write_archive(out, *, user: User, site_url: str, exported_at: datetime, storage) -> ArchiveSummary:
    """Write the person's archive into the binary file `out`. Media files come from `storage` (local
    disk or ImageKit, through Django's storage API); one that cannot be found is left out and its
    entry in posts.json says `"missing": true` (the archive is still worth having). Other storage
    errors propagate: the caller fails the export."""
    summary = ArchiveSummary()
    profile = accounts_exports.profile_part(user, exported_at=exported_at)
    posts, files = posts_exports.posts_part(user, site_url=site_url)
    summary.posts = len(posts)
    with zipfile.ZipFile(out, "w", allowZip64=True) as archive:
        missing_paths = set()
        for item in files:
            try:
                source = storage.open(item.name, "rb")
            except FileNotFoundError:
                summary.missing.append(item.name)
                missing_paths.add(item.path)
                continue
            # (each file is under 2 GiB, VIDEO_MAX_BYTES: no per-entry ZIP64 needed, which older
            # unzippers read badly; the archive as a whole may pass 4 GiB, allowZip64)
            with source, archive.open(_entry(item.path, exported_at, MEDIA_COMPRESSION), "w") as target:
                shutil.copyfileobj(source, target, COPY_BUFFER)
            summary.media_files += 1
            summary.media_bytes += archive.getinfo(item.path).file_size
        for post in posts:
            for media in post["media"]:
                if media["path"] in missing_paths:
                    media["missing"] = True
        documents = {
            "profile.json": profile,
            "posts.json": posts,
            "comments.json": posts_exports.comments_part(user, site_url=site_url),
            "likes.json": posts_exports.likes_part(user, site_url=site_url),
            "saves.json": posts_exports.saves_part(user, site_url=site_url),
            "collections.json": posts_exports.collections_part(user),
            "followers.json": accounts_exports.followers_part(user),
            "following.json": accounts_exports.following_part(user),
            "blocks.json": accounts_exports.blocks_part(user),
            "notifications.json": notifications_part(user),
        }
        for name in DOCUMENTS:
            _write_text(archive, name, _json(documents[name]), exported_at)
        context = {key.removesuffix(".json"): value for key, value in documents.items()}
        context["site_url"] = site_url
        _write_text(archive, "index.html", render_to_string("social/export/index.html", context), exported_at)
    return summary
