"""Writes for the follow graph: follows, follow requests and blocks.

Every graph change locks the two user rows (in primary-key order, so two people acting on each
other cannot deadlock) and then reads, writes and counts inside that one transaction: replays and
double clicks find the row already there and change nothing; counters move with F() together with
the rows they count.

What must change with the graph in higher layers (the home feed's rows, notifications, the unread
badge) is not written here: each change sends a domain event from accounts/signals.py inside the
transaction, and social/receivers.py does its part in that same transaction.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F

from instaclone.errors import DomainError

from .. import signals
from ..follow_state import FollowState
from ..models import Block, Follow, FollowRequest, User
from ..visibility import blocked_between


class RelationshipError(DomainError):
    """A graph action that cannot happen; `status` is the HTTP status a view should answer."""

    status = 400


class SelfActionError(RelationshipError):
    status = 400


class NotVisibleError(RelationshipError):
    """Blocked either way, or an inactive account: the actor must not learn which (404)."""

    status = 404


# --- helpers --------------------------------------------------------------------------------


def _lock_pair(a: User, b: User) -> dict[int, User]:
    rows = User.objects.select_for_update().filter(pk__in=[a.pk, b.pk]).order_by("pk")
    return {u.pk: u for u in rows}


def _bump(user_id: int, field: str, delta: int) -> None:
    User.objects.filter(pk=user_id).update(**{field: F(field) + delta})


def _follow_add(*, follower_id: int, followee_id: int) -> bool:
    """Create the accepted follow row with its counters (and, through `follow_added`, the feed
    backfill). False if it existed."""
    if Follow.objects.filter(follower_id=follower_id, followee_id=followee_id).exists():
        return False
    Follow.objects.create(follower_id=follower_id, followee_id=followee_id)
    _bump(follower_id, "following_count", 1)
    _bump(followee_id, "follower_count", 1)
    signals.follow_added.send(sender=Follow, follower_id=follower_id, followee_id=followee_id)
    return True


def _follow_remove(*, follower_id: int, followee_id: int) -> bool:
    deleted, _ = Follow.objects.filter(follower_id=follower_id, followee_id=followee_id).delete()
    if not deleted:
        return False
    _bump(follower_id, "following_count", -1)
    _bump(followee_id, "follower_count", -1)
    signals.follow_removed.send(sender=Follow, follower_id=follower_id, followee_id=followee_id)
    return True


def _request_remove(*, requester_id: int, target_id: int) -> bool:
    deleted, _ = FollowRequest.objects.filter(requester_id=requester_id, target_id=target_id).delete()
    signals.follow_request_removed.send(sender=FollowRequest, requester_id=requester_id, target_id=target_id)
    return bool(deleted)


# --- follows --------------------------------------------------------------------------------


@transaction.atomic
def follow_create(*, follower: User, followee: User) -> FollowState:
    """Follow a public account, or ask to follow a private one. Idempotent."""
    if follower.pk == followee.pk:
        raise SelfActionError("You can't follow yourself.")
    locked = _lock_pair(follower, followee)
    target = locked.get(followee.pk)
    if target is None or not target.is_active or blocked_between(follower.pk, followee.pk):
        raise NotVisibleError("No such user.")
    if Follow.objects.filter(follower_id=follower.pk, followee_id=followee.pk).exists():
        return FollowState.FOLLOWING
    if target.is_private:
        _, created = FollowRequest.objects.get_or_create(requester_id=follower.pk, target_id=followee.pk)
        if created:
            signals.follow_requested.send(sender=FollowRequest, requester=follower, target=target)
        return FollowState.REQUESTED
    if FollowRequest.objects.filter(requester_id=follower.pk, target_id=followee.pk).exists():
        # a request left from when the account was private: it becomes the follow
        _accept(target=target, requester_id=follower.pk)
        return FollowState.FOLLOWING
    _follow_add(follower_id=follower.pk, followee_id=followee.pk)
    signals.followed.send(sender=Follow, follower=follower, followee=target)
    return FollowState.FOLLOWING


@transaction.atomic
def follow_delete(*, follower: User, followee: User) -> FollowState:
    """Unfollow, or cancel a pending request. Idempotent."""
    if follower.pk == followee.pk:
        raise SelfActionError("You can't unfollow yourself.")
    _lock_pair(follower, followee)
    _follow_remove(follower_id=follower.pk, followee_id=followee.pk)
    _request_remove(requester_id=follower.pk, target_id=followee.pk)
    return FollowState.NONE


def _accept(*, target: User, requester_id: int) -> bool:
    """Turn a pending request into a follow (caller holds the locks)."""
    deleted, _ = FollowRequest.objects.filter(requester_id=requester_id, target_id=target.pk).delete()
    if not deleted:
        return False
    _follow_add(follower_id=requester_id, followee_id=target.pk)
    signals.follow_request_accepted.send(sender=FollowRequest, target=target, requester_id=requester_id)
    return True


@transaction.atomic
def follow_request_accept(*, target: User, requester: User) -> bool:
    """Accept a pending request. False when there was none (already handled, or cancelled)."""
    _lock_pair(target, requester)
    return _accept(target=target, requester_id=requester.pk)


@transaction.atomic
def follow_request_decline(*, target: User, requester: User) -> bool:
    _lock_pair(target, requester)
    return _request_remove(requester_id=requester.pk, target_id=target.pk)


@transaction.atomic
def follow_requests_accept_all(*, user: User) -> int:
    """Accept every pending request (the account went public)."""
    User.objects.select_for_update().filter(pk=user.pk).first()
    accepted = 0
    for requester_id in list(
        FollowRequest.objects.filter(target_id=user.pk).values_list("requester_id", flat=True)
    ):
        accepted += _accept(target=user, requester_id=requester_id)
    return accepted


@transaction.atomic
def follower_remove(*, owner: User, follower: User) -> bool:
    """The owner removes someone who follows them (no notification)."""
    if owner.pk == follower.pk:
        raise SelfActionError("You can't remove yourself.")
    _lock_pair(owner, follower)
    return _follow_remove(follower_id=follower.pk, followee_id=owner.pk)


# --- blocks ---------------------------------------------------------------------------------


@transaction.atomic
def block_create(*, blocker: User, blocked: User) -> bool:
    """Block: follows both ways and pending requests both ways go, with their counters, in the same
    transaction; `block_created` lets social drop the feed rows and notifications between the two.
    Idempotent."""
    if blocker.pk == blocked.pk:
        raise SelfActionError("You can't block yourself.")
    locked = _lock_pair(blocker, blocked)
    if blocked.pk not in locked:
        raise NotVisibleError("No such user.")
    _, created = Block.objects.get_or_create(blocker_id=blocker.pk, blocked_id=blocked.pk)
    for a, b in ((blocker.pk, blocked.pk), (blocked.pk, blocker.pk)):
        _follow_remove(follower_id=a, followee_id=b)
        _request_remove(requester_id=a, target_id=b)
    signals.block_created.send(sender=Block, blocker_id=blocker.pk, blocked_id=blocked.pk)
    return created


@transaction.atomic
def block_delete(*, blocker: User, blocked: User) -> bool:
    deleted, _ = Block.objects.filter(blocker_id=blocker.pk, blocked_id=blocked.pk).delete()
    return bool(deleted)
