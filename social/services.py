"""Writes for the home feed table and notifications.

The follow graph's own writes (follow, request, block) are accounts' (accounts/services/graph.py);
what the feed and the notifications must do when the graph changes is in social/receivers.py,
called from accounts' domain events inside the graph's transaction.
"""

from __future__ import annotations

from django.core.cache import cache
from django.db import transaction

from accounts.models import Follow, User
from accounts.services.graph import NotVisibleError as _NotVisibleError
from accounts.services.graph import RelationshipError
from accounts.services.graph import SelfActionError as _SelfActionError
from accounts.visibility import blocked_between

from .models import FeedItem, Notification
from .selectors import UNREAD_CACHE_SECONDS, unread_cache_key

# How many of an author's latest posts a new follower's feed receives at once.
FEED_BACKFILL = 60


# The graph's errors are accounts'; the old names stay importable from here.
SocialError = RelationshipError
SelfActionError = _SelfActionError
NotVisibleError = _NotVisibleError


# --- helpers --------------------------------------------------------------------------------


def unread_changed(*user_ids: int) -> None:
    """Forget the cached nav badge count of these people once the transaction commits."""
    keys = [unread_cache_key(uid) for uid in user_ids]
    cache.delete_many(keys)  # now, and again after commit (a read in between may re-cache the old count)
    transaction.on_commit(lambda: cache.delete_many(keys))


# --- feed table -----------------------------------------------------------------------------


def feed_backfill(*, owner_id: int, author_id: int, limit: int = FEED_BACKFILL) -> None:
    """Copy an author's latest posts into the owner's feed (after a follow is accepted)."""
    from posts.models import Post

    rows = (
        Post.objects.filter(author_id=author_id)
        .order_by("-created", "-id")
        .values_list("pk", "created")[:limit]
    )
    FeedItem.objects.bulk_create(
        [
            FeedItem(owner_id=owner_id, post_id=pk, author_id=author_id, created=created)
            for pk, created in rows
        ],
        ignore_conflicts=True,
    )


def feed_fan_out(*, post) -> None:
    """Put a new post into its author's feed and every follower's (fan-out on write)."""
    follower_ids = Follow.objects.filter(followee_id=post.author_id).values_list("follower_id", flat=True)
    items = [
        FeedItem(owner_id=post.author_id, post_id=post.pk, author_id=post.author_id, created=post.created)
    ]
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


def notification_create(
    *, recipient: User, actor: User, kind: str, post=None, comment=None
) -> Notification | None:
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
    marked = Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    # the badge knows it is zero now (and again after unread_changed's commit-time delete), so the
    # page that marked them read does not count them again
    key = unread_cache_key(user.pk)
    cache.set(key, 0, UNREAD_CACHE_SECONDS)
    transaction.on_commit(lambda: cache.set(key, 0, UNREAD_CACHE_SECONDS))
    return marked
