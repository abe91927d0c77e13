"""Reads for accounts."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Lower
from django.http import Http404

from instaclone.compiled import compiled_fetch, viewer_key

from .models import Block, Follow, FollowRequest, User
from .usernames import lookup_key


def identity_taken(*, username: str = "", email: str = "") -> set[str]:
    """Which of the given username and email already belong to someone, in one query, ignoring
    letter case. The database's case-insensitive unique constraints remain the final word."""
    username, email = username.strip().lower(), email.strip().lower()
    condition = Q(pk__in=[])
    if username:
        condition |= Q(username_lower=username)
    if email:
        condition |= Q(email_lower=email)
    rows = (
        User.objects.annotate(username_lower=Lower("username"), email_lower=Lower("email"))
        .filter(condition)
        .values_list("username_lower", "email_lower")[:2]
    )
    taken: set[str] = set()
    for found_username, found_email in rows:
        if username and found_username == username:
            taken.add("username")
        if email and found_email == email:
            taken.add("email")
    return taken


def _user_for_viewer(viewer, key: str, relation: str = ""):
    qs = User.objects.visible_to(viewer).with_content_visible_to(viewer).with_content_public().by_username(key)
    if relation == "own":  # the follow requests waiting for an answer
        waiting = FollowRequest.objects.filter(target_id=OuterRef("pk")).order_by().values("target_id")
        qs = qs.annotate(pending_requests=Coalesce(Subquery(waiting.annotate(n=Count("pk")).values("n")), 0))
    elif relation == "other":
        qs = qs.annotate(
            viewer_follows=Exists(Follow.objects.filter(follower_id=viewer.pk, followee_id=OuterRef("pk"))),
            viewer_requested=Exists(
                FollowRequest.objects.filter(requester_id=viewer.pk, target_id=OuterRef("pk"))
            ),
        )
    return qs[:2]


def user_get_for_viewer(viewer, username: str, *, with_relation: bool = False) -> User:
    """The person named `username` whose profile header `viewer` may see, or 404 (read through
    `User.objects.visible_to`: active, no block either way). `content_visible` on the result says
    whether the viewer may also see their posts, followers and following
    (`User.objects.with_content_visible_to`), and `content_public` whether anyone signed out may
    (the profile's link-preview tags). One query, compiled once per kind of viewer
    (instaclone.compiled: the ORM would build the rule again on every profile view); a name that
    cannot exist, none.

    `with_relation=True` (the profile page) reads in the same query how a signed-in viewer stands
    towards them: `viewer_follows` and `viewer_requested` (booleans) on someone else's profile,
    `pending_requests` (follow requests waiting for an answer) on the viewer's own. (Compiled, these
    columns cost nothing to build; through the ORM they would cost more than their own query.)"""
    key = lookup_key(username)
    if key is None:
        raise Http404("No such user.")
    relation = ""
    if with_relation and viewer is not None and viewer.is_authenticated:
        relation = "own" if key == viewer.username.lower() else "other"
    rows = compiled_fetch(
        ("user_get_for_viewer", relation, *viewer_key(viewer)),
        lambda v, key: _user_for_viewer(v, key, relation),
        viewer,
        key,
    )
    if len(rows) != 1:
        raise Http404("No such user.")
    return rows[0]


def user_get_by_username(username: str) -> User:
    """An active user by username in any letter case, or 404. Compared like the unique constraint
    (`User.objects.by_username`); a name that is not ASCII (or holds a NUL, which PostgreSQL refuses
    in text) is a 404 without a query."""
    try:
        return User.objects.by_username(username).get(is_active=True)
    except User.DoesNotExist:
        raise Http404("No such user.") from None


# --- the client API (issue 14) -------------------------------------------------------------


def user_get_by_id_for_viewer(viewer, pk: int) -> User:
    """The person with id `pk` whose profile `viewer` may see, or 404 (`User.objects.visible_to`:
    active, no block either way), with `content_visible` (may the viewer see their posts and people
    lists, `with_content_visible_to`). One query: `user_get_for_viewer` by id, for the API."""
    try:
        return User.objects.visible_to(viewer).with_content_visible_to(viewer).get(pk=pk)
    except User.DoesNotExist:
        raise Http404("No such user.") from None


def user_get_by_id(pk: int) -> User:
    """An active user by id, or 404: `user_get_by_username` by id, for the actions that must reach
    someone the viewer cannot see (unblock, unfollow, block, remove a follower), as the pages'."""
    try:
        return User.objects.get(pk=pk, is_active=True)
    except User.DoesNotExist:
        raise Http404("No such user.") from None


RELATIONSHIP_FLAGS = ("following", "followed_by", "requested", "requested_by", "blocking")


def relationships(viewer, ids) -> dict[int, dict[str, bool]]:
    """How the viewer stands towards each of `ids` (the client API's Relationship): `following`,
    `followed_by`, `requested` (the viewer asked them), `requested_by` (they asked the viewer) and
    `blocking` (the viewer blocked them), one query for any number of ids.

    Only people the viewer may see (`User.objects.visible_to`) and the active people the viewer
    blocked (who the viewer knows of: their profile shows the blocked state, as
    `social.selectors.blocked_person`) are answered; unknown and suspended ids and people who
    blocked the viewer are left out, as if they did not exist: the visibility rule never tells
    someone they were blocked, so there is no `blocked_by` here."""
    ids = sorted({int(i) for i in ids})
    if not ids or not getattr(viewer, "is_authenticated", False):
        return {}
    me = viewer.pk
    flags = {
        "following": Exists(Follow.objects.filter(follower_id=me, followee_id=OuterRef("pk"))),
        "followed_by": Exists(Follow.objects.filter(follower_id=OuterRef("pk"), followee_id=me)),
        "requested": Exists(FollowRequest.objects.filter(requester_id=me, target_id=OuterRef("pk"))),
        "requested_by": Exists(FollowRequest.objects.filter(requester_id=OuterRef("pk"), target_id=me)),
        "blocking": Exists(Block.objects.filter(blocker_id=me, blocked_id=OuterRef("pk"))),
    }
    visible = User.objects.visible_to(viewer).filter(pk__in=ids)
    blocked = User.objects.filter(pk__in=ids, is_active=True).filter(
        pk__in=Block.objects.filter(blocker_id=me).values("blocked_id")
    )
    columns = ("pk", *RELATIONSHIP_FLAGS)
    rows = visible.annotate(**flags).values_list(*columns).union(
        blocked.annotate(**flags).values_list(*columns), all=True
    )
    return {row[0]: dict(zip(RELATIONSHIP_FLAGS, row[1:], strict=True)) for row in rows}
