"""The OAuth 2 server django-oauth-toolkit runs (OAUTH2_PROVIDER["OAUTH2_SERVER_CLASS"] and
"OAUTH2_BACKEND_CLASS").

oauthlib's ready-made `Server` routes every grant (password, implicit, device code, refresh); this
one routes only what the site offers, so anything else is `unsupported_grant_type` /
`unsupported_response_type` before a validator is asked: the authorization code (with PKCE) and
client credentials, bearer tokens, revocation. No refresh tokens are issued (Mastodon's tokens do
not expire and it issues none).

The backend reads the token and revocation endpoints' parameters from a form body, as RFC 6749
says, or from a JSON body, which Mastodon accepts and some clients send. Checking a request's
access token (`verify_request`, the client API's every call) reads no body when the token is in the
Authorization header, and never a multipart one: an upload is not parsed, nor spooled to disk,
before its token is known good.
"""

from __future__ import annotations

import json

from oauth2_provider.oauth2_backends import OAuthLibCore
from oauthlib.oauth2 import (
    AuthorizationCodeGrant,
    AuthorizationEndpoint,
    BearerToken,
    ClientCredentialsGrant,
    IntrospectEndpoint,
    ResourceEndpoint,
    RevocationEndpoint,
    TokenEndpoint,
)


class Server(AuthorizationEndpoint, IntrospectEndpoint, TokenEndpoint, ResourceEndpoint, RevocationEndpoint):
    def __init__(self, request_validator, token_expires_in=None, token_generator=None,
                 refresh_token_generator=None, **kwargs):
        self.auth_grant = AuthorizationCodeGrant(request_validator, refresh_token=False)
        self.credentials_grant = ClientCredentialsGrant(request_validator)
        self.bearer = BearerToken(request_validator, token_generator, token_expires_in, refresh_token_generator)
        AuthorizationEndpoint.__init__(
            self, default_response_type="code", response_types={"code": self.auth_grant},
            default_token_type=self.bearer,
        )
        TokenEndpoint.__init__(
            self, default_grant_type="authorization_code",
            grant_types={"authorization_code": self.auth_grant, "client_credentials": self.credentials_grant},
            default_token_type=self.bearer,
        )
        ResourceEndpoint.__init__(self, default_token="Bearer", token_types={"Bearer": self.bearer})  # noqa: S106
        RevocationEndpoint.__init__(self, request_validator)
        IntrospectEndpoint.__init__(self, request_validator)


class FormOrJsonOAuthLibCore(OAuthLibCore):
    _resource_request = False

    def verify_request(self, request, scopes):
        """A resource request's token check. oauthlib takes the token from the Authorization header
        alone when there is one (`get_token_from_header`), so the body is not read then; without
        the header, only a URL-encoded form body's `access_token` is (RFC 6750 §2.2)."""
        self._resource_request = True
        try:
            return super().verify_request(request, scopes)
        finally:
            self._resource_request = False

    def extract_body(self, request):
        if self._resource_request:
            if request.META.get("HTTP_AUTHORIZATION") or request.content_type != "application/x-www-form-urlencoded":
                return []
            token = request.POST.get("access_token")
            return [("access_token", token)] if token else []
        if (request.content_type or "") == "application/json" and request.method == "POST":
            try:
                body = json.loads(request.body or b"{}")
            except (ValueError, UnicodeDecodeError):
                return []
            if not isinstance(body, dict):
                return []
            return [(str(k), " ".join(map(str, v)) if isinstance(v, list) else str(v))
                    for k, v in body.items() if v is not None]
        return super().extract_body(request)
