"""The client API: search (issue 14). `GET /api/v2/search?q=&type=&limit=` answers Mastodon's
Search {accounts, statuses, hashtags}: people through `social.selectors.search_users` and hashtags
through `search_hashtags` (the web search's selectors: prefix match, the visibility rule), at most
`limit` each. Statuses are not searched by text (the web has no full-text search either): `statuses`
holds a post only when `q` is the URL of a post on this site that the reader may see
(`post_get_for_viewer`), which is how clients open a pasted link. No remote lookups (`resolve` is
ignored: there is no federation); `offset` > 0 answers empty lists (there is no second page)."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.http import Http404, JsonResponse
from django.urls import Resolver404, path, resolve

from instaclone.api import MAX_LIMIT, ApiError, Params, endpoint, methods
from posts.selectors import post_get_for_viewer
from social.selectors import SEARCH_LIMIT, search_hashtags, search_users

from . import serializers

TYPES = ("accounts", "hashtags", "statuses")


def _linked_post(request, q: str):
    """The post that `q` links to when it is a post URL of this site the reader may see, else None."""
    parts = urlsplit(q.strip())
    if parts.scheme not in ("http", "https") or parts.netloc != request.get_host():
        return None
    try:
        match = resolve(parts.path)
    except Resolver404:
        return None
    if match.view_name != "posts:detail":
        return None
    try:
        return post_get_for_viewer(request.user, int(match.kwargs["pk"]))
    except Http404:
        return None


@endpoint(scope="read:search", auth="optional")
def search(request):
    params = Params(request)
    q = params.text("q").strip()
    if not q:
        raise ApiError(400, "q is missing")
    kind = params.text("type")
    if kind and kind not in TYPES:
        raise ApiError(400, "type must be accounts, hashtags or statuses")
    limit = max(1, min(params.integer("limit", SEARCH_LIMIT) or SEARCH_LIMIT, MAX_LIMIT))
    result = {"accounts": [], "statuses": [], "hashtags": []}
    if (params.integer("offset", 0) or 0) > 0:
        return JsonResponse(result)
    wanted = (kind,) if kind else TYPES
    post = _linked_post(request, q) if "statuses" in wanted else None
    if post is not None:
        result["statuses"] = serializers.statuses([post], request)
        return JsonResponse(result)  # a pasted link: what it links to, as Mastodon answers
    if "accounts" in wanted:
        result["accounts"] = [serializers.account(u, request) for u in search_users(request.user, q, limit)]
    if "hashtags" in wanted:
        result["hashtags"] = [serializers.tag(t.name, request) for t in search_hashtags(request.user, q, limit)]
    return JsonResponse(result)


urlpatterns = [
    path("v2/search", methods(GET=search), name="search"),
]
