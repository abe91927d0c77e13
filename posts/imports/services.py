"""Writes for imports: start a job from an uploaded archive, cancel it. The import itself runs in
`posts.imports.tasks.import_run`."""

from __future__ import annotations

import hashlib
import uuid

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from instaclone.errors import DomainError
from instaclone.media.files import StorageError, delete_on_commit
from instaclone.tasks import enqueue_on_commit

from ..models import ImportJob
from .archive import ArchiveRefused, open_checked
from .formats import detect
from .tasks import import_run

ACTIVE = (ImportJob.Status.PENDING, ImportJob.Status.RUNNING)


class ImportBusy(DomainError):
    default_message = "An import is already running. Wait for it to finish, or cancel it, before starting another."


def _gb(n: int) -> str:
    return f"{n / 1_073_741_824:.1f} GB" if n >= 1_073_741_824 else f"{n / 1_048_576:.0f} MB"


def size_refusal(size: int) -> str:
    """The sentence refusing an upload of `size` bytes, or "" when it is within IMPORT_MAX_ZIP_BYTES."""
    limit = settings.IMPORT_MAX_ZIP_BYTES
    if size <= limit:
        return ""
    return f"This archive is too large ({_gb(size)}). The limit is {_gb(limit)}; Instagram can split your download into several parts."


def import_start(*, owner: User, upload) -> ImportJob:
    """Check the uploaded ZIP (limits, unsafe names, a format we read with its posts file, the posts
    files' declared JSON size), store it (private: posts.media_access) and queue its job when this
    commits. ArchiveRefused, ImportBusy or StorageError otherwise, and nothing is stored.

    Only the ZIP's central directory (and an Instaclone export's small profile.json) is read here:
    the posts themselves are parsed by the task, which sets the job's `total` (0 until then) and
    fails the job with a sentence when they cannot be read (damaged JSON, none, more than
    IMPORT_MAX_POSTS)."""
    if ImportJob.objects.filter(owner=owner, status__in=ACTIVE).exists():
        raise ImportBusy()
    if refusal := size_refusal(upload.size or 0):
        raise ArchiveRefused(refusal, code="too_large")
    upload.seek(0)
    with open_checked(upload) as zf:
        source = detect(zf)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    try:
        name = default_storage.save(f"{ImportJob.FOLDER}/{uuid.uuid4().hex}.zip", upload)
    except Exception as exc:
        raise StorageError() from exc
    try:
        with transaction.atomic():
            # one import at a time per person: the check above, again under the owner's row lock
            User.objects.select_for_update().filter(pk=owner.pk).first()
            if ImportJob.objects.filter(owner=owner, status__in=ACTIVE).exists():
                raise ImportBusy()
            job = ImportJob.objects.create(
                owner=owner, source=source, file=name, size=upload.size or 0, sha256=digest.hexdigest()
            )
            enqueue_on_commit(import_run, job.pk)
    except BaseException:
        default_storage.delete(name)
        raise
    return job


def import_cancel(*, job: ImportJob) -> None:
    """Ask the job to stop: a running task stops before its next post; a job not started yet ends
    at once (its ZIP deleted). Posts already imported stay."""
    with transaction.atomic():
        ImportJob.objects.filter(pk=job.pk, status__in=ACTIVE).update(cancel_requested=True)
        file = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.PENDING).values_list("file", flat=True).first()
        stopped = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.PENDING).update(
            status=ImportJob.Status.CANCELLED, file="", finished_at=timezone.now()
        )
        if stopped and file:
            delete_on_commit(file)


__all__ = ["ImportBusy", "import_cancel", "import_start", "size_refusal", "ArchiveRefused"]
