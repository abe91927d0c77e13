"""The client API: timelines (issue 14). `GET /api/v1/timelines/home` is the web's home feed
(`social.selectors.feed_page`) and `GET /api/v1/timelines/tag/:hashtag` the hashtag page
(`posts.selectors.hashtag_page`), both paged by a `Keyset` from max_id / since_id / min_id with Link
headers. Statuses as `serializers.statuses`. Mastodon's public timeline, lists and links are not
implemented (the catch-all answers them with a JSON 404)."""

from __future__ import annotations

from django.http import Http404
from django.urls import path

from instaclone.api import endpoint, json_page, methods, page_params
from instaclone.pagination import Page
from posts.selectors import hashtag_page
from social.selectors import feed_page, post_cursor_for

from . import serializers


def _post_params(request):
    """(Keyset, limit); a numeric max_id / since_id / min_id is a status id: its post's cursor when
    the viewer may see it (a comment's status id is not in these lists: an empty page)."""

    def resolve(pk: int):
        if pk >= serializers.COMMENT_STATUS_BASE:
            return None
        return post_cursor_for(request.user, pk)

    return page_params(request, resolve=resolve)


@endpoint(scope="read:statuses")
def home(request):
    cursor, limit = _post_params(request)
    page = feed_page(request.user, cursor, limit)
    return json_page(request, page, serializers.statuses(page.items, request))


@endpoint(scope="read:statuses", auth="optional")
def tag(request, hashtag: str):
    cursor, limit = _post_params(request)
    try:
        _, page = hashtag_page(request.user, hashtag, cursor, limit)
    except Http404:  # no such tag, or none of its posts visible: Mastodon answers an empty list
        page = Page([], None)
    return json_page(request, page, serializers.statuses(page.items, request))


urlpatterns = [
    path("v1/timelines/home", methods(GET=home), name="timeline_home"),
    path("v1/timelines/tag/<str:hashtag>", methods(GET=tag), name="timeline_tag"),
]
