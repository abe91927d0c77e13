"""The OAuth 2 server django-oauth-toolkit runs (OAUTH2_PROVIDER["OAUTH2_SERVER_CLASS"] and
"OAUTH2_BACKEND_CLASS").

oauthlib's ready-made `Server` routes every grant (password, implicit, device code, refresh); this
one routes only what the site offers, so anything else is `unsupported_grant_type` /
`unsupported_response_type` before a validator is asked: the authorization code (with PKCE) and
client credentials, bearer tokens, revocation. No refresh tokens are issued (Mastodon's tokens do
not expire and it issues none).

The backend reads the token and revocation endpoints' parameters from a form body, as RFC 6749
says, or from a JSON body, which Mastodon accepts and some clients send.
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
    def extract_body(self, request):
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
