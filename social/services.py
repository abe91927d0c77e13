"""Writes for the social graph, the home feed table and notifications.

Every graph change locks the two user rows (in primary-key order, so two people acting on each
other cannot deadlock) and then reads, writes and counts inside that one transaction: replays and
double clicks find the row already there and change nothing; counters move with F() together with
the rows they count.
"""

from __future__ import annotations

from django.core.cache import cache
from django.db import transaction
from django.db.models import F

from accounts.models import Block, Follow, FollowRequest, User
from accounts.visibility import blocked_between
from instaclone.errors import DomainError

from .follow_state import FollowState
from .models import FeedItem, Notification
from .selectors import UNREAD_CACHE_SECONDS, unread_cache_key

# How many of an author's latest posts a new follower's feed receives at once.
FEED_BACKFILL = 60


class SocialError(DomainError):
    """A graph action that cannot happen; `status` is the HTTP status a view should answer."""

    status = 400


class SelfActionError(SocialError):
    status = 400


class NotVisibleError(SocialError):
    """Blocked either way, or an inactive account: the actor must not learn which (404)."""

    status = 404


# --- helpers --------------------------------------------------------------------------------


def unread_changed(*user_ids: int) -> None:
    """Forget the cached nav badge count of these people once the transaction commits."""
    keys = [unread_cache_key(uid) for uid in user_ids]
    cache.delete_many(keys)  # now, and again after commit (a read in between may re-cache the old count)
    transaction.on_commit(lambda: cache.delete_many(keys))


def _lock_pair(a: User, b: User) -> dict[int, User]:
    rows = User.objects.select_for_update().filter(pk__in=[a.pk, b.pk]).order_by("pk")
    return {u.pk: u for u in rows}


def _bump(user_id: int, field: str, delta: int) -> None:
    User.objects.filter(pk=user_id).update(**{field: F(field) + delta})


def _follow_add(*, follower_id: int, followee_id: int) -> bool:
    """Create the accepted follow row with its counters and feed backfill. False if it existed."""
    if Follow.objects.filter(follower_id=follower_id, followee_id=followee_id).exists():
        return False
    Follow.objects.create(follower_id=follower_id, followee_id=followee_id)
    _bump(follower_id, "following_count", 1)
    _bump(followee_id, "follower_count", 1)
    feed_backfill(owner_id=follower_id, author_id=followee_id)
    return True


def _follow_remove(*, follower_id: int, followee_id: int) -> bool:
    deleted, _ = Follow.objects.filter(follower_id=follower_id, followee_id=followee_id).delete()
    if not deleted:
        return False
    _bump(follower_id, "following_count", -1)
    _bump(followee_id, "follower_count", -1)
    FeedItem.objects.filter(owner_id=follower_id, author_id=followee_id).delete()
    Notification.objects.filter(
        recipient_id=followee_id, actor_id=follower_id, kind=Notification.Kind.FOLLOW
    ).delete()
    unread_changed(followee_id)
    return True


def _request_remove(*, requester_id: int, target_id: int) -> bool:
    deleted, _ = FollowRequest.objects.filter(requester_id=requester_id, target_id=target_id).delete()
    Notification.objects.filter(
        recipient_id=target_id, actor_id=requester_id, kind=Notification.Kind.FOLLOW_REQUEST
    ).delete()
    unread_changed(target_id)
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
            notification_create(recipient=target, actor=follower, kind=Notification.Kind.FOLLOW_REQUEST)
        return FollowState.REQUESTED
    if FollowRequest.objects.filter(requester_id=follower.pk, target_id=followee.pk).exists():
        # a request left from when the account was private: it becomes the follow
        _accept(target=target, requester_id=follower.pk)
        return FollowState.FOLLOWING
    _follow_add(follower_id=follower.pk, followee_id=followee.pk)
    notification_create(recipient=target, actor=follower, kind=Notification.Kind.FOLLOW)
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
    # the owner's "requested to follow you" becomes "started following you"
    Notification.objects.filter(
        recipient_id=target.pk, actor_id=requester_id, kind=Notification.Kind.FOLLOW_REQUEST
    ).update(kind=Notification.Kind.FOLLOW)
    Notification.objects.create(recipient_id=requester_id, actor=target, kind=Notification.Kind.FOLLOW_ACCEPTED)
    unread_changed(requester_id)
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
    for requester_id in list(FollowRequest.objects.filter(target_id=user.pk).values_list("requester_id", flat=True)):
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
    """Block: follows both ways, pending requests both ways, feed rows and notifications between the
    two go; counters are fixed in the same transaction. Idempotent."""
    if blocker.pk == blocked.pk:
        raise SelfActionError("You can't block yourself.")
    locked = _lock_pair(blocker, blocked)
    if blocked.pk not in locked:
        raise NotVisibleError("No such user.")
    _, created = Block.objects.get_or_create(blocker_id=blocker.pk, blocked_id=blocked.pk)
    for a, b in ((blocker.pk, blocked.pk), (blocked.pk, blocker.pk)):
        _follow_remove(follower_id=a, followee_id=b)
        _request_remove(requester_id=a, target_id=b)
        FeedItem.objects.filter(owner_id=a, author_id=b).delete()
        Notification.objects.filter(recipient_id=a, actor_id=b).delete()
    unread_changed(blocker.pk, blocked.pk)
    return created


@transaction.atomic
def block_delete(*, blocker: User, blocked: User) -> bool:
    deleted, _ = Block.objects.filter(blocker_id=blocker.pk, blocked_id=blocked.pk).delete()
    return bool(deleted)


# --- feed table -----------------------------------------------------------------------------


def feed_backfill(*, owner_id: int, author_id: int, limit: int = FEED_BACKFILL) -> None:
    """Copy an author's latest posts into the owner's feed (after a follow is accepted)."""
    from posts.models import Post

    rows = Post.objects.filter(author_id=author_id).order_by("-created", "-id").values_list("pk", "created")[:limit]
    FeedItem.objects.bulk_create(
        [FeedItem(owner_id=owner_id, post_id=pk, author_id=author_id, created=created) for pk, created in rows],
        ignore_conflicts=True,
    )


def feed_fan_out(*, post) -> None:
    """Put a new post into its author's feed and every follower's (fan-out on write)."""
    follower_ids = Follow.objects.filter(followee_id=post.author_id).values_list("follower_id", flat=True)
    items = [FeedItem(owner_id=post.author_id, post_id=post.pk, author_id=post.author_id, created=post.created)]
    items += [
        FeedItem(owner_id=fid, post_id=post.pk, author_id=post.author_id, created=post.created)
        for fid in follower_ids.iterator(chunk_size=2000)
    ]
    FeedItem.objects.bulk_create(items, batch_size=1000, ignore_conflicts=True)


@transaction.atomic
def feed_rebuild(*, owner: User) -> None:
    """Rebuild one person's feed from scratch (management command, data repair)."""
    FeedItem.objects.filter(owner_id=owner.pk).delete()
    feed_backfill(owner_id=owner.pk, author_id=owner.pk)
    for followee_id in Follow.objects.filter(follower_id=owner.pk).values_list("followee_id", flat=True):
        feed_backfill(owner_id=owner.pk, author_id=followee_id)


# --- notifications --------------------------------------------------------------------------


def notification_create(*, recipient: User, actor: User, kind: str, post=None, comment=None) -> Notification | None:
    """One notification, unless it would go to the actor themself or between blocked people."""
    recipient_id = getattr(recipient, "pk", recipient)
    actor_id = getattr(actor, "pk", actor)
    if recipient_id == actor_id or blocked_between(recipient_id, actor_id):
        return None
    unread_changed(recipient_id)
    return Notification.objects.create(
        recipient_id=recipient_id, actor_id=actor_id, kind=kind, post=post, comment=comment
    )


def notifications_mark_read(*, user: User) -> int:
    from django.utils import timezone

    unread_changed(user.pk)
    marked = Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).update(read_at=timezone.now())
    # the badge knows it is zero now (and again after unread_changed's commit-time delete), so the
    # page that marked them read does not count them again
    key = unread_cache_key(user.pk)
    cache.set(key, 0, UNREAD_CACHE_SECONDS)
    transaction.on_commit(lambda: cache.set(key, 0, UNREAD_CACHE_SECONDS))
    return marked
