"""Settings → "Download your information": the page (ask for an archive, its progress, the link),
the download itself (the owner's session only), and removing a ready archive."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.files.storage import default_storage
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from instaclone.htmx import login_required_htmx
from instaclone.media.urls import file_url

from . import selectors, services

TEMPLATE = "social/export/download.html"


@login_required_htmx
@require_http_methods(["GET", "HEAD", "POST"])
def data_export(request):
    """GET: the page; an htmx poll (while the archive is being prepared) gets the status region
    only. POST: ask for a new archive, then back to the page (no JavaScript needed)."""
    if request.method == "POST":
        try:
            services.data_export_request(user=request.user, site_url=request.build_absolute_uri("/"))
        except services.DataExportError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "We're preparing your download. We'll email you when it's ready.")
        return redirect("social:data_export")
    context = {
        "state": selectors.data_export_state(request.user),
        "export_days": settings.DATA_EXPORT_DAYS,
        "per_day": settings.DATA_EXPORTS_PER_DAY,
    }
    if request.htmx:
        return render(request, f"{TEMPLATE}#export-status", context)
    return render(request, TEMPLATE, context)


@login_required_htmx
@require_safe
def data_export_file(request, export_id: int):
    """The archive as an attachment, streamed from local storage (on ImageKit: a redirect to a
    signed URL that expires): its owner only (anyone else, or after it expired: 404)."""
    export = selectors.data_export_for_download(request.user, export_id)
    if callable(getattr(default_storage, "rendition_url", None)):  # a remote storage signing its URLs
        # ImageKit: the browser fetches it from ImageKit by a signed URL that expires (a private
        # file's, PRIVATE_MEDIA_URL_TTL), so no worker holds a big archive in memory within a
        # request's ImageKit time budget. The owner check above is what hands the URL out.
        response = redirect(file_url(export.file, private=True))
        response["Cache-Control"] = "private, no-store"
        response["Referrer-Policy"] = "no-referrer"
        return response
    day = export.created.strftime("%Y-%m-%d")
    response = FileResponse(
        default_storage.open(export.file, "rb"),
        as_attachment=True,
        filename=f"instaclone-{request.user.username}-{day}.zip",
        content_type="application/zip",
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required_htmx
@require_POST
def data_export_delete(request, export_id: int):
    if services.data_export_delete(user=request.user, export_id=export_id):
        messages.success(request, "Your download was deleted.")
    return redirect("social:data_export")
