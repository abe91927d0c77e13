"""Writes of "Download your information": ask for an archive (its build is queued on commit:
`social.tasks.data_export_build`, which runs `build.py`), remove one, and remove all of a person's
archives (for the account purge).

States (`DataExport.Status`): pending (asked, queued) → running (the task builds it) → ready (the
file is in storage until `expires_at`) → expired (the file deleted); or failed (nothing stored,
`error` says why). A person has at most one export pending, running or ready-and-unexpired at a
time (the request locks the person's row, so a double click makes one), and may ask
DATA_EXPORTS_PER_DAY times in 24 hours (failed attempts do not count)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from instaclone.errors import DomainError
from instaclone.tasks import enqueue_on_commit

from ..models import DataExport
from ..tasks import data_export_build
from .build import delete_quietly

Status = DataExport.Status


class DataExportError(DomainError):
    code = "data_export"


def _open_q(now) -> Q:
    """Exports that block a new request: pending, running, or ready and not expired."""
    return Q(status__in=[Status.PENDING, Status.RUNNING]) | Q(status=Status.READY, expires_at__gt=now)


def data_export_request(*, user: User, site_url: str) -> DataExport:
    """Ask for a new archive of `user`'s data; the task that builds it is queued on commit.
    `site_url` ("https://example.org") makes the archive's links and the email's link absolute.
    Refused (DataExportError) while another export is open or after DATA_EXPORTS_PER_DAY."""
    now = timezone.now()
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True).get()
        mine = DataExport.objects.filter(user=user)
        if mine.filter(_open_q(now)).exists():
            raise DataExportError("Your download is already being prepared or ready below.", code="data_export_open")
        recent = mine.filter(created__gt=now - timedelta(days=1)).exclude(status=Status.FAILED).count()
        if recent >= settings.DATA_EXPORTS_PER_DAY:
            raise DataExportError(
                f"You can request {settings.DATA_EXPORTS_PER_DAY} downloads a day. Please try again tomorrow.",
                code="data_export_rate",
            )
        export = DataExport.objects.create(user=user)
        enqueue_on_commit(data_export_build, export.pk, site_url.rstrip("/"))
    return export


def data_export_delete(*, user: User, export_id: int) -> bool:
    """The owner removes their ready archive before it expires (so they may ask for a fresh one):
    the file is deleted once this commits, the row marked expired. False if there was none."""
    with transaction.atomic():
        export = DataExport.objects.select_for_update().filter(pk=export_id, user=user, status=Status.READY).first()
        if export is None:
            return False
        name = export.file
        DataExport.objects.filter(pk=export.pk).update(status=Status.EXPIRED, file="", expires_at=timezone.now())
        if name:
            transaction.on_commit(lambda: delete_quietly(name))
    return True
