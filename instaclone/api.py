"""The client API's plumbing: what every Mastodon-compatible endpoint shares (issue 14).

- `endpoint(scope=..., auth=...)` wraps a view: it authenticates the bearer token through
  django-oauth-toolkit (tokens are looked up by checksum, stored hashed), ignores the session cookie
  (an API call is never authenticated by a cookie, so it needs no CSRF token), enforces the token's
  scopes with Mastodon's hierarchy (`read` covers `read:statuses`, `follow` covers the follow and
  block sub-scopes), counts the request against the rate limit (`X-RateLimit-*` headers) and turns
  every refusal into Mastodon's `{"error": "..."}` with its status code. Domain errors (a service's
  refusal) are 422, unknown or invisible objects 404, a token without the scope 403.
- `methods(GET=view, DELETE=view)` puts several endpoints on one path.
- `Params` reads a request's parameters the way Mastodon clients send them: query string, form,
  multipart or JSON, `name[]` lists, "true"/"1" booleans, and PUT/PATCH bodies.
- `page_params` turns `max_id` / `since_id` / `min_id` / `limit` into a `Keyset` of the project's
  one keyset paginator; `with_links` writes the `Link` header from a `Page`.

Hand-written rather than django-rest-framework: the API is about 60 small JSON views over the
project's own services and selectors; DRF would add a second request/serializer/permission stack
beside the one the pages use, and none of its parts (its cursor pagination included) speaks
Mastodon's parameters. Infrastructure: imports no app.
"""

from __future__ import annotations

import functools
import json
import time
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


class ApiError(Exception):
    """A refusal answered as `{"error": message}` with `status`."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


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


def _bearer_token(request: HttpRequest):
    """The access token the request carries (None without one); ApiError 401 for a bad one."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if not header and "access_token" not in request.GET and "access_token" not in request.POST:
        return None
    from oauth2_provider.oauth2_backends import get_oauthlib_core

    valid, oauth_request = get_oauthlib_core().verify_request(request, scopes=[])
    token = getattr(oauth_request, "access_token", None) if valid else None
    if token is None:
        raise ApiError(401, "The access token is invalid")
    if token.user_id is not None and not token.user.is_active:
        raise ApiError(401, "The access token is invalid")
    return token


def _rate_limit_key(request: HttpRequest, token) -> str:
    if token is not None:
        return f"api-rl:t:{token.pk}"
    return f"api-rl:ip:{request.META.get('REMOTE_ADDR', '')}"


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
    if used > limit:
        raise ApiError(429, "Too many requests")
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


def endpoint(*, scope: str | None = None, auth: str = "user", unconfirmed: bool = False):
    """Make a view an API endpoint.

    auth: "user" - a token with a user (401 without a token, 422 with an app's token); unless
          `unconfirmed=True` (verify_credentials), settings.API_USER_CHECK may refuse the user with
          a 403 (Mastodon: "Your login is missing a confirmed e-mail address");
          "app" - any valid token, an app's or a user's;
          "optional" - anonymous allowed (then `request.user` is anonymous); a token, if sent, must
          be valid and have the scope.
    scope: what the token must grant (e.g. "write:favourites"), checked whenever a token is sent."""

    def decorate(view):
        @csrf_exempt
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs):
            headers: dict[str, str] = {}
            try:
                token = _bearer_token(request)
                if token is None and auth != "optional":
                    raise ApiError(401, "The access token is invalid")
                if auth == "user" and token is not None and token.user_id is None:
                    raise ApiError(422, "This method requires an authenticated user")
                _check_scope(token, scope)
                check = _user_check() if auth == "user" and not unconfirmed else None
                if check is not None and (refusal := check(request, token)):
                    raise ApiError(403, refusal)
                request.user = token.user if token is not None and token.user_id else AnonymousUser()
                request.auth = token
                limit, period = settings.API_RATE_LIMIT
                headers = _rate_headers(*rate_limit(_rate_limit_key(request, token), limit=limit, period=period))
                response = view(request, *args, **kwargs)
            except ApiError as exc:
                response = error_response(exc.status, exc.message)
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


def methods(**views):
    """One path, one view per HTTP method (each already an `endpoint`); 405 JSON otherwise."""

    @csrf_exempt
    def dispatch(request: HttpRequest, *args, **kwargs):
        view = views.get(request.method)
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
        value = self.get(name, default)
        if not isinstance(value, (str, int, float)):
            raise ApiError(422, f"{name} must be text")
        return str(value)

    def boolean(self, name: str, default: bool = False) -> bool:
        value = self.get(name)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        return str(value).strip().lower() in _TRUE

    def integer(self, name: str, default: int | None = None) -> int | None:
        value = self.get(name)
        if value in (None, ""):
            return default
        try:
            return int(value)
        except (TypeError, ValueError):
            raise ApiError(422, f"{name} must be a number") from None


def object_id(value) -> int:
    """A path or parameter id as an int; a 404 for anything that is not one (no such record)."""
    text = str(value)
    if not text.isdigit() or len(text) > 18:
        raise Http404
    return int(text)


# --- pagination ----------------------------------------------------------------------------------


def page_params(request: HttpRequest, *, resolve=None, max_limit: int = MAX_LIMIT) -> tuple[Keyset, int]:
    """(Keyset, limit) from `max_id`, `since_id`, `min_id` and `limit`.

    The ids in our Link headers are the paginator's own opaque cursors. A client may also pass an
    object's numeric id (Mastodon's ids are numbers): `resolve(pk)` turns it into that object's
    cursor in this list (one query); None or no `resolve` makes it a 400."""
    bounds = {}
    for name in ("max_id", "since_id", "min_id"):
        value = request.GET.get(name)
        if not value:
            continue
        if value.isdigit():
            cursor = resolve(int(value)) if resolve is not None and len(value) <= 18 else None
            if cursor is None:
                raise ApiError(400, f"Unknown {name}")
            value = cursor
        bounds[name.removesuffix("_id")] = value
    limit = request.GET.get("limit", "")
    size = int(limit) if limit.isdigit() else DEFAULT_LIMIT
    return Keyset(**bounds), max(1, min(size, max_limit))


def with_links(request: HttpRequest, response: JsonResponse, page: Page) -> JsonResponse:
    """Add Mastodon's `Link` header: rel="next" (older: max_id) and rel="prev" (newer: min_id)."""
    base = {k: v for k, v in request.GET.items() if k not in ("max_id", "since_id", "min_id")}
    path = request.build_absolute_uri(request.path)
    links = []
    if page.next_cursor:
        links.append(f'<{path}?{urlencode({**base, "max_id": page.next_cursor})}>; rel="next"')
    if page.prev_cursor:
        links.append(f'<{path}?{urlencode({**base, "min_id": page.prev_cursor})}>; rel="prev"')
    if links:
        response["Link"] = ", ".join(links)
    return response


def json_page(request: HttpRequest, page: Page, data: list) -> JsonResponse:
    """A page of serialized items with its Link header."""
    return with_links(request, JsonResponse(data, safe=False), page)
