"""Serving local media through Django (SERVE_MEDIA), with private accounts' media behind expiring
signed URLs (see `instaclone.media.urls`).

- `?e=<expiry>&s=<signature>` present: the signature must be ours (else 403) and not expired (else
  403); the file is sent with `Cache-Control: private, max-age=<seconds left>`.
- no signature: the file is refused (404, as if it did not exist) when `is_private_name(name)` says
  it belongs to a private account, so a link copied while the account was public, or by a removed
  follower, stops working; otherwise it is public and sent with
  `Cache-Control: public, max-age=31536000, immutable`.

`is_private_name` comes from the URLconf (the posts app answers it), since this module imports no app.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.signing import BadSignature
from django.http import Http404
from django.views.decorators.http import require_safe
from django.views.static import serve

from .urls import check_signature

PUBLIC_CACHE = "public, max-age=31536000, immutable"
_now = time.time  # tests move the clock here


@require_safe
def serve_media(request, path: str, is_private_name: Callable[[str], bool] | None = None):
    # NUL, or a name the filesystem refuses (ENAMETOOLONG would be a 500 from serve()).
    if "\x00" in path or len(path) > 1024 or any(len(part.encode()) > 255 for part in path.split("/")):
        raise Http404("No such file.")
    # Only a stored name's one spelling: `serve()` normalises `./`, `//` and `x/../`, so another
    # spelling of a private file's name would slip past the name check below.
    if any(part in ("", ".", "..") for part in path.split("/")):
        raise Http404("No such file.")
    expires, signature = request.GET.get("e"), request.GET.get("s")
    if expires is not None or signature is not None:
        try:
            expiry = check_signature(path, expires, signature)
        except BadSignature:
            raise PermissionDenied("This media link is not valid.") from None
        left = expiry - int(_now())
        if left <= 0:
            raise PermissionDenied("This media link has expired; reload the page for a new one.")
        response = serve(request, path, document_root=settings.MEDIA_ROOT)
        response["Cache-Control"] = f"private, max-age={left}"
    else:
        if is_private_name is not None and is_private_name(path):
            raise Http404("No such file.")
        response = serve(request, path, document_root=settings.MEDIA_ROOT)
        response["Cache-Control"] = PUBLIC_CACHE
    response["X-Content-Type-Options"] = "nosniff"
    return response
