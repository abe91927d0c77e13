"""The client API's plumbing: what every Mastodon-compatible endpoint shares (issue 14).

- `endpoint(scope=..., auth=...)` wraps a view: it authenticates the bearer token through
  django-oauth-toolkit (tokens are looked up by checksum, stored hashed), ignores the session cookie
  (an API call is never authenticated by a cookie, so it needs no CSRF token), enforces the token's
  scopes with Mastodon's hierarchy (`read` covers `read:statuses`, `follow` covers the follow and
  block sub-scopes), counts the request against the rate limit (`X-RateLimit-*` headers; a request
  with a missing or invalid token counts against its address, so guessing tokens is limited too) and
  turns every refusal into Mastodon's `{"error": "..."}` with its status code. Domain errors (a
  service's refusal) are 422, unknown or invisible objects 404, a token without the scope 403, a
  body larger than the endpoint takes 413 (before the token is checked, so before it is read).
- `methods(GET=view, DELETE=view)` puts several endpoints on one path.
- `Params` reads a request's parameters the way Mastodon clients send them: query string, form,
  multipart or JSON, `name[]` lists, "true"/"1" booleans, and PUT/PATCH bodies. `parse_id` is the
  one reader of ids (paths, parameters, cursors): ASCII digits only.
- `page_params` turns `max_id` / `since_id` / `min_id` / `limit` into a `Keyset` of the project's
  one keyset paginator (a numeric id naming nothing the caller may see in the list: `EmptyPage`, an
  empty list); `with_links` writes the `Link` header from a `Page`.

Hand-written rather than django-rest-framework: the API is about 60 small JSON views over the
project's own services and selectors; DRF would add a second request/serializer/permission stack
beside the one the pages use, and none of its parts (its cursor pagination included) speaks
Mastodon's parameters. Infrastructure: imports no app.
"""

from __future__ import annotations

import functools
import json
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.core.exceptions import BadRequest, ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, JsonResponse, QueryDict
from django.utils.module_loading import import_string
from django.views.decorators.csrf import csrf_exempt

from instaclone.errors import DomainError
from instaclone.pagination import Keyset, Page

# Mastodon's legacy `follow` scope grants these sub-scopes.
FOLLOW_SCOPES = frozenset(
    {"read:follows", "write:follows", "read:blocks", "write:blocks", "read:mutes", "write:mutes"}
)
DEFAULT_LIMIT = 20
MAX_LIMIT = 40
# The largest body an endpoint takes unless it says otherwise (`endpoint(max_body=...)`): JSON and
# form parameters; endpoints that take files pass their largest accepted file plus the form.
DEFAULT_MAX_BODY = 1024 * 1024
_ID = re.compile(r"[0-9]{1,18}")


class ApiError(Exception):
    """A refusal answered as `{"error": message}` with `status`."""

    def __init__(self, status: int, message: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


class EmptyPage(Exception):  # noqa: N818 - an answer, not an error
    """Raised by `page_params` for a numeric max_id / since_id / min_id that names nothing in the
    list for this caller (it never existed, was deleted, or may not be seen): `endpoint` answers an
    empty list, 200, the same for every reason, so the answer tells nothing about the object."""


def error_response(status: int, message: str, *, headers: dict | None = None) -> JsonResponse:
    return JsonResponse({"error": message}, status=status, headers=headers)


def scope_allows(granted: frozenset[str] | set[str], needed: str) -> bool:
    """Whether a token with `granted` scopes may use an endpoint that needs `needed`."""
    if needed in granted or needed.split(":", 1)[0] in granted:
        return True
    return "follow" in granted and needed in FOLLOW_SCOPES


def token_scopes(token) -> frozenset[str]:
    return frozenset((token.scope or "").split())


# --- authentication, scopes, rate limits -------------------------------------------------------


INVALID_TOKEN = "The access token is invalid"  # noqa: S105 - a message, not a secret
# RFC 6750 §3: a 401 names the scheme; `invalid_token` once a token was sent.
_NO_TOKEN_CHALLENGE = {"WWW-Authenticate": "Bearer"}
_INVALID_TOKEN_CHALLENGE = {"WWW-Authenticate": 'Bearer error="invalid_token"'}


def _form_token(request: HttpRequest) -> bool:
    """Whether a URL-encoded form body carries `access_token` (RFC 6750 §2.2). A multipart body is
    never parsed for one: that would read (and spool to disk) an upload before its token is known."""
    content_type = request.content_type or ""
    return content_type == "application/x-www-form-urlencoded" and "access_token" in request.POST


def _bearer_token(request: HttpRequest):
    """The access token the request carries (None without one); ApiError 401 for a bad one. The
    OAuth backend reads no body when the token is in the Authorization header
    (accounts.oauth.server.FormOrJsonOAuthLibCore.verify_request)."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if not header and "access_token" not in request.GET and not _form_token(request):
        return None
    from oauth2_provider.oauth2_backends import get_oauthlib_core

    valid, oauth_request = get_oauthlib_core().verify_request(request, scopes=[])
    token = getattr(oauth_request, "access_token", None) if valid else None
    if token is None or (token.user_id is not None and not token.user.is_active):
        raise ApiError(401, INVALID_TOKEN, headers=_INVALID_TOKEN_CHALLENGE)
    return token


@functools.cache
def _client_ip():
    """settings.API_CLIENT_IP: a dotted path to `client_ip(request) -> str | None`, the one way the
    site reads a client's address (accounts.ratelimits.client_ip: behind a proxy, the configured
    header or X-Forwarded-For entry, never REMOTE_ADDR, which would put every client in one bucket)."""
    path = getattr(settings, "API_CLIENT_IP", None)
    return import_string(path) if path else (lambda request: request.META.get("REMOTE_ADDR", ""))


def _rate_limit_key(request: HttpRequest, token) -> str:
    if token is not None:
        return f"api-rl:t:{token.pk}"
    return f"api-rl:ip:{_client_ip()(request) or ''}"


def rate_limit(key: str, *, limit: int, period: int) -> tuple[int, int, int]:
    """Count one request against `key`'s fixed window: (limit, remaining, reset epoch). Raises
    ApiError 429 past the limit. While the cache is away every request is allowed (the cache
    backend answers misses then; a limit that fails closed would take the API down with Redis)."""
    now = int(time.time())
    window = now - now % period
    reset = window + period
    cache_key = f"{key}:{window}"
    try:
        cache.add(cache_key, 0, period + 5)
        used = cache.incr(cache_key)
    except Exception:  # noqa: BLE001 - missing key after an outage, or the cache is down
        used = 1
    remaining = max(0, limit - used)
    if used > limit:  # the answer says when to come back (Mastodon.py's "wait" mode reads these)
        headers = {**_rate_headers(limit, 0, reset), "Retry-After": str(max(1, reset - now))}
        raise ApiError(429, "Too many requests", headers=headers)
    return limit, remaining, reset


def _rate_headers(limit: int, remaining: int, reset: int) -> dict[str, str]:
    return {
        "X-RateLimit-Limit": str(limit),
        "X-RateLimit-Remaining": str(remaining),
        "X-RateLimit-Reset": datetime.fromtimestamp(reset, tz=UTC).isoformat().replace("+00:00", "Z"),
    }


def _check_scope(token, scope: str | None) -> None:
    if token is not None and scope and not scope_allows(token_scopes(token), scope):
        raise ApiError(403, "This action is outside the authorized scopes")


@functools.cache
def _user_check():
    """settings.API_USER_CHECK: a dotted path to `check(request, token) -> str | None`, a refusal
    message for a user's token that may not use user endpoints yet (accounts decides: an account
    whose email is not confirmed). Infrastructure imports no app, so the app is named by setting."""
    path = getattr(settings, "API_USER_CHECK", None)
    return import_string(path) if path else None


def _body_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0  # Django reads no body then either


def _count_request(request: HttpRequest, token) -> dict[str, str]:
    """Count the request against its token's limit (its address's without a valid token): the
    X-RateLimit-* headers; ApiError 429, with them and Retry-After, past the limit."""
    limit, period = settings.API_RATE_LIMIT
    return _rate_headers(*rate_limit(_rate_limit_key(request, token), limit=limit, period=period))


def endpoint(
    *,
    scope: str | None = None,
    auth: str = "user",
    unconfirmed: bool = False,
    max_body: int | Callable[[], int] = DEFAULT_MAX_BODY,
):
    """Make a view an API endpoint.

    auth: "user" - a token with a user (401 without a token, 422 with an app's token); unless
          `unconfirmed=True` (verify_credentials), settings.API_USER_CHECK may refuse the user with
          a 403 (Mastodon: "Your login is missing a confirmed e-mail address");
          "app" - any valid token, an app's or a user's;
          "optional" - anonymous allowed (then `request.user` is anonymous); a token, if sent, must
          be valid and have the scope.
    scope: what the token must grant (e.g. "write:favourites"), checked whenever a token is sent.
    max_body: the largest body (Content-Length, in bytes) taken, or a function giving it (settings
          read per request); a larger one is a 413 before the token is checked and before anything
          reads the body."""

    def decorate(view):
        @csrf_exempt
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs):
            headers: dict[str, str] = {}
            try:
                limit = max_body() if callable(max_body) else max_body
                if _body_length(request) > limit:
                    raise ApiError(413, "The request is too large")
                try:
                    token = _bearer_token(request)
                    if token is None and auth != "optional":
                        raise ApiError(401, INVALID_TOKEN, headers=_NO_TOKEN_CHALLENGE)
                except ApiError:
                    headers = _count_request(request, None)  # guessing tokens is rate limited too
                    raise
                if auth == "user" and token is not None and token.user_id is None:
                    raise ApiError(422, "This method requires an authenticated user")
                _check_scope(token, scope)
                check = _user_check() if auth == "user" and not unconfirmed else None
                if check is not None and (refusal := check(request, token)):
                    raise ApiError(403, refusal)
                request.user = token.user if token is not None and token.user_id else AnonymousUser()
                request.auth = token
                headers = _count_request(request, token)
                response = view(request, *args, **kwargs)
            except EmptyPage:
                response = JsonResponse([], safe=False)
            except ApiError as exc:
                response = error_response(exc.status, exc.message, headers=exc.headers)
                if exc.status == 401 and "WWW-Authenticate" not in exc.headers:
                    response["WWW-Authenticate"] = _INVALID_TOKEN_CHALLENGE["WWW-Authenticate"]
            except DomainError as exc:  # a service refused: its own 4xx (a rate limit's 429) or 422
                status = getattr(exc, "status", 422)
                response = error_response(status if 400 <= status < 500 else 422, exc.message)
            except (Http404, ObjectDoesNotExist):
                response = error_response(404, "Record not found")
            except PermissionDenied:
                response = error_response(403, "This action is not allowed")
            except ValidationError as exc:
                response = error_response(422, "; ".join(exc.messages))
            except BadRequest as exc:
                response = error_response(400, str(exc) or "Bad request")
            for name, value in headers.items():
                response.setdefault(name, value)
            # What a token reads is that person's: no shared cache may keep it (Mastodon does the same).
            response.setdefault("Cache-Control", "private, no-store")
            return response

        wrapper.api_endpoint = True
        return wrapper

    return decorate


def validation_failed(errors: dict[str, list[tuple[str, str]]]) -> JsonResponse:
    """Mastodon's 422 for refused fields: {"error": "Validation failed: …", "details": {field:
    [{"error": code, "description": message}]}}, from `errors`: field -> [(code, message)] (codes as
    Mastodon's: ERR_BLANK, ERR_TAKEN, ERR_INVALID…). The summary is the messages; a fragment (Mastodon
    style, "must be accepted") is prefixed with its field's name."""
    details = {
        field: [{"error": code, "description": message} for code, message in items] for field, items in errors.items()
    }
    summary = ", ".join(
        message if message[:1].isupper() else f"{field.replace('_', ' ').capitalize()} {message}"
        for field, items in errors.items()
        for _, message in items
    )
    return JsonResponse({"error": f"Validation failed: {summary}", "details": details}, status=422)


def methods(**views):
    """One path, one view per HTTP method (each already an `endpoint`); 405 JSON otherwise."""

    @csrf_exempt
    def dispatch(request: HttpRequest, *args, **kwargs):
        view = views.get(request.method) or (views.get("GET") if request.method == "HEAD" else None)
        if view is None:
            response = error_response(405, "Method not allowed")
            response["Allow"] = ", ".join(sorted(views))
            return response
        return view(request, *args, **kwargs)

    dispatch.api_endpoint = True
    return dispatch


def not_found(request: HttpRequest, *args, **kwargs) -> JsonResponse:
    """Unknown API paths: a JSON 404, so clients degrade gracefully instead of parsing a page."""
    return error_response(404, "Not found")


# --- parameters ----------------------------------------------------------------------------------


_TRUE = {"1", "true", "on", "yes", "t"}


class Params:
    """A request's parameters as Mastodon clients send them (query string, form, multipart or a
    JSON body; PUT and PATCH too)."""

    def __init__(self, request: HttpRequest) -> None:
        self.files = request.FILES
        self._json: dict = {}
        self._form: QueryDict = request.GET.copy()
        content_type = request.content_type or ""
        if request.method in ("PUT", "PATCH", "DELETE") and content_type.startswith(
            ("multipart/form-data", "application/x-www-form-urlencoded")
        ):
            # Django parses bodies of POST only; the same parser reads the others. An earlier look
            # at request.POST (the token check) left it empty for this method: parse it again.
            request.__dict__.pop("_post", None)
            request.__dict__.pop("_files", None)
            method, request.method = request.method, "POST"
            try:
                request._load_post_and_files()
            finally:
                request.method = method
            self.files = request.FILES
        if content_type == "application/json" and request.body:
            try:
                body = json.loads(request.body)
            except (ValueError, UnicodeDecodeError):
                raise ApiError(400, "The request body is not valid JSON") from None
            if not isinstance(body, dict):
                raise ApiError(400, "The request body must be a JSON object")
            self._json = body
        else:
            self._form.update(request.POST)

    def get(self, name: str, default=None):
        if name in self._json:
            value = self._json[name]
            return default if value is None else value
        return self._form.get(name, default)

    def has(self, name: str) -> bool:
        return name in self._json or name in self._form or f"{name}[]" in self._form

    def getlist(self, name: str) -> list:
        if name in self._json:
            value = self._json[name]
            return list(value) if isinstance(value, (list, tuple)) else [value]
        return self._form.getlist(f"{name}[]") or self._form.getlist(name)

    def text(self, name: str, default: str = "") -> str:
        return text_value(self.get(name, default), name)

    def boolean(self, name: str, default: bool = False) -> bool:
        value = self.get(name)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        return text_value(value, name).strip().lower() in _TRUE

    def integer(self, name: str, default: int | None = None) -> int | None:
        value = self.get(name)
        if value in (None, ""):
            return default
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str):
            digits = value.removeprefix("-")
            number = 0 if digits == "0" else parse_id(digits)
            if number is not None:
                return -number if value.startswith("-") else number
        raise ApiError(422, f"{name} must be a number")


def text_value(value, name: str) -> str:
    """A parameter that must be text (a JSON string or number, a form field): a list or an object
    where text is expected is a 422, never its Python spelling stored."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ApiError(422, f"{name} must be text")
    return str(value)


def parse_id(value) -> int | None:
    """The one reader of ids from paths, parameters and JSON: 1 to 18 ASCII digits (or a JSON
    integer) above 0, else None. Not `str.isdigit()`: "²" and "١" are digits to it, and `int()`
    refuses the first and reads the second as 1."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return None
    text = str(value)
    if not _ID.fullmatch(text):
        return None
    number = int(text)
    return number if number > 0 else None


def object_id(value) -> int:
    """A path or parameter id as an int; a 404 for anything that is not one (no such record)."""
    number = parse_id(value)
    if number is None:
        raise Http404
    return number


# --- pagination ----------------------------------------------------------------------------------


def page_params(request: HttpRequest, *, resolve=None, max_limit: int = MAX_LIMIT) -> tuple[Keyset, int]:
    """(Keyset, limit) from `max_id`, `since_id`, `min_id` and `limit`.

    The ids in our Link headers are the paginator's own opaque cursors (one we did not make is a
    400). A client may also pass an object's numeric id (Mastodon's ids are numbers): `resolve(pk)`
    turns it into that object's cursor in this list (one query) when the caller may see it there.
    An id that resolves to nothing - never existed, deleted since (a client polling with the
    min_id of a deleted status), invisible to the caller, or a list without `resolve` - raises
    `EmptyPage`: an empty list, 200, identical whatever the reason."""
    bounds = {}
    for name in ("max_id", "since_id", "min_id"):
        value = request.GET.get(name)
        if not value:
            continue
        number = parse_id(value)
        if number is not None:
            value = resolve(number) if resolve is not None else None
            if value is None:
                raise EmptyPage
        bounds[name.removesuffix("_id")] = value
    size = parse_id(request.GET.get("limit", "")) or DEFAULT_LIMIT
    return Keyset(**bounds), min(size, max_limit)


def with_links(request: HttpRequest, response: JsonResponse, page: Page) -> JsonResponse:
    """Add Mastodon's `Link` header: rel="next" (older: max_id) and rel="prev" (newer: min_id).
    Every other parameter is kept, repeated ones (`exclude_types[]=a&exclude_types[]=b`) too."""
    base = {k: v for k, v in request.GET.lists() if k not in ("max_id", "since_id", "min_id")}
    path = request.build_absolute_uri(request.path)
    links = []
    if page.next_cursor:
        links.append(f'<{path}?{urlencode({**base, "max_id": [page.next_cursor]}, doseq=True)}>; rel="next"')
    if page.prev_cursor:
        links.append(f'<{path}?{urlencode({**base, "min_id": [page.prev_cursor]}, doseq=True)}>; rel="prev"')
    if links:
        response["Link"] = ", ".join(links)
    return response


def json_page(request: HttpRequest, page: Page, data: list) -> JsonResponse:
    """A page of serialized items with its Link header."""
    return with_links(request, JsonResponse(data, safe=False), page)
