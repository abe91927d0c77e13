"""The archive's build and expiry, run by tasks (`social.tasks.data_export_build`,
`social.tasks.data_exports_expire`); `services.py` asks for builds. States: see services.py."""

from __future__ import annotations

import logging
import secrets
import tempfile
import time
from datetime import timedelta

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from instaclone.media import imagekit

from ..models import DataExport
from .archive import write_archive

log = logging.getLogger(__name__)

FOLDER = "exports"  # stored as exports/<random>.zip: never served by /media/, never swept as an orphan
# Each storage call of the build (reading a video, writing the archive) may take this long on ImageKit.
STORAGE_CALL_SECONDS = 300.0
# An export still pending or running after this long lost its task (never queued, worker gone for
# good): the periodic sweep fails it, so the person may ask again.
STALE_AFTER = timedelta(hours=6)

Status = DataExport.Status


class DataExportFailed(Exception):  # noqa: N818 - names what happened, for the task's record
    """The build failed; the export row says so (status failed) and nothing was left in storage."""


def _claim(export_id: int) -> DataExport | None:
    """Mark the export running, if it is still to be built (pending, or running in a run that was
    interrupted and re-queued). None: nothing to do (done, failed, expired, or deleted)."""
    with transaction.atomic():
        export = (
            DataExport.objects.select_for_update().select_related("user")
            .filter(pk=export_id, status__in=[Status.PENDING, Status.RUNNING]).first()
        )
        if export is None:
            return None
        export.status = Status.RUNNING
        export.save(update_fields=["status"])
    return export


def data_export_build(*, export_id: int, site_url: str) -> str:
    """Build the archive (the task `social.tasks.data_export_build`): write the ZIP to a temporary
    file, store it as exports/<random>.zip, mark the export ready until now + DATA_EXPORT_DAYS and
    email the person. Idempotent: an export already finished is left alone. On any failure the
    export is marked failed and no file is left in storage (DataExportFailed is raised, so staff
    see the task among failed ones)."""
    export = _claim(export_id)
    if export is None:
        return f"export {export_id}: nothing to do"
    user = export.user
    started = time.monotonic()
    stored = ""
    try:
        with tempfile.TemporaryFile(prefix="instaclone-export-") as out, imagekit.long_calls(STORAGE_CALL_SECONDS):
            summary = write_archive(out, user=user, site_url=site_url, exported_at=timezone.now(), storage=default_storage)
            size = out.tell()
            out.seek(0)
            stored = default_storage.save(f"{FOLDER}/{secrets.token_hex(16)}.zip", File(out, name="export.zip"))
        now = timezone.now()
        with transaction.atomic():
            done = DataExport.objects.filter(pk=export.pk, status=Status.RUNNING).update(
                status=Status.READY, file=stored, size=size, finished_at=now,
                expires_at=now + timedelta(days=settings.DATA_EXPORT_DAYS), error="",
            )
            if not done:  # deleted (the account purged) or failed by the stale sweep meanwhile
                raise DataExportFailed(f"export {export_id} changed while it was built")
            transaction.on_commit(lambda: _email_ready(user, site_url))
    except Exception as exc:
        if stored:
            delete_quietly(stored)
        DataExport.objects.filter(pk=export.pk, status=Status.RUNNING).update(
            status=Status.FAILED, finished_at=timezone.now(), error=f"{type(exc).__name__}: {exc}"[:2000],
        )
        log.exception("data export %s of user %s failed", export_id, user.pk)
        raise DataExportFailed(f"export {export_id}: {type(exc).__name__}: {exc}") from exc
    missing = f", {len(summary.missing)} missing file(s)" if summary.missing else ""
    return (
        f"export {export_id}: {summary.posts} posts, {summary.media_files} media files, "
        f"{size} bytes in {time.monotonic() - started:.1f} s{missing}"
    )


def delete_quietly(name: str) -> bool:
    try:
        default_storage.delete(name)
    except Exception:
        log.exception("could not delete the export file %s", name)
        return False
    return True


def _email_ready(user: User, site_url: str) -> None:
    context = {"user": user, "url": f"{site_url}{reverse('social:data_export')}", "days": settings.DATA_EXPORT_DAYS,
               "site_name": getattr(settings, "SITE_NAME", "Instaclone")}
    try:
        send_mail(
            subject=getattr(settings, "ACCOUNT_EMAIL_SUBJECT_PREFIX", "") + "Your download is ready",
            message=render_to_string("social/export/email_ready.txt", context),
            from_email=None,
            recipient_list=[user.email],
        )
    except Exception:  # the page shows the link anyway
        log.exception("could not email user %s that their export is ready", user.pk)


def data_exports_expire() -> str:
    """Periodic (settings.TASKS_PERIODIC): delete the files of ready exports past `expires_at` and
    mark them expired (a file that cannot be deleted now stays ready-but-expired, which nobody can
    download, and is tried again next run); fail exports stuck pending or running for STALE_AFTER."""
    now = timezone.now()
    expired = 0
    for pk, name in DataExport.objects.filter(status=Status.READY, expires_at__lte=now).values_list("pk", "file").iterator():
        if name and not delete_quietly(name):
            continue
        expired += DataExport.objects.filter(pk=pk, status=Status.READY).update(status=Status.EXPIRED, file="")
    stale = DataExport.objects.filter(status__in=[Status.PENDING, Status.RUNNING], created__lt=now - STALE_AFTER).update(
        status=Status.FAILED, finished_at=now, error="Took too long: the task was lost (never run, or its worker stopped).",
    )
    return f"{expired} export(s) expired, {stale} stuck export(s) failed"
