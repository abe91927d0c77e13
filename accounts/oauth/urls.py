"""OAuth 2 for the client API (issue 14): app registration, the consent page, tokens, revocation,
server metadata and registration through the API. Mounted at the site's root (full paths). Each
path also answers with a trailing slash, as Mastodon's (Rails) routes do: the `toot` CLI opens
/oauth/authorize/."""

from django.urls import re_path

from instaclone.api import methods

from . import views

app_name = "oauth"
urlpatterns = [
    re_path(r"^oauth/authorize/?$", views.AuthorizeView.as_view(), name="authorize"),
    re_path(r"^oauth/token/?$", views.MastodonTokenView.as_view(), name="token"),
    re_path(r"^oauth/revoke/?$", views.MastodonRevokeView.as_view(), name="revoke"),
    re_path(r"^\.well-known/oauth-authorization-server/?$", views.server_metadata, name="metadata"),
    re_path(r"^api/v1/apps/?$", methods(POST=views.apps_create), name="apps"),
    re_path(r"^api/v1/apps/verify_credentials/?$", methods(GET=views.apps_verify_credentials), name="apps_verify"),
    re_path(r"^api/v1/accounts/?$", methods(POST=views.accounts_register), name="register"),
]
