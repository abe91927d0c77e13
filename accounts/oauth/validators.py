"""The OAuth 2 request validator (OAUTH2_PROVIDER["OAUTH2_VALIDATOR_CLASS"]): django-oauth-toolkit's,
with Mastodon's rules for the apps that `POST /api/v1/apps` registers.

- A client may ask only for scopes within those it registered (`read` allows `read:statuses`;
  `follow` allows the follow/block/mute sub-scopes); anything else is `invalid_scope`.
- Grants: the authorization code (response type `code`) and client credentials, for every
  registered app. Nothing else: no password grant, no implicit grant, no device flow, and no
  refresh tokens (Mastodon issues none; our tokens last ACCESS_TOKEN_EXPIRE_SECONDS).
- PKCE (S256 only) is required from public clients and optional for confidential ones (every
  Mastodon app is confidential and many do not send it).
- A suspended person (inactive) gets no code and no token.
"""

from __future__ import annotations

from oauth2_provider.models import AbstractApplication
from oauth2_provider.oauth2_validators import OAuth2Validator as BaseValidator

from .scopes import covered_by

GRANT_TYPES = ("authorization_code", "client_credentials")


def pkce_required(client_id: str) -> bool:
    """OAUTH2_PROVIDER["PKCE_REQUIRED"]: from public clients (and unknown ones), not confidential."""
    from oauth2_provider.models import get_application_model

    client_type = get_application_model().objects.filter(client_id=client_id).values_list("client_type", flat=True).first()
    return client_type != AbstractApplication.CLIENT_CONFIDENTIAL


class OAuth2Validator(BaseValidator):
    def validate_grant_type(self, client_id, grant_type, client, request, *args, **kwargs):
        return grant_type in GRANT_TYPES

    def validate_response_type(self, client_id, response_type, client, request, *args, **kwargs):
        return response_type == "code" and client.allows_grant_type(
            AbstractApplication.GRANT_AUTHORIZATION_CODE
        )

    def validate_scopes(self, client_id, scopes, client, request, *args, **kwargs):
        if not super().validate_scopes(client_id, scopes, client, request, *args, **kwargs):
            return False  # not a scope we know at all
        return covered_by(client.scopes.split(), list(scopes))

    def get_default_scopes(self, client_id, request, *args, **kwargs):
        return ["read"]

    def is_pkce_required(self, client_id, request):
        client = getattr(request, "client", None)
        if client is None or client.client_id != client_id:
            return pkce_required(client_id)
        return client.client_type != AbstractApplication.CLIENT_CONFIDENTIAL  # no query when loaded

    def validate_user(self, username, password, client, request, *args, **kwargs):
        return False  # the password grant is not offered (and not routed: accounts.oauth.server)

    def validate_code(self, client_id, code, client, request, *args, **kwargs):
        if not super().validate_code(client_id, code, client, request, *args, **kwargs):
            return False
        return request.user is not None and request.user.is_active

    def save_authorization_code(self, client_id, code, request, *args, **kwargs):
        if not (request.user and request.user.is_active):
            from oauthlib.oauth2.rfc6749 import errors

            raise errors.AccessDeniedError(request=request)
        super().save_authorization_code(client_id, code, request, *args, **kwargs)
