from django.conf import settings
from django.contrib import admin
from django.urls import include, path, register_converter

from instaclone import views as instaclone_views
from posts import views as posts_views
from posts.converters import HashtagConverter

register_converter(HashtagConverter, "hashtag")

# Error pages in the site's layout (text/plain for htmx); allauth's rate limits use handler429 too.
handler400 = "instaclone.views.bad_request"
handler403 = "instaclone.views.permission_denied"
handler404 = "instaclone.views.page_not_found"
handler429 = "instaclone.views.too_many_requests"
handler500 = "instaclone.views.server_error"

urlpatterns = [
    # Browsers ask for /favicon.ico on every page (the admin has no <link rel=icon>); without this
    # route the request would fall through to the profile catch-all.
    path("favicon.ico", instaclone_views.favicon),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    # The client API (Mastodon-compatible): OAuth first (/oauth/, /api/v1/apps, registration),
    # then the API, whose last route answers unknown /api/ paths with a JSON 404.
    path("", include("accounts.oauth.urls")),
    path("api/", include("social.api.urls")),
    path("settings/import/", include("posts.imports.urls")),  # Settings → Import (before accounts' settings)
    path("settings/", include("accounts.urls")),
    path("p/", include("posts.urls")),
    path("stories/", include("posts.stories.urls")),
    path("explore/tags/<hashtag:name>/", posts_views.hashtag, name="hashtag"),
    path("saved/", posts_views.saved, name="saved"),
    path("direct/", include("social.messages.urls")),  # Direct messages ("direct" is a reserved username)
    path("archive/", posts_views.archive, name="archive"),
    path("", include("social.urls")),
]

if settings.SERVE_MEDIA:
    # Local storage: Django serves /media/ itself, because private accounts' media need their
    # signed, expiring URLs checked (instaclone/media/serving.py); a web server in front must not
    # serve MEDIA_ROOT directly.
    from django.urls import re_path

    from instaclone.media.serving import serve_media
    from posts.media_access import media_name_is_private

    urlpatterns += [
        re_path(
            rf"^{settings.MEDIA_URL.strip('/')}/(?P<path>.*)$",
            serve_media,
            {"is_private_name": media_name_is_private},
            name="media",
        )
    ]

# Profiles last: /<username>/ must never shadow a route above (reserved names are refused).
urlpatterns += [path("", include("social.profile_urls"))]
