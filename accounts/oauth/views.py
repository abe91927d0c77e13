"""The OAuth side of the client API (Mastodon-compatible): app registration, the consent page (with
Mastodon's out-of-band code page), the token and revocation endpoints (django-oauth-toolkit's, with
Mastodon's token JSON), the RFC 8414 metadata, registration through the API, and the Settings →
Apps page."""

from __future__ import annotations

import hashlib
import json
from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from oauth2_provider.http import OAuth2ResponseRedirect
from oauth2_provider.models import get_access_token_model
from oauth2_provider.settings import oauth2_settings
from oauth2_provider.views import AuthorizationView, RevokeTokenView, TokenView

from instaclone.api import ApiError, Params, endpoint, rate_limit, validation_failed

from .. import ratelimits
from ..forms import SignupForm
from .scopes import describe, known_scopes
from .selectors import authorized_apps
from .services import OOB, api_signup, app_create, tokens_revoke_for_app
from .validators import GRANT_TYPES


def _limit_per_address(request: HttpRequest, name: str, limit_and_period: tuple[int, int]) -> None:
    limit, period = limit_and_period
    rate_limit(f"api-{name}:{ratelimits.client_ip(request) or ''}", limit=limit, period=period)




# --- apps -----------------------------------------------------------------------------------------


def _app_json(app, *, client_secret: str | None = None) -> dict:
    uris = app.redirect_uris.split()
    data = {
        "id": str(app.pk),
        "name": app.name,
        "website": app.website or None,
        "scopes": app.scopes.split(),
        "redirect_uri": "\n".join(uris),
        "redirect_uris": uris,
        "vapid_key": "",
    }
    if client_secret is not None:
        data |= {"client_id": app.client_id, "client_secret": client_secret, "client_secret_expires_at": 0}
    return data


@endpoint(auth="optional")
def apps_create(request: HttpRequest) -> JsonResponse:
    """POST /api/v1/apps: register a client app; the only time its secret is shown."""
    params = Params(request)
    _limit_per_address(request, "apps", settings.API_APP_REGISTRATION_RATE_LIMIT)
    uris = params.getlist("redirect_uris")
    try:
        app, secret = app_create(
            name=params.text("client_name"),
            redirect_uris=" ".join(str(u) for u in uris),
            scopes=params.text("scopes", "read") or "read",
            website=params.text("website"),
        )
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"base": exc.messages}
        return validation_failed({field: [("ERR_INVALID", m) for m in ms] for field, ms in errors.items()})
    return JsonResponse(_app_json(app, client_secret=secret))


@endpoint(auth="app")
def apps_verify_credentials(request: HttpRequest) -> JsonResponse:
    """GET /api/v1/apps/verify_credentials: the app a token belongs to."""
    if request.auth.application is None:
        raise ApiError(401, "The access token is invalid")
    return JsonResponse(_app_json(request.auth.application))


# --- the consent page -----------------------------------------------------------------------------


class AuthorizeView(AuthorizationView):
    """GET /oauth/authorize: django-oauth-toolkit's consent page in the site's layout (the
    template overrides oauth2_provider/authorize.html), sign-in required. Two things it lacks:
    Mastodon's out-of-band redirect (`urn:ietf:wg:oauth:2.0:oob`: the code is shown on a page
    to copy), and native apps' own redirect schemes (the schemes the app registered)."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["scopes_in_words"] = describe(list(context.get("scopes") or []))
        return context

    def redirect(self, redirect_to, application):
        if redirect_to.startswith(OOB):
            query = parse_qs(urlsplit(redirect_to).query)
            code = query.get("code", [""])[0]
            error = query.get("error", [""])[0]
            status = 200 if code else 403 if error == "access_denied" else 400
            return render(
                self.request, "oauth2_provider/oob.html",
                {"code": code, "error": error,
                 "error_description": query.get("error_description", [""])[0], "application": application},
                status=status,
            )
        schemes = {"https"}
        if application is not None:
            refused = set(settings.OAUTH_REFUSED_REDIRECT_SCHEMES)
            schemes |= {urlsplit(uri).scheme.lower() for uri in application.redirect_uris.split()} - refused - {"urn"}
        return OAuth2ResponseRedirect(redirect_to, sorted(schemes))


# --- tokens -----------------------------------------------------------------------------------------


def _token_json(token, raw: str | None = None) -> dict:
    """Mastodon's Token entity."""
    return {
        "access_token": raw,
        "token_type": "Bearer",
        "scope": " ".join(s for s in token.scope.split() if s in set(known_scopes())),
        "created_at": int(token.created.timestamp()),
    }


class MastodonTokenView(TokenView):
    """POST /oauth/token: django-oauth-toolkit's token endpoint (authorization code with PKCE, client
    credentials; form or JSON body) answering with Mastodon's Token JSON: access_token,
    token_type "Bearer", scope, created_at. No expires_in and no refresh_token (Mastodon's tokens
    do not expire; ours last ACCESS_TOKEN_EXPIRE_SECONDS, ten years, until revoked)."""

    def post(self, request, *args, **kwargs):
        if request.POST.get("grant_type", "").startswith("urn:"):  # DOT's device flow: not offered
            return JsonResponse({"error": "unsupported_grant_type"}, status=400)
        response = super().post(request, *args, **kwargs)
        try:
            body = json.loads(response.content or b"{}")
        except ValueError:
            return response
        if response.status_code == 200 and "access_token" in body:
            checksum = hashlib.sha256(body["access_token"].encode()).hexdigest()
            token = get_access_token_model().objects.get(token_checksum=checksum)
            body = _token_json(token, body["access_token"])
        answer = JsonResponse(body, status=response.status_code)
        for name in ("Cache-Control", "Pragma", "WWW-Authenticate"):
            if name in response:
                answer[name] = response[name]
        return answer


class MastodonRevokeView(RevokeTokenView):
    """POST /oauth/revoke (RFC 7009): client_id, client_secret, token; an app revokes only its
    own tokens (django-oauth-toolkit scopes the lookup to the client); always 200, {} as Mastodon."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        if response.status_code == 200:
            return JsonResponse({})
        return response


@require_GET
def server_metadata(request: HttpRequest) -> JsonResponse:
    """/.well-known/oauth-authorization-server (RFC 8414): exactly what is offered."""
    url = request.build_absolute_uri
    return JsonResponse({
        "issuer": oauth2_settings.oauth2_authorization_server_issuer(request),  # the `iss` of RFC 9207
        "service_documentation": "https://docs.joinmastodon.org/",
        "authorization_endpoint": url(reverse("oauth:authorize")),
        "token_endpoint": url(reverse("oauth:token")),
        "revocation_endpoint": url(reverse("oauth:revoke")),
        "app_registration_endpoint": url(reverse("oauth:apps")),
        "scopes_supported": known_scopes(),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": list(GRANT_TYPES),
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
    })


# --- registration through the API -----------------------------------------------------------------

_ERROR_CODES = {
    "required": "ERR_BLANK",
    "reserved": "ERR_RESERVED",
    "invalid": "ERR_INVALID",
    "unique": "ERR_TAKEN",
    "email_taken": "ERR_TAKEN",
    "username_taken": "ERR_TAKEN",
    "password_too_short": "ERR_TOO_SHORT",
    "min_length": "ERR_TOO_SHORT",
    "max_length": "ERR_TOO_LONG",
    "password_too_common": "ERR_INVALID",
    "password_entirely_numeric": "ERR_INVALID",
    "password_too_similar": "ERR_INVALID",
}
_FIELDS = {"password1": "password", "__all__": "base"}


@endpoint(auth="app", scope="write:accounts")
def accounts_register(request: HttpRequest) -> JsonResponse:
    """POST /api/v1/accounts: sign up through the web's sign-up form (allauth's, with the site's
    username rules and its taken-name check) with an app's token; answers with a token for the new
    person. Their email is not confirmed yet: until it is, the token may call only
    verify_credentials (and the endpoints that need no user); the email sent says to sign in once
    on the website, which sends the code, as for any unconfirmed account."""
    if request.auth.user_id is not None:
        raise ApiError(403, "This method requires an app token")
    params = Params(request)
    _limit_per_address(request, "signup", settings.API_SIGNUP_RATE_LIMIT)
    form = SignupForm(data={
        "username": params.text("username").strip(),
        "email": params.text("email").strip(),
        "password1": params.text("password"),
    })
    errors: dict[str, list[tuple[str, str]]] = {}
    if not form.is_valid():  # the form's own codes (ours, allauth's, Django's validators') -> Mastodon's
        for field, field_errors in form.errors.as_data().items():
            for error in field_errors:
                code = _ERROR_CODES.get(error.code or "", "ERR_INVALID")
                errors.setdefault(_FIELDS.get(field, field), []).extend((code, m) for m in error.messages)
    if not params.boolean("agreement"):
        errors.setdefault("agreement", []).append(("ERR_ACCEPTED", "must be accepted"))
    if errors:
        return validation_failed(errors)
    scopes = [s for s in request.auth.scope.split() if s in set(known_scopes())]
    _, token, raw = api_signup(request=request, form=form, application=request.auth.application, scopes=scopes)
    return JsonResponse(_token_json(token, raw))


# --- Settings → Apps -----------------------------------------------------------------------------------


@login_required
@require_GET
def apps_settings(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/apps.html", {"apps": authorized_apps(request.user)})


@login_required
@require_POST
def app_revoke(request: HttpRequest, app_id: int) -> HttpResponse:
    if tokens_revoke_for_app(user=request.user, application_id=app_id):
        messages.success(request, "Access revoked. The app can no longer use your account.")
    return redirect("accounts:apps")
