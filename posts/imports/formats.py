"""Which format an archive is (`detect`, cheap: the upload request), and its posts oldest first
(`read_archive`: the task)."""

from __future__ import annotations

import zipfile
from typing import NoReturn

from . import instaclone, instagram
from .archive import ArchiveItem, ArchiveRefused, check_json_total

INSTAGRAM = "instagram"
INSTACLONE = "instaclone"


def detect(zf: zipfile.ZipFile) -> str:
    """The format of an archive already checked by `archive.open_checked`, from its names (and an
    Instaclone export's profile.json), with its posts files' declared size within
    IMPORT_MAX_JSON_BYTES: what the upload request checks. Nothing else is read; the posts are
    parsed by the task (`read_archive`). ArchiveRefused when it is neither format."""
    names = zf.namelist()
    if instaclone.looks_like(zf):
        instaclone.check(zf)
        return INSTACLONE
    if instagram.looks_like(names):
        check_json_total(zf, [name for name, _ in instagram.posts_files(names)])
        return INSTAGRAM
    _refuse(names)


def _refuse(names) -> NoReturn:
    if instagram.looks_like_html_export(names):
        raise ArchiveRefused(
            "This is Instagram's HTML download, which we can't read. Request your information again "
            "and choose JSON as the format.",
            code="html_export",
        )
    raise ArchiveRefused(
        "We found no posts in this archive. Upload the ZIP from Instagram's “Download your "
        "information” (JSON format, with your posts included), or an Instaclone export.",
        code="no_posts",
    )


def read_archive(zf: zipfile.ZipFile, source: str | None = None) -> tuple[str, list[ArchiveItem]]:
    """(source, posts oldest first) of an archive already checked by `archive.open_checked`;
    ArchiveRefused when it is neither format, holds no post, or more than IMPORT_MAX_POSTS."""
    names = zf.namelist()
    if source == INSTACLONE or (source is None and instaclone.looks_like(zf)):
        source, items = INSTACLONE, instaclone.read(zf)
    elif instagram.looks_like(names):
        source, items = INSTAGRAM, instagram.read(zf)
    else:
        _refuse(names)
    if not items:
        raise ArchiveRefused("This archive holds no posts to import.", code="no_posts")
    return source, items
