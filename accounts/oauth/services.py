"""Writes for the client API's OAuth side: registering client apps, issuing the token that
`POST /api/v1/accounts` returns, and revoking tokens (one app's for one person, or all of a
person's, on a password change, "sign out other sessions" or suspension).

Tokens are django-oauth-toolkit's rows, stored as checksums; revoking deletes them (and any codes
not yet exchanged), so the next request with a revoked token is a 401 at once."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Value
from django.db.models.functions import Replace
from django.utils import timezone
from oauth2_provider.models import (
    AbstractApplication,
    get_access_token_model,
    get_application_model,
    get_grant_model,
    get_refresh_token_model,
    set_token_value,
)
from oauth2_provider.settings import oauth2_settings
from oauthlib.common import generate_token

from instaclone.pagination import MAX_ID

from ..models import User
from .scopes import parse_scopes, unknown_scopes

OOB = "urn:ietf:wg:oauth:2.0:oob"
# A pseudo-scope on the token that `POST /api/v1/accounts` returns, until the account's email is
# confirmed (accounts.oauth.checks). Not a scope any client can ask for (the validator refuses it).
UNCONFIRMED = "unconfirmed"
LOOPBACK = ("127.0.0.1", "::1", "localhost")  # RFC 8252 §7.3: a native app's own local server


def _redirect_uris(text: str) -> list[str]:
    uris = list(dict.fromkeys((text or "").split()))
    if not uris:
        raise ValidationError({"redirect_uris": ["can't be blank"]})
    refused = set(settings.OAUTH_REFUSED_REDIRECT_SCHEMES)
    for uri in uris:
        parts = urlsplit(uri)
        scheme = parts.scheme.lower()
        if uri == OOB:
            continue
        if "#" in uri or not scheme or scheme in refused or scheme == "urn":
            raise ValidationError({"redirect_uris": ["must be an absolute URI without a fragment"]})
        if scheme in ("http", "https"):
            try:
                URLValidator(schemes=["http", "https"])(uri)
            except ValidationError:
                raise ValidationError({"redirect_uris": ["must be an absolute URI"]}) from None
            if scheme == "http" and parts.hostname not in LOOPBACK:
                raise ValidationError({"redirect_uris": ["must use https (http only to 127.0.0.1, [::1] or localhost)"]})
        elif not (parts.netloc or parts.path) or not scheme.replace(".", "").replace("-", "").replace("+", "").isalnum():
            raise ValidationError({"redirect_uris": ["must be an absolute URI"]})
    return uris


def app_create(*, name: str, redirect_uris: str, scopes: str | None = None, website: str = ""):
    """Register a client app (Mastodon's POST /api/v1/apps): a confidential client that may use the
    authorization code and client credentials grants for the scopes it names (default "read").
    Raises ValidationError with the fields at fault. Returns (app, client_secret): the secret is
    stored hashed, so this is the only time it is known."""
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["client_name"] = ["can't be blank"]
    elif len(name) > 255:
        errors["client_name"] = ["is too long (maximum is 255 characters)"]
    try:
        uris = _redirect_uris(redirect_uris)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    wanted = parse_scopes(scopes)
    if unknown := unknown_scopes(wanted):
        errors["scopes"] = [f"unknown scope: {' '.join(unknown)}"]
    website = (website or "").strip()
    if website:
        try:
            URLValidator(schemes=["http", "https"])(website)
        except ValidationError:
            errors["website"] = ["is not a valid URL"]
        if len(website) > 200:
            errors["website"] = ["is too long (maximum is 200 characters)"]
    if errors:
        raise ValidationError(errors)
    secret = generate_token(40)
    app = get_application_model().objects.create(
        name=name,
        redirect_uris=" ".join(uris),
        client_type=AbstractApplication.CLIENT_CONFIDENTIAL,
        authorization_grant_type=AbstractApplication.GRANT_AUTHORIZATION_CODE,
        client_secret=secret,
        hash_client_secret=True,
        scopes=" ".join(wanted),
        website=website,
    )
    return app, secret


def token_issue(*, user: User, application, scopes: list[str], unconfirmed: bool = False):
    """A new access token for `user` through `application` (the token `POST /api/v1/accounts`
    returns). Returns (token row, raw token string)."""
    raw = generate_token(43)

    scope = " ".join([*scopes, *([UNCONFIRMED] if unconfirmed else [])])
    token = get_access_token_model()(
        user=user, application=application, scope=scope,
        expires=timezone.now() + timedelta(seconds=oauth2_settings.ACCESS_TOKEN_EXPIRE_SECONDS),
    )
    set_token_value(token, raw)  # only the checksum is stored (COMPLIANT_BCP_RFC9700_TOKEN_STORAGE)
    token.save()
    return token, raw


def api_signup(*, request, form, application, scopes: list[str]):
    """Sign up through the API (`POST /api/v1/accounts`): save the person through the web's sign-up
    form (`accounts.forms.SignupForm`, already valid: the same username, email and password rules),
    send allauth's `user_signed_up`, and return (user, token row, raw token) for a token of
    `application` with `scopes`, marked unconfirmed until the email address is.

    The web confirms the address with a code tied to the browser's session, which an API client
    does not have; so the email sent here says to sign in once on the website, where allauth sends
    that code, as it does for any unconfirmed account signing in."""
    from allauth.account.adapter import get_adapter
    from allauth.account.signals import user_signed_up
    from django.urls import reverse

    with transaction.atomic():
        user = form.save(request)
        token, raw = token_issue(user=user, application=application, scopes=scopes, unconfirmed=True)
    user_signed_up.send(sender=user.__class__, request=request, user=user)
    get_adapter().send_mail("accounts/email/api_signup", user.email, {
        "user": user, "app_name": application.name or "an app",
        "login_url": request.build_absolute_uri(reverse("account_login")),
    })
    return user, token, raw


def tokens_confirm_for_user(*, user: User) -> int:
    """The person's email is confirmed: their tokens lose the unconfirmed mark."""
    return get_access_token_model().objects.filter(user=user, scope__contains=UNCONFIRMED).update(
        scope=Replace(Replace("scope", Value(f" {UNCONFIRMED}"), Value("")), Value(UNCONFIRMED), Value(""))
    )


def _revoke(**lookup) -> int:
    with transaction.atomic():
        get_refresh_token_model().objects.filter(**lookup).delete()
        get_grant_model().objects.filter(**lookup).delete()
        deleted, _ = get_access_token_model().objects.filter(**lookup).delete()
    return deleted


def tokens_revoke_for_user(*, user: User) -> int:
    """Revoke every token and pending code of `user`, for every app. Returns how many tokens."""
    return _revoke(user=user)


def tokens_revoke_for_app(*, user: User, application_id: int) -> int:
    """Revoke `user`'s tokens and pending codes for one app (the Apps page's "Revoke"). An id no
    row can have (the path takes any digits; the driver refuses ids past 64 bits) revokes nothing."""
    if not 0 < application_id <= MAX_ID:
        return 0
    return _revoke(user=user, application_id=application_id)
