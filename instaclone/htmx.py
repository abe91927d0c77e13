"""HTMX helpers shared by the apps.

`login_required_htmx` replaces `login_required` on views that HTMX may call. An anonymous person
gets the login page with `?next=` pointing back to the page they were on:

- HTMX request: an empty 200 with an `HX-Redirect` header, so htmx navigates the whole window to
  the login page (never a login form swapped into a button);
- plain request: a 302 to the login page.

For a GET, "the page they were on" is the requested URL. For a POST it cannot be (a state-changing
URL answers GET with 405), so it is, in order: the form's `next` field, the page htmx reports
(`request.htmx.current_url_abs_path`), the `Referer`, or "/" — each only when it is on this site
(`url_has_allowed_host_and_scheme`).

htmx's request headers are read through django-htmx's `HtmxDetails` (`request.htmx`), never by hand:
it also decodes the values htmx URI-encodes. `htmx_details(request)` gives it for requests that an
early middleware answers before `HtmxMiddleware` ran (error pages, the database-outage page).

Stack it under `@require_POST` so that a GET gets 405 before the login check:

    @require_POST
    @login_required_htmx
    def like(request, pk): ...
"""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.http import HttpResponseClientRedirect
from django_htmx.middleware import HtmxDetails


def htmx_details(request: HttpRequest) -> HtmxDetails:
    """`request.htmx`, or the same details for a request `HtmxMiddleware` has not seen yet."""
    details = getattr(request, "htmx", None)
    return details if isinstance(details, HtmxDetails) else HtmxDetails(request)


def safe_next(request: HttpRequest, candidate: str | None) -> str | None:
    """`candidate` as a local path (path + query) when it points at this site, else None."""
    if not candidate:
        return None
    if not url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return None
    parts = urlsplit(candidate)
    path = parts.path or "/"
    if not path.startswith("/") or path.startswith("//"):
        return None
    return path + (f"?{parts.query}" if parts.query else "")


def back_url(request: HttpRequest, default: str = "/") -> str:
    """Where to send someone back to after a POST: `next` field, htmx's current URL, Referer."""
    for candidate in (
        request.POST.get(REDIRECT_FIELD_NAME) if request.method == "POST" else None,
        request.GET.get(REDIRECT_FIELD_NAME),
        htmx_details(request).current_url_abs_path,
        request.headers.get("Referer"),
    ):
        url = safe_next(request, candidate)
        if url:
            return url
    return default


def login_url_for(request: HttpRequest) -> str:
    """The login URL with `?next=` back to where the person was."""
    next_url = request.get_full_path() if request.method in ("GET", "HEAD") else back_url(request)
    response = redirect_to_login(next_url, resolve_url(settings.LOGIN_URL), REDIRECT_FIELD_NAME)
    return response["Location"]


def login_required_htmx(view):
    """Like `login_required`, but an anonymous HTMX request gets `HX-Redirect` to the login page."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        url = login_url_for(request)
        if getattr(request, "htmx", False):
            return HttpResponseClientRedirect(url)
        return HttpResponseRedirect(url)

    return wrapper
