"""Settings → Import from Instagram (`/settings/import/`): the upload form, the latest job's
progress (an htmx partial polled every 2 s while it runs; a plain page without JavaScript), and
Cancel."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from instaclone.errors import add_to_form
from instaclone.htmx import login_required_htmx
from instaclone.media.files import StorageError

from . import selectors, services
from .archive import ArchiveRefused
from .forms import ImportForm


def _context(request, form, refusal: str = "") -> dict:
    jobs = selectors.import_jobs(request.user)
    return {
        "form": form,
        "refusal": refusal,
        "job": jobs[0] if jobs else None,
        "past": jobs[1:],
        "max_zip_bytes": settings.IMPORT_MAX_ZIP_BYTES,
    }


def _content_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


@login_required_htmx
@require_http_methods(["GET", "POST"])
def import_page(request):
    if request.method == "GET":
        return render(request, "posts/import.html", _context(request, ImportForm()))
    # Refused before the body is read: an upload over the limit never reaches the disk.
    if refusal := services.size_refusal(_content_length(request) - 64 * 1024):
        return render(request, "posts/import.html", _context(request, ImportForm(), refusal), status=413)
    form = ImportForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.import_start(owner=request.user, upload=form.cleaned_data["archive"])
        except (ArchiveRefused, services.ImportBusy, StorageError) as exc:
            add_to_form(form, exc, "archive")
        else:
            messages.success(request, "Your archive was uploaded: its posts are being imported.")
            return redirect("imports:page")
    return render(request, "posts/import.html", _context(request, form), status=400)


@login_required_htmx
@require_GET
def import_progress(request, pk: int):
    """The job's progress partial (htmx polls it); a plain request gets the whole page."""
    job = selectors.import_job_for_owner(request.user, pk)
    if not request.htmx:
        return redirect("imports:page")
    return render(request, "posts/import.html#import-progress", {"job": job})


@login_required_htmx
@require_POST
def import_cancel(request, pk: int):
    job = selectors.import_job_for_owner(request.user, pk)
    services.import_cancel(job=job)
    messages.info(request, "Cancelling the import. Posts already imported stay on your profile.")
    return redirect("imports:page")
