"""The import task: `import_run(job_id)` works through an archive's posts, oldest first, each
through `posts.services.post_create` (the same pipeline as the new-post form: content check,
metadata stripped, renditions and video transcode in `post_media_process`), with its original date
and no mention notifications.

Runs are short: a run stops after IMPORT_RUN_SECONDS (at least one post) and queues the next, so
no run comes near TASKS_STALE_AFTER (a run taken for dead would be run twice). Resumable and
idempotent: `ImportJob.position` (the next post) moves in the same transaction as the post it
stands for, and `ImportedItem` (unique per owner and source key) is written in that transaction
too, so a run killed half-way leaves either the post and its marks or neither, and a re-run of the
same archive (or of a later export holding the same posts) skips what is already here.

Between posts a run reads `cancel_requested` (and whether the owner's account is still active:
deleted or suspended meanwhile) and stops. When the job ends (done, cancelled or
failed), the uploaded ZIP is deleted from storage.

(Here rather than in posts/tasks.py: this module uses `posts.services`, which imports posts.tasks
for the media task; the architecture test refuses the cycle.)
"""

from __future__ import annotations

import contextlib
import io
import logging
import shutil
import tempfile
import time
import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from PIL import Image

from instaclone.media.files import StorageError, delete_on_commit
from instaclone.media.images import UploadRejected
from instaclone.tasks import TRANSIENT, background, enqueue_on_commit

from ..models import ImportedItem, ImportJob, Post
from ..services.archive import post_archive
from ..services.posts import CAPTION_MAX_LENGTH, max_media, post_create
from .archive import READ_ERRORS, ArchiveItem, ArchiveRefused, open_checked
from .formats import read_archive

log = logging.getLogger(__name__)


@contextlib.contextmanager
def stored_zip(name: str):
    """The stored upload as a checked ZipFile: read in place on local storage, else copied to a
    temporary file first (a ZIP needs to seek)."""
    try:
        path = default_storage.path(name)
    except NotImplementedError:
        path = None
    if path:
        with open(path, "rb") as fh, open_checked(fh) as zf:
            yield zf
        return
    with tempfile.TemporaryFile(prefix="instaclone-import-") as tmp:
        with default_storage.open(name, "rb") as src:
            shutil.copyfileobj(src, tmp, 1024 * 1024)
        tmp.seek(0)
        with open_checked(tmp) as zf:
            yield zf


@background()
def import_run(job_id: int) -> str:
    job = ImportJob.objects.filter(pk=job_id).select_related("owner").first()
    if job is None or job.finished:
        return f"import {job_id}: nothing to do"
    if job.cancel_requested or not job.owner.is_active:
        _finish(job, ImportJob.Status.CANCELLED)
        return f"import {job_id}: cancelled"
    ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.PENDING).update(
        status=ImportJob.Status.RUNNING, started_at=timezone.now()
    )
    try:
        return _run(job, job_id)
    except TRANSIENT:
        raise  # retried by the engine (instaclone.tasks.background), from where it stopped
    except Exception:
        _finish(job, ImportJob.Status.FAILED, error="Something unexpected went wrong. Posts imported so far stay; you can upload the archive again to import the rest.")
        raise


def _run(job: ImportJob, job_id: int) -> str:
    deadline = time.monotonic() + settings.IMPORT_RUN_SECONDS
    worked = 0
    try:
        with stored_zip(job.file) as zf:
            _, items = read_archive(zf, job.source)
            if job.total != len(items):
                ImportJob.objects.filter(pk=job.pk).update(total=len(items))
            position = job.position
            while position < len(items):
                if worked and time.monotonic() > deadline:
                    enqueue_on_commit(import_run, job.pk)  # the rest in a run of its own
                    return f"import {job_id}: {worked} posts this run, continuing at {position + 1} of {len(items)}"
                if _stop_asked(job):
                    _finish(job, ImportJob.Status.CANCELLED)
                    return f"import {job_id}: cancelled at {position + 1} of {len(items)}"
                if not import_item(job, position, items[position], zf):  # TooManyPixels: failed below
                    return f"import {job_id}: another run has moved on; this one stops"
                position += 1
                worked += 1
    except ArchiveRefused as exc:
        _finish(job, ImportJob.Status.FAILED, error=exc.message)
        return f"import {job_id}: failed: {exc.message}"
    except FileNotFoundError:
        _finish(job, ImportJob.Status.FAILED, error="The uploaded archive is no longer stored; upload it again.")
        return f"import {job_id}: its archive is gone"
    _finish(job, ImportJob.Status.DONE)
    return f"import {job_id}: finished ({worked} posts this run)"


def _stop_asked(job: ImportJob) -> bool:
    """Cancel was pressed, or the owner's account was deactivated (deleted, suspended) meanwhile."""
    return ImportJob.objects.filter(pk=job.pk).filter(Q(cancel_requested=True) | Q(owner__is_active=False)).exists()


def _finish(job: ImportJob, status: str, *, error: str = "") -> None:
    with transaction.atomic():
        changed = ImportJob.objects.filter(pk=job.pk, status__in=[ImportJob.Status.PENDING, ImportJob.Status.RUNNING]).update(
            status=status, finished_at=timezone.now(), error=error, file=""
        )
        if changed and job.file:
            delete_on_commit(job.file)


class TooManyPixels(ArchiveRefused):
    """The photos imported so far and the next post's add up to more than IMPORT_MAX_TOTAL_PIXELS."""


def _pixels(data: bytes) -> int:
    """A photo's width × height from its header (Pillow reads the size without decoding the
    pixels); 0 for what Pillow does not open (a video; a broken file the pipeline refuses)."""
    try:
        with Image.open(io.BytesIO(data)) as img:
            width, height = img.size
    except Exception:  # noqa: BLE001 - any file at all may be here; the pipeline says what is wrong
        return 0
    return width * height


def _check_pixels(job: ImportJob, pixels: int) -> None:
    limit = settings.IMPORT_MAX_TOTAL_PIXELS
    so_far = ImportJob.objects.filter(pk=job.pk).values_list("pixels", flat=True).first() or 0
    if so_far + pixels > limit:
        raise TooManyPixels(
            f"This import stopped: its photos add up to more than {limit / 1_000_000:,.0f} megapixels, the "
            "limit for one import. Posts imported so far stay; to import the rest, request your "
            "information again for a later date range and upload it.",
            code="too_many_pixels",
        )


def _advance(job: ImportJob, index: int, outcome: str, item: ArchiveItem, reasons: list[str], pixels: int = 0) -> bool:
    """Count the post at `index` as `outcome` (done, skipped, failed) with its reasons, and move the
    job past it, if no other run did (False then: the caller's transaction must roll back)."""
    row = ImportJob.objects.select_for_update().filter(pk=job.pk, position=index).values("errors").first()
    if row is None:
        return False
    errors = row["errors"]
    room = max(0, settings.IMPORT_MAX_ERRORS - len(errors))
    errors = errors + [{"item": item.label, "reason": reason} for reason in reasons][:room]
    ImportJob.objects.filter(pk=job.pk).update(
        position=index + 1, errors=errors, pixels=F("pixels") + pixels, **{outcome: F(outcome) + 1}
    )
    return True


class _Moved(Exception):  # noqa: N818
    """Another run counted this post already."""


def _read_files(item: ArchiveItem, zf: zipfile.ZipFile, reasons: list[str]) -> list[tuple]:
    limit = max(settings.IMAGE_MAX_BYTES, settings.VIDEO_MAX_BYTES)
    files = []
    for ref in item.media:
        if not ref.path:
            reasons.append(f"{ref.label} is missing from the ZIP.")
            continue
        info = zf.getinfo(ref.path)
        if info.file_size > limit:
            reasons.append(f"{ref.label} is too large ({info.file_size / 1_048_576:.0f} MB).")
            continue
        try:
            data = zf.read(ref.path)
        except READ_ERRORS:
            reasons.append(f"{ref.label} is damaged in the ZIP.")
            continue
        files.append((SimpleUploadedFile(ref.label, data), ref.alt_text, ref.label, _pixels(data)))
    if len(files) > max_media():
        reasons.append(f"Only the first {max_media()} of its {len(files)} photos and videos were imported (the limit here).")
        files = files[: max_media()]
    return files


def _own_post(owner, item: ArchiveItem) -> bool:
    """The post of the person's own Instaclone export is still theirs here: importing the export
    into the same account skips it (already here), as ImportedItem skips earlier imports."""
    if not (item.export_id.isdigit() and len(item.export_id) < 19) or item.export_username.casefold() != owner.username.casefold():
        return False
    return Post.objects.filter(pk=int(item.export_id), author=owner).exists()


def import_item(job: ImportJob, index: int, item: ArchiveItem, zf: zipfile.ZipFile) -> bool:
    """Import one post (or skip it, or record why it failed) and move the job past it. False when
    another run had already moved past it."""
    owner = job.owner
    try:
        if item.problem:
            with transaction.atomic():
                if not _advance(job, index, "failed", item, [item.problem]):
                    raise _Moved
            return True
        if ImportedItem.objects.filter(owner=owner, source_key=item.key).exists() or _own_post(owner, item):
            with transaction.atomic():
                if not _advance(job, index, "skipped", item, []):
                    raise _Moved
            return True
        reasons: list[str] = []
        caption = item.caption
        if len(caption) > CAPTION_MAX_LENGTH:
            caption = caption[:CAPTION_MAX_LENGTH]
            reasons.append(f"Its caption was cut to {CAPTION_MAX_LENGTH:,} characters.")
        files = _read_files(item, zf, reasons)
        _check_pixels(job, sum(f[3] for f in files))  # TooManyPixels: the whole import stops here
        while files:
            try:
                with transaction.atomic():
                    post = post_create(
                        author=owner, caption=caption, files=[(f, alt) for f, alt, _, _ in files],
                        aspect=item.aspect, created=item.created, notify_mentions=False,
                    )
                    if item.archived:
                        post_archive(post=post, by=owner)
                    ImportedItem.objects.create(owner=owner, source_key=item.key, job=job, post=post)
                    if not _advance(job, index, "done", item, reasons, sum(f[3] for f in files)):
                        raise _Moved
                return True
            except UploadRejected as exc:
                bad = getattr(exc, "file_index", None)
                if bad is None or not 0 <= bad < len(files):
                    reasons.append(exc.message)
                    break
                reasons.append(f"{files[bad][2]}: {exc.message}")
                del files[bad]  # the post is made of the others
            except ValidationError as exc:
                reasons.extend(str(m) for m in exc.messages)
                break
            except StorageError as exc:
                reasons.append(exc.message)
                break
            except IntegrityError:  # another run imported it at the same moment
                with transaction.atomic():
                    if not _advance(job, index, "skipped", item, []):
                        raise _Moved from None
                return True
            except TRANSIENT:
                raise  # the database or storage away for a moment: the engine runs this again
            except _Moved:
                raise
            except Exception:  # a bug or a file nothing expected: this post fails, the import goes on
                log.exception("import %s: post %s (%s) failed unexpectedly", job.pk, index, item.key)
                reasons.append("Something unexpected went wrong with this post; it was not imported.")
                break
        with transaction.atomic():
            if not _advance(job, index, "failed", item, reasons or ["It has no photos or videos."]):
                raise _Moved
        return True
    except _Moved:
        return False
