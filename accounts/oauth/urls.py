"""OAuth 2 for the client API (issue 14): app registration, the consent page, tokens, revocation,
server metadata and registration through the API. Mounted at the site's root (full paths)."""

from django.urls import path

from instaclone.api import methods

from . import views

app_name = "oauth"
urlpatterns = [
    path("oauth/authorize", views.AuthorizeView.as_view(), name="authorize"),
    path("oauth/token", views.MastodonTokenView.as_view(), name="token"),
    path("oauth/revoke", views.MastodonRevokeView.as_view(), name="revoke"),
    path(".well-known/oauth-authorization-server", views.server_metadata, name="metadata"),
    path("api/v1/apps", methods(POST=views.apps_create), name="apps"),
    path("api/v1/apps/verify_credentials", methods(GET=views.apps_verify_credentials), name="apps_verify"),
    path("api/v1/accounts", methods(POST=views.accounts_register), name="register"),
]
