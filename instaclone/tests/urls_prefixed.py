"""The project's URLs under /prefixed/ (instaclone/tests/test_links.py: a changed urlconf is followed)."""

from django.urls import include, path

urlpatterns = [path("prefixed/", include("instaclone.urls"))]
