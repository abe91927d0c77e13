"""Which format an archive is, and its posts (oldest first)."""

from __future__ import annotations

import zipfile

from . import instaclone, instagram
from .archive import ArchiveItem, ArchiveRefused

INSTAGRAM = "instagram"
INSTACLONE = "instaclone"


def read_archive(zf: zipfile.ZipFile, source: str | None = None) -> tuple[str, list[ArchiveItem]]:
    """(source, posts oldest first) of an archive already checked by `archive.open_checked`;
    ArchiveRefused when it is neither format or holds no post."""
    names = zf.namelist()
    if source == INSTACLONE or (source is None and instaclone.looks_like(zf)):
        source, items = INSTACLONE, instaclone.read(zf)
    elif instagram.looks_like(names):
        source, items = INSTAGRAM, instagram.read(zf)
    elif instagram.looks_like_html_export(names):
        raise ArchiveRefused(
            "This is Instagram's HTML download, which we can't read. Request your information again "
            "and choose JSON as the format.",
            code="html_export",
        )
    else:
        raise ArchiveRefused(
            "We found no posts in this archive. Upload the ZIP from Instagram's “Download your "
            "information” (JSON format, with your posts included), or an Instaclone export.",
            code="no_posts",
        )
    if not items:
        raise ArchiveRefused("This archive holds no posts to import.", code="no_posts")
    return source, items
