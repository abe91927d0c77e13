"""Reads of "Download your information" for its page and its download."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import Count, Q
from django.http import Http404
from django.utils import timezone

from accounts.models import User

from ..models import DataExport


@dataclass
class ExportState:
    latest: DataExport | None  # the newest export, whatever its state
    requests_left: int  # how many more the person may ask for today

    @property
    def in_progress(self) -> bool:
        return self.latest is not None and self.latest.status in (DataExport.Status.PENDING, DataExport.Status.RUNNING)

    @property
    def ready(self) -> bool:
        return (
            self.latest is not None and self.latest.status == DataExport.Status.READY
            and self.latest.expires_at is not None and self.latest.expires_at > timezone.now()
        )

    @property
    def can_request(self) -> bool:
        return not self.in_progress and not self.ready and self.requests_left > 0


def data_export_state(user: User) -> ExportState:
    """The person's newest export and how many they may still ask for today. Two queries."""
    latest = DataExport.objects.filter(user=user).order_by("-created", "-id").first()
    since = timezone.now() - timedelta(days=1)
    used = DataExport.objects.filter(user=user, created__gt=since).aggregate(
        n=Count("pk", filter=~Q(status=DataExport.Status.FAILED))
    )["n"]
    return ExportState(latest=latest, requests_left=max(0, settings.DATA_EXPORTS_PER_DAY - used))


def data_export_for_download(user: User, export_id: int) -> DataExport:
    """The owner's ready, unexpired export, else 404 (someone else's, still building, expired)."""
    export = DataExport.objects.filter(
        pk=export_id, user=user, status=DataExport.Status.READY, expires_at__gt=timezone.now()
    ).exclude(file="").first()
    if export is None:
        raise Http404("No such download.")
    return export
