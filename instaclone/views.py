from django.http import HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.template import loader
from django.templatetags.static import static
from django.views.decorators.csrf import requires_csrf_token
from django_htmx.http import trigger_client_event

from .htmx import back_url, htmx_details


def favicon(request):
    """Browsers ask for /favicon.ico on every page (the admin has no icon link); point them at ours
    instead of letting the request fall through to the /<username>/ catch-all."""
    return HttpResponsePermanentRedirect(static("img/logo.svg"))


# --- Error pages (handler400/403/404/429/500 in instaclone/urls.py, CSRF_FAILURE_VIEW) -------------
# Each error is a page in the site's layout with a way back. An htmx request gets the one-line message
# as text/plain with the same status plus `HX-Trigger: {"showToast": line}`: static/js/app.js toasts it once
# (htmx does not swap 4xx/5xx answers, so a whole page never lands inside a button).

# status: (title, what the page says, the one line an htmx request gets)
ERRORS = {
    400: (
        "Bad request",
        "Something in that link or form wasn't right. Go back and try again.",
        "That request wasn't right. Reload the page and try again.",
    ),
    403: (
        "You can't do that",
        "You don't have permission to see this page or do this.",
        "You don't have permission to do that.",
    ),
    404: (
        "Page not found",
        "The link may be broken, the page may have been removed, or it belongs to an account you can't see.",
        "That is no longer available.",
    ),
    429: (
        "Slow down",
        "That was a lot of tries in a short time. Wait a minute, then try again.",
        "Slow down a little: wait a minute and try again.",
    ),
    500: (
        "Something went wrong",
        "It's not you, it's us. Please try again in a moment.",
        "Something went wrong on our side. Please try again.",
    ),
    # For the database-outage page: error_response(request, 503, minimal=True, template="503.html").
    503: (
        "Back in a moment",
        "We can't reach our database right now. Please try again in a minute.",
        "We can't reach our database right now. Please try again in a minute.",
    ),
}
CSRF_MESSAGE = "This form has expired (or cookies are off). Reload the page and try again."


def _is_htmx_fragment_request(request) -> bool:
    """An htmx request that will swap a fragment (a boosted link or form wants a whole page)."""
    details = htmx_details(request)
    return bool(details) and not details.boosted


def _safe_back(request) -> str:
    """Where "Go back" points: a local page the person came from, else home. Never raises (a 400 may
    come from a request whose Host header is refused)."""
    try:
        return back_url(request, "/")
    except Exception:  # noqa: BLE001 - DisallowedHost and friends: an error page must still render
        return "/"


def error_response(request, status: int, *, message: str | None = None, minimal: bool = False, template=None):
    """The answer for an error `status`: text/plain for htmx, else `errors/<status>.html`.

    `minimal=True` renders without context processors (no session, user or database access): use it
    for 500 and 503 and for requests that may be broken (400). Templates extending
    `errors/base.html` render either way (without a user they show the signed-out header)."""
    title, page_message, short_message = ERRORS.get(status, ERRORS[500])
    if _is_htmx_fragment_request(request):
        # One client-side error channel: app.js toasts on the `showToast` event; the text/plain body
        # stays for clients that read it (app.js does not toast a response that carries the trigger).
        line = message or short_message
        response = HttpResponse(line, status=status, content_type="text/plain; charset=utf-8")
        return trigger_client_event(response, "showToast", line)
    message = message or page_message
    context = {"status": status, "title": title, "message": message, "back": _safe_back(request)}
    template_name = template or f"errors/{status}.html"
    if minimal:
        html = loader.get_template(template_name).render({**context, "request": request})
        return HttpResponse(html, status=status)
    return render(request, template_name, context, status=status)


@requires_csrf_token
def bad_request(request, exception=None):
    return error_response(request, 400, minimal=True)


@requires_csrf_token
def permission_denied(request, exception=None):
    return error_response(request, 403)


@requires_csrf_token
def page_not_found(request, exception=None):
    return error_response(request, 404)


@requires_csrf_token
def too_many_requests(request, exception=None):
    """allauth's rate limits answer through `handler429` in the root URLconf; so does ours."""
    return error_response(request, 429)


@requires_csrf_token
def server_error(request):
    """No database, session or user access: this page must render while PostgreSQL is down."""
    return error_response(request, 500, minimal=True)


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: a 403 in the site's layout that says what to do (reload), not Django's
    developer page. No context processors: the session may be the reason it failed."""
    return error_response(request, 403, message=CSRF_MESSAGE, minimal=True)
