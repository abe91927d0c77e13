"""Reading an uploaded archive safely, and what every format's reader yields.

Nothing is ever extracted to disk: members are read by name through `zipfile`, which never
decompresses more than a member's declared size, so the declared sizes checked here bound what is
read. The checks refuse, with a sentence for the person:

- a file that is not a ZIP, or an encrypted one;
- more than IMPORT_MAX_MEMBERS files;
- more than IMPORT_MAX_UNCOMPRESSED_BYTES unpacked in all, or a member that unpacks to more than
  IMPORT_MAX_RATIO times its compressed size (above 1 MB): a ZIP bomb;
- unsafe member names: absolute paths, `..`, backslashes, drive letters, NUL, and symbolic links
  (harmless here, since nothing is extracted, but never in an export: such an archive was crafted).
"""

from __future__ import annotations

import hashlib
import json
import stat
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import PurePosixPath

from django.conf import settings
from django.utils import timezone

from instaclone.errors import DomainError

# What reading a damaged or odd member can raise: a bad CRC or header, a broken deflate stream
# (zlib.error), a compression method zipfile does not know (NotImplementedError), bad JSON (ValueError).
READ_ERRORS = (zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError, OSError, EOFError, ValueError)
RATIO_FLOOR = 1024 * 1024  # members smaller than this unpacked are never taken for a bomb
# No post can be older than Instagram (launched 6 October 2010); the same floor for Instaclone exports.
EARLIEST = datetime(2010, 10, 6, tzinfo=UTC)
FUTURE_SLACK = timedelta(days=1)  # clocks and time zones: a post dated up to a day ahead is taken as it is


class ArchiveRefused(DomainError):
    """The uploaded archive cannot be imported at all; the message says why."""


@dataclass
class MediaRef:
    path: str  # the member's name in the ZIP ("" when the archive names a file it cannot hold)
    label: str  # the file's name as the archive gives it, for error messages
    alt_text: str = ""


@dataclass
class ArchiveItem:
    """One post of an archive, as both readers produce it."""

    key: str  # a digest identifying the post in its archive (ImportedItem.source_key)
    created: datetime | None
    caption: str
    media: list[MediaRef] = field(default_factory=list)
    aspect: str = "original"
    archived: bool = False  # an Instaclone export's archived post comes back archived
    export_id: str = ""  # an Instaclone export's post id ("" for Instagram)
    export_username: str = ""  # whose Instaclone export it is (profile.json's username)
    problem: str = ""  # why this entry cannot be imported at all (reported as its error)

    @property
    def label(self) -> str:
        when = f"{self.created:%-d %b %Y}" if self.created else "undated"
        text = " ".join(self.caption.split())
        if len(text) > 40:
            text = text[:39] + "…"
        return f"Post of {when}" + (f" “{text}”" if text else "")


def date_problem(created: datetime | None) -> str:
    """Why a post's date cannot be imported ("" when it can): none at all, later than tomorrow (it
    would sit on top of followers' feeds until then), or before Instagram existed."""
    if created is None:
        return "It has no date in the archive."
    if created > timezone.now() + FUTURE_SLACK:
        return f"It has a date in the future: {created:%-d %b %Y}."
    if created < EARLIEST:
        return f"It has a date before Instagram existed (6 Oct 2010): {created:%-d %b %Y}."
    return ""


def source_key(*parts) -> str:
    return hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()


def _mb(n: int) -> str:
    return f"{n / 1_073_741_824:.1f} GB" if n >= 1_073_741_824 else f"{n / 1_048_576:.0f} MB"


def unsafe_name(name: str) -> bool:
    if not name or "\x00" in name or "\\" in name or name.startswith("/"):
        return True
    if len(name) > 1 and name[1] == ":":  # C:...
        return True
    return any(part == ".." for part in name.split("/"))


def _is_symlink(info: zipfile.ZipInfo) -> bool:
    return info.create_system == 3 and stat.S_ISLNK(info.external_attr >> 16)


def open_checked(fileobj) -> zipfile.ZipFile:
    """The ZIP, once every limit above is checked; ArchiveRefused otherwise."""
    try:
        zf = zipfile.ZipFile(fileobj)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise ArchiveRefused(
            "This file isn't a ZIP archive. Upload the .zip file Instagram sent you (choose the JSON "
            "format when you request it), or an Instaclone export.",
            code="not_zip",
        ) from None
    try:
        _check(zf.infolist())
    except ArchiveRefused:
        zf.close()
        raise
    return zf


def _check(infos: list[zipfile.ZipInfo]) -> None:
    if len(infos) > settings.IMPORT_MAX_MEMBERS:
        raise ArchiveRefused(
            f"This archive holds too many files ({len(infos):,}); the limit is {settings.IMPORT_MAX_MEMBERS:,}.",
            code="too_many_files",
        )
    total = 0
    for info in infos:
        if unsafe_name(info.filename) or _is_symlink(info):
            raise ArchiveRefused(
                f"This archive holds a file with an unsafe name or a link ({info.filename[:80]!r}), so it "
                "was refused. Upload the ZIP as Instagram made it.",
                code="unsafe_name",
            )
        if info.flag_bits & 0x1:
            raise ArchiveRefused("This archive is encrypted; upload it without a password.", code="encrypted")
        total += info.file_size
        if info.file_size > RATIO_FLOOR and info.file_size > settings.IMPORT_MAX_RATIO * max(1, info.compress_size):
            raise ArchiveRefused(
                f"This archive unpacks to far more than its size ({info.filename[:80]!r} grows more than "
                f"{settings.IMPORT_MAX_RATIO} times), so it was refused.",
                code="zip_bomb",
            )
    if total > settings.IMPORT_MAX_UNCOMPRESSED_BYTES:
        raise ArchiveRefused(
            f"This archive unpacks to {_mb(total)}; the limit is {_mb(settings.IMPORT_MAX_UNCOMPRESSED_BYTES)}.",
            code="too_big_unpacked",
        )


def check_json_total(zf: zipfile.ZipFile, names: list[str]) -> None:
    """The JSON files named (all the posts' parts) together unpack to at most IMPORT_MAX_JSON_BYTES
    (their declared sizes, from the central directory: nothing is read); ArchiveRefused otherwise."""
    total = sum(zf.getinfo(name).file_size for name in names)
    if total > settings.IMPORT_MAX_JSON_BYTES:
        raise ArchiveRefused(
            f"This archive's list of posts is too large to read ({_mb(total)} of JSON in "
            f"{len(names)} file{'s' if len(names) != 1 else ''}; the limit is {_mb(settings.IMPORT_MAX_JSON_BYTES)}). "
            "Request your information again for a shorter date range.",
            code="json_too_big",
        )


def too_many_posts(count: int) -> ArchiveRefused:
    return ArchiveRefused(
        f"This archive holds more than {settings.IMPORT_MAX_POSTS:,} posts, the limit for one import. "
        "Request your information again for a shorter date range (Instagram lets you choose one).",
        code="too_many_posts",
    )


def read_json(zf: zipfile.ZipFile, name: str, max_bytes: int | None = None):
    """A JSON member (at most IMPORT_MAX_JSON_BYTES, or `max_bytes`), or ArchiveRefused."""
    info = zf.getinfo(name)
    if info.file_size > (settings.IMPORT_MAX_JSON_BYTES if max_bytes is None else max_bytes):
        raise ArchiveRefused(f"{name} is too large to read ({_mb(info.file_size)}).", code="json_too_big")
    try:
        return json.loads(zf.read(name))
    except (*READ_ERRORS, RecursionError):  # RecursionError: JSON nested thousands deep
        raise ArchiveRefused(f"{name} in this archive could not be read (damaged or not JSON).", code="bad_json") from None


def text(value) -> str:
    """A string from untrusted JSON, or "" for anything else (a number, a list, null)."""
    return value if isinstance(value, str) else ""


def member_for(names: set[str], root: str, uri: str) -> str:
    """The member a post's relative file name points at, or "" (a URL, an unsafe or absent name)."""
    if not isinstance(uri, str) or not uri or "://" in uri or unsafe_name(uri):
        return ""
    name = str(PurePosixPath(root + uri)) if root else uri
    return name if name in names else ""
