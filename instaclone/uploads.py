"""Refusing an upload request before its body is read.

Django reads (and spools to disk) a multipart body when the view first touches `request.POST` or
`request.FILES`; a view that knows the largest body it could accept asks `request_too_big` first,
from the declared Content-Length alone, and answers 413 with the sentence it returns (posts' new
post, stories' new story)."""

from __future__ import annotations

from django.http import HttpRequest

MB = 1_048_576


def content_length(request: HttpRequest) -> int:
    """The request's declared body length (0 when absent or not a number: Django reads no body then)."""
    try:
        return max(0, int(request.META.get("CONTENT_LENGTH") or 0))
    except ValueError:
        return 0


def request_too_big(request: HttpRequest, limit: int, what: str, *, in_total: bool = False) -> str:
    """A sentence for the person when the body is larger than `limit` bytes, else "": "This upload
    is too large (300 MB). A post can be 210 MB at most in total." for what="A post", in_total=True."""
    length = content_length(request)
    if length <= limit:
        return ""
    total = " in total" if in_total else ""
    return f"This upload is too large ({length / MB:.0f} MB). {what} can be {limit / MB:.0f} MB at most{total}."
