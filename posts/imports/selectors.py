"""Reads for the import page."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from ..models import ImportJob

PAST_JOBS = 5


def import_jobs(owner) -> list[ImportJob]:
    """The owner's latest jobs, newest first (the first is the one the page shows in full)."""
    return list(ImportJob.objects.filter(owner=owner).order_by("-created", "-id")[: PAST_JOBS + 1])


def import_job_for_owner(owner, pk: int) -> ImportJob:
    """The owner's job, or 404 (anyone else's too)."""
    return get_object_or_404(ImportJob, pk=pk, owner=owner)
