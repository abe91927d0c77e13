"""The client API: statuses, favourites and bookmarks (issue 14).

A post is a status; a comment is a status too, a reply to its post (ids from
`serializers.status_ref`). Every read goes through the posts selectors (`post_get_for_viewer`,
`comment_get_for_viewer`, `comments_page`, `likers_page`, `saved_page`, `favourites_page`: the one
visibility rule), every write through the posts services; a post or comment the caller may not see
is a 404 everywhere.

- `POST /api/v1/statuses` (write:statuses): `status` (the caption), `media_ids[]` (1 to
  POST_MAX_MEDIA of the caller's uploads, in order: a post needs media, as on the web) or
  `in_reply_to_id` (then a comment on that post, or on the post of that comment; no media).
  `Idempotency-Key` is the post's one-time key. `visibility`, `sensitive`, `spoiler_text`,
  `language`, `poll`, `scheduled_at` are ignored: who sees a post is the account's privacy.
- `GET /api/v1/statuses/:id` (optional token, read:statuses), `DELETE` (write:statuses: one's
  own post; one's own comment or a comment on one's post), `PUT` (write:statuses: one's own
  post's caption and alt texts, `post_update`; not its media, not comments), `GET .../source`,
  `GET .../context` (read:statuses: a post's comments as descendants, oldest first, at most
  CONTEXT_MAX; a comment's post as its ancestor).
- `POST .../favourite`, `.../unfavourite` (write:favourites), `.../bookmark`, `.../unbookmark`
  (write:bookmarks): likes and saves of posts; comments have neither here (422).
- `POST .../reblog`, `.../unreblog` (write:statuses): 422, there are no reposts;
  `GET .../reblogged_by`: [] (both 404 for a status the caller may not see).
- `GET .../favourited_by` (optional token, read:statuses), `GET /api/v1/favourites`
  (read:favourites), `GET /api/v1/bookmarks` (read:bookmarks): keyset pages with Link headers.
"""

from __future__ import annotations

import uuid

from django.http import JsonResponse
from django.urls import path

from instaclone.api import ApiError, Params, endpoint, json_page, methods, page_params, parse_id, text_value
from posts import selectors, services

from . import serializers

CONTEXT_MAX = 200  # comments returned by /context (Mastodon's context is one unpaged list too)
IDEMPOTENCY_NAMESPACE = uuid.UUID("5f0c8e57-2d7e-4f07-9d8a-4b1f3c6e2a91")
NO_COMMENT_LIKES = "Comments can't be favourited or bookmarked here; only posts can."
NO_REBLOGS = "Reposting isn't available here."


# --- helpers -------------------------------------------------------------------------------------


def _post_status(request, post_id: int) -> dict:
    """A post as a status, read through the rule (404 when not visible): the post with the
    viewer's liked/saved flags as columns, its media, its mentions and its tags (4 queries)."""
    post = selectors.post_get_for_viewer(request.user, post_id, with_viewer_state=True)
    return serializers.statuses([post], request)[0]


def _comment_status(request, comment) -> dict:
    return serializers.comment_status(comment, comment.post, request)


def _post_id(request, id) -> int:  # noqa: A002
    """The post a favourite/bookmark endpoint is about; a visible comment is a 422, an invisible
    one a 404 (its existence is not told)."""
    kind, pk = serializers.status_ref(id)
    if kind == "comment":
        selectors.comment_get_for_viewer(request.user, pk)
        raise ApiError(422, NO_COMMENT_LIKES)
    return pk


def _idempotency_key(request) -> uuid.UUID | None:
    """Mastodon clients send any string (up to Mastodon's own length); the post stores a UUID."""
    key = (request.headers.get("Idempotency-Key") or "").strip()
    if not key:
        return None
    if len(key) > 255:
        raise ApiError(422, "Idempotency-Key is too long")
    try:
        return uuid.UUID(key)
    except ValueError:
        return uuid.uuid5(IDEMPOTENCY_NAMESPACE, key)


def _media_ids(values) -> list[int]:
    ids = []
    for value in values:
        number = parse_id(value)
        if number is None:
            raise ApiError(422, f"Media not found: {str(value)[:40]}")
        ids.append(number)
    return ids


# --- statuses ------------------------------------------------------------------------------------


@endpoint(scope="write:statuses")
def status_create(request):
    params = Params(request)
    text = params.text("status")
    media_ids = _media_ids(params.getlist("media_ids"))
    reply_to = params.get("in_reply_to_id")
    if reply_to:
        if media_ids:
            raise ApiError(422, "A comment can't have photos or videos.")
        kind, pk = serializers.status_ref(reply_to)
        post_id = selectors.comment_get_for_viewer(request.user, pk).post_id if kind == "comment" else pk
        comment = services.comment_create(user=request.user, post_id=post_id, body=text)
        return JsonResponse(_comment_status(request, comment))
    try:
        post = services.post_create_from_drafts(
            author=request.user, caption=text, draft_ids=media_ids, idempotency_key=_idempotency_key(request),
            rate_limited=True,
        )
    except services.PostRateLimited as exc:
        raise ApiError(429, exc.message) from exc
    return JsonResponse(_post_status(request, post.pk))


@endpoint(scope="read:statuses", auth="optional")
def status_get(request, id):  # noqa: A002 - Mastodon's name
    kind, pk = serializers.status_ref(id)
    if kind == "comment":
        return JsonResponse(_comment_status(request, selectors.comment_get_for_viewer(request.user, pk)))
    return JsonResponse(_post_status(request, pk))


@endpoint(scope="write:statuses")
def status_delete(request, id):  # noqa: A002
    """The deleted status with `text`, its source (Mastodon's "delete and redraft")."""
    kind, pk = serializers.status_ref(id)
    if kind == "comment":
        comment = selectors.comment_get_for_viewer(request.user, pk)
        data = {**_comment_status(request, comment), "text": comment.body}
        services.comment_delete(user=request.user, post_id=comment.post_id, comment_id=comment.pk)
        return JsonResponse(data)
    post = selectors.post_get_for_author(request.user, pk)  # anyone else's post: 404, as on the web
    data = {**serializers.statuses([post], request)[0], "text": post.caption}
    services.post_delete(post=post)
    return JsonResponse(data)


@endpoint(scope="write:statuses")
def status_update(request, id):  # noqa: A002
    """Edit one's own post: `status` (the caption) and `media_attributes[]` ({id, description}: alt
    texts), through `post_update`, as the web's edit page. The photos and videos themselves cannot
    change: `media_ids`, when sent, must be the post's own (in any order). Comments are not edited."""
    kind, pk = serializers.status_ref(id)
    if kind == "comment":
        selectors.comment_get_for_viewer(request.user, pk)
        raise ApiError(422, "Comments can't be edited.")
    post = selectors.post_get_for_author(request.user, pk)  # anyone else's post: 404, as on the web
    params = Params(request)
    own = {m.pk for m in post.media.all()}
    if params.has("media_ids") and set(_media_ids(params.getlist("media_ids"))) != own:
        raise ApiError(422, "A post's photos and videos can't be changed; edit its caption and descriptions.")
    alt_texts = {}
    for item in _media_attributes(params):
        media_id = _media_ids([item.get("id", "")])[0]
        if media_id not in own:
            raise ApiError(422, f"Media not found: {media_id}")
        if "description" in item:
            alt_texts[media_id] = text_value(item["description"] or "", "media_attributes[].description")
    caption = params.text("status", post.caption) if params.has("status") else post.caption
    services.post_update(post=post, caption=caption, alt_texts=alt_texts)
    return JsonResponse(_post_status(request, pk))


def _media_attributes(params) -> list[dict]:
    """`media_attributes` as a JSON list of objects, or Rails-style form fields
    (`media_attributes[][id]`, `media_attributes[][description]`, in step)."""
    value = params.get("media_attributes")
    if value is not None:
        if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
            raise ApiError(422, "media_attributes must be a list of objects")
        return value
    ids = params.getlist("media_attributes[][id]")
    descriptions = params.getlist("media_attributes[][description]")
    return [{"id": media_id, "description": text} for media_id, text in zip(ids, descriptions, strict=False)]


@endpoint(scope="read:statuses", auth="optional")
def status_source(request, id):  # noqa: A002
    """The source text of a status the caller may see (Mastodon's StatusSource)."""
    kind, pk = serializers.status_ref(id)
    if kind == "comment":
        comment = selectors.comment_get_for_viewer(request.user, pk)
        return JsonResponse({"id": serializers.comment_status_id(comment.pk), "text": comment.body, "spoiler_text": ""})
    post = selectors.post_get_for_viewer(request.user, pk, with_media=False)
    return JsonResponse({"id": str(post.pk), "text": post.caption, "spoiler_text": ""})


@endpoint(scope="read:statuses", auth="optional")
def status_context(request, id):  # noqa: A002
    kind, pk = serializers.status_ref(id)
    if kind == "comment":
        comment = selectors.comment_get_for_viewer(request.user, pk)
        return JsonResponse({"ancestors": [_post_status(request, comment.post_id)], "descendants": []})
    post = selectors.post_get_for_viewer(request.user, pk, with_media=False)
    comments = selectors.comments_page(request.user, post, size=CONTEXT_MAX)
    descendants = [serializers.comment_status(c, post, request) for c in comments.items]
    return JsonResponse({"ancestors": [], "descendants": descendants})


# --- favourites and bookmarks --------------------------------------------------------------------


@endpoint(scope="write:favourites")
def status_favourite(request, id):  # noqa: A002
    pk = _post_id(request, id)
    services.like_create(user=request.user, post_id=pk)
    return JsonResponse(_post_status(request, pk))


@endpoint(scope="write:favourites")
def status_unfavourite(request, id):  # noqa: A002
    pk = _post_id(request, id)
    services.like_delete(user=request.user, post_id=pk)
    return JsonResponse(_post_status(request, pk))


@endpoint(scope="write:bookmarks")
def status_bookmark(request, id):  # noqa: A002
    pk = _post_id(request, id)
    services.save_create(user=request.user, post_id=pk)
    return JsonResponse(_post_status(request, pk))


@endpoint(scope="write:bookmarks")
def status_unbookmark(request, id):  # noqa: A002
    pk = _post_id(request, id)
    services.save_delete(user=request.user, post_id=pk)
    return JsonResponse(_post_status(request, pk))


@endpoint(scope="write:statuses")
def status_reblog(request, id):  # noqa: A002
    """There are no reposts here: 422 for a status the caller may see (404 otherwise), so a client
    shows the reason rather than taking the status for gone."""
    kind, pk = serializers.status_ref(id)
    if kind == "comment":
        selectors.comment_get_for_viewer(request.user, pk)
    else:
        selectors.post_get_for_viewer(request.user, pk, with_media=False)
    raise ApiError(422, NO_REBLOGS)


@endpoint(scope="read:statuses", auth="optional")
def status_reblogged_by(request, id):  # noqa: A002
    """Nobody: there are no reposts (404 for a status the caller may not see)."""
    kind, pk = serializers.status_ref(id)
    if kind == "comment":
        selectors.comment_get_for_viewer(request.user, pk)
    else:
        selectors.post_get_for_viewer(request.user, pk, with_media=False)
    return JsonResponse([], safe=False)


@endpoint(scope="read:statuses", auth="optional")
def status_favourited_by(request, id):  # noqa: A002
    """Who liked a post (people the viewer may see), newest first; a comment has no likes: []."""
    kind, pk = serializers.status_ref(id)
    if kind == "comment":
        selectors.comment_get_for_viewer(request.user, pk)
        return JsonResponse([], safe=False)
    post = selectors.post_get_for_viewer(request.user, pk, with_media=False)
    keyset, limit = page_params(request, resolve=lambda user_id: selectors.liker_cursor(request.user, post, user_id))
    page = selectors.likers_page(request.user, post, cursor=keyset, size=limit)
    return json_page(request, page, [serializers.account(like.user, request) for like in page.items])


@endpoint(scope="read:favourites")
def favourites(request):
    """The caller's liked posts, newest like first (numeric ids in max_id etc. are status ids)."""
    keyset, limit = page_params(request, resolve=lambda post_id: selectors.favourite_cursor(request.user, post_id))
    page = selectors.favourites_page(request.user, cursor=keyset, size=limit)
    return json_page(request, page, serializers.statuses([like.post for like in page.items], request))


@endpoint(scope="read:bookmarks")
def bookmarks(request):
    """The caller's saved posts, newest save first (numeric ids in max_id etc. are status ids)."""
    keyset, limit = page_params(request, resolve=lambda post_id: selectors.saved_cursor(request.user, post_id))
    page = selectors.saved_page(request.user, cursor=keyset, size=limit)
    return json_page(request, page, serializers.statuses([save.post for save in page.items], request))


urlpatterns = [
    path("v1/statuses", methods(POST=status_create), name="statuses"),
    path("v1/statuses/<str:id>", methods(GET=status_get, PUT=status_update, DELETE=status_delete), name="status"),
    path("v1/statuses/<str:id>/source", methods(GET=status_source), name="status_source"),
    path("v1/statuses/<str:id>/context", methods(GET=status_context), name="status_context"),
    path("v1/statuses/<str:id>/favourite", methods(POST=status_favourite), name="status_favourite"),
    path("v1/statuses/<str:id>/unfavourite", methods(POST=status_unfavourite), name="status_unfavourite"),
    path("v1/statuses/<str:id>/bookmark", methods(POST=status_bookmark), name="status_bookmark"),
    path("v1/statuses/<str:id>/unbookmark", methods(POST=status_unbookmark), name="status_unbookmark"),
    path("v1/statuses/<str:id>/favourited_by", methods(GET=status_favourited_by), name="status_favourited_by"),
    path("v1/statuses/<str:id>/reblog", methods(POST=status_reblog), name="status_reblog"),
    path("v1/statuses/<str:id>/unreblog", methods(POST=status_reblog), name="status_unreblog"),
    path("v1/statuses/<str:id>/reblogged_by", methods(GET=status_reblogged_by), name="status_reblogged_by"),
    path("v1/favourites", methods(GET=favourites), name="favourites"),
    path("v1/bookmarks", methods(GET=bookmarks), name="bookmarks"),
]
