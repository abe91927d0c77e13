"""Writes for the home feed table and notifications.

The feed's writes run mostly in tasks (social/tasks.py runs the functions below, batch by batch);
social/receivers.py decides what to enqueue on commit when a post or the graph changes.

The follow graph's own writes (follow, request, block) are accounts' (accounts/services/graph.py);
what the feed and the notifications must do when the graph changes is in social/receivers.py,
called from accounts' domain events inside the graph's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import Follow, User
from accounts.services.graph import NotVisibleError as _NotVisibleError
from accounts.services.graph import RelationshipError
from accounts.services.graph import SelfActionError as _SelfActionError
from accounts.visibility import blocked_between
from instaclone import live
from instaclone.pagination import decode_cursor, encode_cursor, keyset_q

from .models import FeedItem, FeedPullAuthor, FeedStale, Notification
from .selectors import UNREAD_CACHE_SECONDS, feed_active_cutoff, unread_cache_key

# How many of an author's latest posts a new follower's feed receives at once.
FEED_BACKFILL = 60
# A returning person's rebuild copies again the followees' posts of this last stretch after it
# commits (fan-out batches that skipped them while away), and is asked again if not done by
# FEED_REBUILD_RETRY.
FEED_CATCH_UP = timedelta(days=1)
FEED_REBUILD_RETRY = timedelta(minutes=10)


# The graph's errors are accounts'; the old names stay importable from here.
SocialError = RelationshipError
SelfActionError = _SelfActionError
NotVisibleError = _NotVisibleError


# --- helpers --------------------------------------------------------------------------------


def unread_changed(*user_ids: int, only_at_commit: bool = False) -> None:
    """Forget the cached nav badge count of these people once the transaction commits; also now,
    unless `only_at_commit` (a read in between may re-cache the old count; for someone other than
    the request's user, whose pages cannot see the change before the commit, the forgetting at commit
    is enough: one cache round trip instead of two, which a like's author is). Their open pages then
    refetch the badge (a live event, after the forgetting)."""
    keys = [unread_cache_key(uid) for uid in user_ids]
    if not only_at_commit:
        cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys))
    live.publish(user_ids, {"type": "badge", "badge": "notifications"})


# --- feed table -----------------------------------------------------------------------------
#
# What runs where (docs/feed.md): the author's own row is written in the post's transaction; the
# followers' rows by social.tasks, one batch per task; these functions are what the tasks run.
# Each is idempotent (the (owner, post) unique constraint and ignore_conflicts, deletes that check
# the graph as it is when they run), so a task run twice changes nothing twice.


@dataclass(frozen=True)
class FeedPlan:
    """What a new post needs after its transaction: `fan_out` its followers (social.tasks.
    feed_fan_out), and/or `push_back` (the author left pull mode: social.tasks.feed_push_back)."""

    fan_out: bool = False
    push_back: bool = False


def _own_row(post) -> None:
    FeedItem.objects.bulk_create(
        [FeedItem(owner_id=post.author_id, post_id=post.pk, author_id=post.author_id, created=post.created)],
        ignore_conflicts=True,
    )


def feed_post_created(*, post) -> FeedPlan:
    """In the post's transaction: the author's own row (the author sees the post at once), and the
    author's fan-out mode, sticky with hysteresis:

    - push (no FeedPullAuthor row): fan out, unless the author has more than
      FEED_FANOUT_MAX_FOLLOWERS followers: then the author turns to pull (a row, `since` this post)
      and the post costs O(1) writes; followers read it at read time;
    - pull: no fan-out, until the author has fewer than FEED_FANOUT_MIN_FOLLOWERS: then `leaving`,
      this post is fanned out and the posts made in pull mode are copied to every follower
      (push_back); the row goes when that is done, and reads merge until then;
    - leaving: fan out (back to pull if the author grew past the maximum again).

    The pull row is locked, so two posts of one author decide one after the other."""
    _own_row(post)
    followers = User.objects.filter(pk=post.author_id).values_list("follower_count", flat=True).first() or 0
    pull = FeedPullAuthor.objects.select_for_update().filter(author_id=post.author_id).first()
    if pull is None:
        if followers > settings.FEED_FANOUT_MAX_FOLLOWERS:
            FeedPullAuthor.objects.get_or_create(author_id=post.author_id, defaults={"since": post.created})
            return FeedPlan()
        return FeedPlan(fan_out=followers > 0)
    if pull.since > post.created:  # a post made just before the switch, deciding just after it
        FeedPullAuthor.objects.filter(pk=pull.pk).update(since=post.created)
    if not pull.leaving:
        if followers < settings.FEED_FANOUT_MIN_FOLLOWERS:
            FeedPullAuthor.objects.filter(pk=pull.pk).update(leaving=True)
            return FeedPlan(fan_out=True, push_back=True)
        return FeedPlan()
    if followers > settings.FEED_FANOUT_MAX_FOLLOWERS:
        FeedPullAuthor.objects.filter(pk=pull.pk).update(leaving=False)  # push_back stops at its next batch
        return FeedPlan()
    return FeedPlan(fan_out=True)


def _follower_batch(author_id: int, cursor: str | None, size: int):
    """The next batch of the author's followers who are not away (FEED_ACTIVE_DAYS), in follow
    order (created, id) through the (followee, -created, -id) index: (a queryset of their ids,
    the cursor of the next batch or None after the last; (None, None) when no one is left). One
    query reads the batch's bounds; the queryset selects exactly the follows between the two
    cursors, with a plain range on `created` beside the keyset so that the index is entered at the
    cursor and left at the bound (without it SQLite rescanned the author's follows every batch)."""
    cutoff = feed_active_cutoff()
    active = Q(follower__last_active__isnull=True) | Q(follower__last_active__gte=cutoff)
    follows = Follow.objects.filter(active, followee_id=author_id)
    if cursor:
        follows = follows.filter(created__gte=decode_cursor(cursor)[0])
    bounds = list(
        follows.filter(keyset_q(cursor, descending=False)).order_by("created", "id").values_list("created", "id")[:size]
    )
    if not bounds:
        return None, None
    last = encode_cursor(*bounds[-1])
    batch = (
        follows.filter(keyset_q(cursor, descending=False), created__lte=bounds[-1][0])
        .exclude(keyset_q(last, descending=False))
    )
    return batch.values("follower_id"), (last if len(bounds) == size else None)


def _insert_rows(select, params) -> int:
    """INSERT INTO the feed table the rows (owner, post, author, created) that `select` yields,
    skipping those already there (the (owner, post) unique constraint; SQLite needs the WHERE to
    parse ON CONFLICT after a SELECT). One INSERT ... SELECT in
    the database: about ten times the rows per second of bulk_create on SQLite (docs/feed.md)."""
    from django.db import connection

    table = connection.ops.quote_name(FeedItem._meta.db_table)
    with connection.cursor() as cur:
        cur.execute(
            f"INSERT INTO {table} (owner_id, post_id, author_id, created) {select} WHERE 1 = 1 ON CONFLICT DO NOTHING",  # noqa: S608 - names from the model, values as parameters
            params,
        )
        return max(cur.rowcount, 0)


def feed_fan_out_batch(*, post_id: int, cursor: str | None = None, size: int | None = None) -> tuple[int, str | None]:
    """Copy a post into the feeds of one batch (FEED_FANOUT_BATCH) of its author's followers,
    skipping people away for longer than FEED_ACTIVE_DAYS. Returns (rows written, next cursor)."""
    from posts.models import Post

    post = Post.objects.filter(pk=post_id).values("author_id", "created").first()
    if post is None:  # deleted meanwhile: its rows went with it
        return 0, None
    followers, nxt = _follower_batch(post["author_id"], cursor, size or settings.FEED_FANOUT_BATCH)
    if followers is None:
        return 0, None
    sql, params = followers.query.sql_with_params()
    # adapted as the ORM stores the column: a raw aware datetime is "...+00:00" on SQLite, which
    # sorts after the ORM's own value of the same instant and broke keyset bounds (min_id, since_id)
    created = connection.ops.adapt_datetimefield_value(post["created"])
    written = _insert_rows(
        f"SELECT f.follower_id, %s, %s, %s FROM ({sql}) f", (post_id, post["author_id"], created, *params)  # noqa: S608
    )
    return written, nxt


def feed_push_back_batch(*, author_id: int, cursor: str | None = None, size: int | None = None) -> tuple[int, str | None]:
    """An author leaving pull mode: copy the posts made since the switch to pull into one batch of
    followers' feeds (about FEED_FANOUT_BATCH rows a batch). After the last batch the pull row
    goes, in the same transaction; if the author went back to pull meanwhile, it stops."""
    from posts.models import Post

    pull = FeedPullAuthor.objects.filter(author_id=author_id, leaving=True).first()
    if pull is None:
        return 0, None
    posts = Post.objects.filter(author_id=author_id, created__gte=pull.since).values("id", "created")
    batch = max(1, (size or settings.FEED_FANOUT_BATCH) // max(1, posts.count()))
    followers, nxt = _follower_batch(author_id, cursor, batch)
    written = 0
    if followers is not None:
        f_sql, f_params = followers.query.sql_with_params()
        p_sql, p_params = posts.query.sql_with_params()
        written = _insert_rows(
            f"SELECT f.follower_id, p.id, %s, p.created FROM ({f_sql}) f CROSS JOIN ({p_sql}) p",  # noqa: S608
            (author_id, *f_params, *p_params),
        )
    if nxt is None:
        FeedPullAuthor.objects.filter(author_id=author_id, leaving=True).delete()
    return written, nxt


def feed_backfill(*, owner_id: int, author_id: int, limit: int = FEED_BACKFILL) -> None:
    """Copy an author's latest posts into the owner's feed."""
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


def _follows(owner_id: int, author_id: int) -> bool:
    return Follow.objects.filter(follower_id=owner_id, followee_id=author_id).exists()


def feed_follow_backfill(*, owner_id: int, author_id: int) -> None:
    """After a follow: the followee's latest posts, if the owner still follows them (the task may
    run after an unfollow)."""
    if _follows(owner_id, author_id):
        feed_backfill(owner_id=owner_id, author_id=author_id)


def feed_follow_remove(*, owner_id: int, author_id: int) -> int:
    """After an unfollow, a follower removal or a block: the author's rows leave the owner's feed,
    unless the owner follows the author again by now (or is the author). Reads already hide
    whatever the viewer may no longer see, so running a second later leaks nothing."""
    if owner_id == author_id or _follows(owner_id, author_id):
        return 0
    deleted, _ = FeedItem.objects.filter(owner_id=owner_id, author_id=author_id).delete()
    return deleted


def feed_rebuild(*, owner: User | int, returning: bool = False) -> None:
    """Rebuild one person's feed from scratch (the management command, data repair, and someone
    back after FEED_ACTIVE_DAYS away). Readers see the old rows or the new ones.

    `returning`: in the same transaction the person is stamped active again (fan-out includes them
    from the commit on; until then their pages merge every followee's posts at read time) and the
    rebuild request (FeedStale) goes. A fan-out batch that read them as away before that commit
    started after its post was committed, so the catch-up after the commit (the followees' posts of
    the last FEED_CATCH_UP, copied again, conflicts ignored) sees every such post."""
    owner_id = getattr(owner, "pk", owner)
    with transaction.atomic():
        if returning:
            User.objects.filter(pk=owner_id).update(last_active=timezone.localdate())
        FeedItem.objects.filter(owner_id=owner_id).delete()
        feed_backfill(owner_id=owner_id, author_id=owner_id)
        for followee_id in Follow.objects.filter(follower_id=owner_id).values_list("followee_id", flat=True):
            feed_backfill(owner_id=owner_id, author_id=followee_id)
        FeedStale.objects.filter(owner_id=owner_id).delete()
    if returning:
        from posts.models import Post

        recent = Post.objects.filter(
            author_id__in=Follow.objects.filter(follower_id=owner_id).values("followee_id"),
            created__gte=timezone.now() - FEED_CATCH_UP,
        ).values("id", "author_id", "created")
        sql, params = recent.query.sql_with_params()
        _insert_rows(f"SELECT %s, p.id, p.author_id, p.created FROM ({sql}) p", (owner_id, *params))  # noqa: S608


def feed_activity_record(*, user: User) -> bool:
    """Stamp today as the person's last active day: one UPDATE at most once a day (the middleware
    and sign-in call this; nothing happens when the loaded row already says today).

    Someone back after more than FEED_ACTIVE_DAYS away is not stamped here: a rebuild is requested
    (a FeedStale row) and True tells the caller to enqueue it; the rebuild stamps them with the new
    rows. Until then their pages merge every followee's posts at read time (they still read as
    away). A request that finds the rebuild requested more than FEED_REBUILD_RETRY ago (its task
    lost) asks again."""
    today = timezone.localdate()
    previous = user.last_active
    if previous == today:
        return False
    if previous is not None and previous < feed_active_cutoff():
        stale, created = FeedStale.objects.get_or_create(owner_id=user.pk)
        if created:
            return True
        retry_before = timezone.now() - FEED_REBUILD_RETRY
        return bool(FeedStale.objects.filter(pk=stale.pk, since__lt=retry_before).update(since=timezone.now()))
    User.objects.filter(pk=user.pk).exclude(last_active=today).update(last_active=today)
    user.last_active = today
    return False


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


def notification_like_create(*, liker_id: int, post_id: int, author_id: int) -> None:
    """The author's "liked your post" (none for liking one's own post). No block check, unlike
    notification_create: the like passed the visibility rule in this transaction, and that rule
    already excludes a block either way between the liker and the author."""
    if liker_id == author_id:
        return
    unread_changed(author_id, only_at_commit=True)
    Notification.objects.create(
        recipient_id=author_id, actor_id=liker_id, kind=Notification.Kind.LIKE, post_id=post_id
    )


def notification_like_delete(*, liker_id: int, post_id: int, author_id: int) -> None:
    """An unlike takes its "liked your post" back (the author's badge is recounted if one went)."""
    deleted, _ = Notification.objects.filter(
        actor_id=liker_id, post_id=post_id, kind=Notification.Kind.LIKE
    ).delete()
    if deleted:
        unread_changed(author_id, only_at_commit=True)


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


@transaction.atomic
def notification_dismiss(*, user: User, notification_id: int) -> bool:
    """Delete one of the recipient's notifications (the client API's dismiss); False when they have
    no row with that id. The nav badge is recounted."""
    deleted, _ = Notification.objects.filter(recipient_id=user.pk, pk=notification_id).delete()
    if deleted:
        unread_changed(user.pk)
    return bool(deleted)


@transaction.atomic
def notifications_clear(*, user: User) -> int:
    """Delete all of the recipient's notifications (the client API's clear); how many went. The
    nav badge is recounted."""
    deleted, _ = Notification.objects.filter(recipient_id=user.pk).delete()
    unread_changed(user.pk)
    return deleted
