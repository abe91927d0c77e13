"""Benchmark URLs: the two ceiling views, then every production route unchanged.

Loaded only through bench.settings (ROOT_URLCONF); production's instaclone.urls never includes it.
"""

from django.urls import include, path

from . import views

urlpatterns = [
    path("__bench__/bare/", views.bare, name="bench_bare"),
    path("__bench__/feed/", views.feed_ceiling, name="bench_feed_ceiling"),
    path("", include("instaclone.urls")),
]
