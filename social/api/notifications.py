"""The client API: notifications (issue 14), Mastodon's v1 list (ungrouped: every like is its own
entry; the web page groups them), read through `social.selectors.notification_queryset` (the web
page's visibility: the actor not blocked either way and active, the post and comment visible and
not hidden) and keyset-paged on (created, id).

Kinds as Mastodon's types: like -> "favourite" (status: the post); comment -> "mention" (status:
the comment, a reply to the post); mention -> "mention" (the comment that mentions, or the post);
photo_tag -> "mention" (the post); follow -> "follow"; follow_request -> "follow_request".
follow_accepted ("X accepted your follow request") has no Mastodon type and is not listed: calling
it "follow" would tell the client that X followed the reader, which is not what happened.
Dismiss and clear delete rows (social.services), as Mastodon does; reading the list does not mark
anything read (the web page does; Mastodon keeps that in markers, not implemented)."""

from __future__ import annotations

from django.http import JsonResponse
from django.urls import path

from instaclone.api import Params, endpoint, json_page, methods, object_id, page_params
from posts.sharing import known_mentions
from social import selectors, services
from social.models import Notification

from . import serializers

Kind = Notification.Kind
TYPES = {
    "favourite": (Kind.LIKE,),
    "mention": (Kind.COMMENT, Kind.MENTION, Kind.PHOTO_TAG),
    "follow": (Kind.FOLLOW,),
    "follow_request": (Kind.FOLLOW_REQUEST,),
}
TYPE_OF = {kind: name for name, kinds in TYPES.items() for kind in kinds}
LISTED = tuple(TYPE_OF)


def _kinds(params: Params) -> tuple[str, ...]:
    """The kinds that `types[]` and `exclude_types[]` leave (types Mastodon has and we do not, such
    as "reblog" or "poll", select nothing)."""
    kinds = LISTED
    if params.has("types"):
        wanted = set(params.getlist("types"))
        kinds = tuple(k for k in kinds if TYPE_OF[k] in wanted)
    excluded = set(params.getlist("exclude_types"))
    return tuple(k for k in kinds if TYPE_OF[k] not in excluded)


def _with_status(notification) -> bool:
    return notification.kind != Kind.FOLLOW and notification.kind != Kind.FOLLOW_REQUEST


def notifications_json(items, request) -> list[dict]:
    """Mastodon's Notification for each row: the posts as statuses in one batch
    (`serializers.statuses`, constant queries), comments as replies (their @mentions linked to
    people the reader may see: one query for the page, none without an "@")."""
    posts = {n.post_id: n.post for n in items if _with_status(n) and n.post_id and not n.comment_id}
    statuses = {int(s["id"]): s for s in serializers.statuses(list(posts.values()), request)}
    bodies = [n.comment.body for n in items if n.comment_id]
    known = known_mentions(*bodies, viewer=request.user) if bodies else frozenset()
    data = []
    for n in items:
        entry = {
            "id": str(n.pk),
            "type": TYPE_OF[n.kind],
            "created_at": serializers.iso(n.created),
            "group_key": f"ungrouped-{n.pk}",
            "account": serializers.account(n.actor, request),
        }
        if _with_status(n):
            if n.comment_id:
                entry["status"] = serializers.comment_status(n.comment, n.post, request, known_mentions=known)
            elif n.post_id:
                entry["status"] = statuses[n.post_id]
        data.append(entry)
    return data


@endpoint(scope="read:notifications")
def notification_list(request):
    params = Params(request)
    user = request.user
    cursor, limit = page_params(request, resolve=lambda pk: selectors.notification_cursor_for(user, pk))
    actor_id = object_id(params.get("account_id")) if params.get("account_id") else None
    kinds = _kinds(params)
    if not kinds:
        return JsonResponse([], safe=False)
    page = selectors.notification_list_page(user, cursor, limit, kinds=kinds, actor_id=actor_id)
    return json_page(request, page, notifications_json(page.items, request))


@endpoint(scope="read:notifications")
def notification_detail(request, id: str):  # noqa: A002 - Mastodon's name
    notification = selectors.notification_get_for_recipient(request.user, object_id(id), kinds=LISTED)
    return JsonResponse(notifications_json([notification], request)[0])


@endpoint(scope="write:notifications")
def notification_dismiss(request, id: str):  # noqa: A002
    if not services.notification_dismiss(user=request.user, notification_id=object_id(id)):
        raise Notification.DoesNotExist
    return JsonResponse({})


@endpoint(scope="write:notifications")
def notifications_clear(request):
    services.notifications_clear(user=request.user)
    return JsonResponse({})


urlpatterns = [
    path("v1/notifications", methods(GET=notification_list), name="notifications"),
    path("v1/notifications/clear", methods(POST=notifications_clear), name="notifications_clear"),
    path("v1/notifications/<str:id>", methods(GET=notification_detail), name="notification"),
    path("v1/notifications/<str:id>/dismiss", methods(POST=notification_dismiss), name="notification_dismiss"),
]
