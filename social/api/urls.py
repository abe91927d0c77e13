"""The client API's routes (Mastodon-compatible, issue 14), mounted at /api/. Each module keeps
its own `urlpatterns`; the last route answers every other /api/ path with a JSON 404."""

from django.urls import re_path

from instaclone.api import not_found

from . import accounts, instance, media, notifications, search, statuses, timelines

app_name = "api"
urlpatterns = [
    *instance.urlpatterns,
    *accounts.urlpatterns,
    *media.urlpatterns,
    *statuses.urlpatterns,
    *timelines.urlpatterns,
    *notifications.urlpatterns,
    *search.urlpatterns,
    re_path(r"", not_found, name="not_found"),
]
