"""The bulk writer: turns a Plan (social.demo.plan) into rows, fast.

**This module re-implements, on purpose, what the services write one row at a time**:
- the stored counters (`User.post_count/follower_count/following_count`, `Post.like_count/
  comment_count/media_count/has_video`) are computed here from the very rows being written, instead
  of the `F()` increments of accounts/posts services;
- the home-feed fan-out (`FeedItem`: every person's own posts plus those of everyone they follow)
  is written here in one pass, instead of social's fan-out tasks on each post/follow, with the same
  rule for large accounts: an author with more than FEED_FANOUT_MAX_FOLLOWERS followers is in pull
  mode (a `FeedPullAuthor` row; only their own feed gets rows of their posts).

Why: speed. The benchmark population (10,000 users, 100,000 posts, 1,000,000 likes) takes a few
minutes as COPY (PostgreSQL) / executemany (SQLite) batches with explicit ids; through the per-row
services it would take hours. The price is a second code path, so it has a proof:
`manage.py check_counters` (social/management/commands/check_counters.py) recounts every stored
counter from its rows, and social/tests/test_seed_demo.py runs it after seeding
(`test_seeded_counters_equal_their_rows`, `test_seed_plan_small_population_needs_no_counter_fix`) and
checks the feed rows of a demo user against the follow graph. A new counter or a new fan-out rule in
the services must be added here and to check_counters together.
"""

from __future__ import annotations

import itertools
import json
import time
from collections import defaultdict
from datetime import UTC, datetime

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.db.models import Max

from accounts.models import Block, Follow, FollowRequest, User
from posts.models import Comment, Hashtag, Like, Post, PostHashtag, PostMedia, PostMention, Save, Story
from posts.services.posts import aspect_ratio_for
from social.messages.models import Conversation
from social.models import FeedItem, FeedPullAuthor, FeedStale, Notification

from .plan import DEMO_USERS, NOW, SEED_EMAIL_DOMAIN, YEAR, Plan

COMMENTS = (
    "Love this!", "Wow 😍", "So good", "Where is this?", "Amazing shot", "Take me there",
    "This made my day", "Beautiful colours", "🔥🔥🔥", "Need this right now", "Classic!",
    "Great light", "Incredible", "Haha yes", "Miss this place", "Goals", "Stunning",
)


class RowWriter:
    """Insert planned rows quickly with explicit ids, filling every column the plan does not set
    with the field's default (so fields added later by other apps do not break the seed)."""

    def __init__(self, stdout, verbose: bool):
        self.pg = connection.vendor == "postgresql"
        self.stdout = stdout
        self.verbose = verbose
        if not self.pg:
            with connection.cursor() as cursor:
                # random-order index inserts (likes, follows) need the index pages in memory
                cursor.execute("PRAGMA cache_size = -262144")

    def ts(self, epoch: float):
        if self.pg:
            return datetime.fromtimestamp(epoch, UTC)
        return datetime.fromtimestamp(epoch, UTC).replace(tzinfo=None).isoformat(" ")

    @staticmethod
    def next_id(model) -> int:
        return (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1

    def insert(self, model, names: list[str], rows, batch: int = 5000) -> int:
        fields = [model._meta.get_field(n) for n in names]
        extra = [f for f in model._meta.concrete_fields if f.name not in names and not f.primary_key]
        extra_values = []
        for f in extra:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                extra_values.append(self.ts(NOW))
                continue
            value = f.get_default()  # the declared default, or "" for text fields, or None
            if value is None and not f.null:
                raise CommandError(f"seed_demo does not know how to fill {model.__name__}.{f.name}")
            if isinstance(value, dict | list):
                value = json.dumps(value)
            extra_values.append(value)
        columns = [f.column for f in fields] + [f.column for f in extra]
        extra_tuple = tuple(extra_values)
        table = connection.ops.quote_name(model._meta.db_table)
        cols = ", ".join(connection.ops.quote_name(c) for c in columns)
        count = 0
        start = time.monotonic()
        with connection.cursor() as cursor:
            if self.pg:
                with cursor.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row + extra_tuple if extra_tuple else row)
                        count += 1
            else:
                sql = f"INSERT INTO {table} ({cols}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608 - quoted model names
                it = iter(rows)
                while True:
                    chunk = list(itertools.islice(it, batch))
                    if not chunk:
                        break
                    if extra_tuple:
                        chunk = [r + extra_tuple for r in chunk]
                    cursor.executemany(sql, chunk)
                    count += len(chunk)
        if self.verbose:
            self.stdout.write(f"  {model.__name__}: {count:,} rows in {time.monotonic() - start:.1f}s")
        return count

    def reset_sequences(self, models) -> None:
        if not self.pg:
            return  # SQLite's AUTOINCREMENT follows explicit ids by itself
        with connection.cursor() as cursor:
            for model in models:
                table = model._meta.db_table
                quoted = connection.ops.quote_name(table)
                sql = f"SELECT setval(pg_get_serial_sequence(%s, 'id'), COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM {quoted}"  # noqa: S608 - quoted model name
                cursor.execute(sql, [table])


def skip_fk_triggers_on_postgresql() -> None:
    """PostgreSQL checks deferred foreign keys row by row at COMMIT (minutes for millions of rows).
    A superuser may skip those triggers for this transaction; anyone else keeps them (slower)."""
    if connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
    except DatabaseError:
        pass


def analyze_on_postgresql() -> None:
    """Fresh planner statistics: without them PostgreSQL plans the feed as if the tables were empty
    (seq scan of every post, 0.5 s; 8 ms after ANALYZE). Autovacuum would get there later."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


# --- the demo accounts and --reset (through the ORM: a handful of rows) ------------------------


def ensure_demo_accounts(password_hash: str) -> int:
    """The five demo users, demo_mod (in Moderators) and demo_admin, created if missing; how many were."""
    from allauth.account.models import EmailAddress

    created = 0
    with transaction.atomic():
        for username, name, bio, private in DEMO_USERS:
            user, was_created = User.objects.get_or_create(
                username=username,
                defaults={"email": f"{username}@example.com", "display_name": name, "bio": bio,
                          "is_private": private, "password": password_hash},
            )
            if was_created:
                EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
                created += 1
        moderators = Group.objects.get(name="Moderators")
        for username, staff, superuser in (("demo_mod", True, False), ("demo_admin", True, True)):
            user, was_created = User.objects.get_or_create(
                username=username,
                defaults={"email": f"{username}@example.com", "is_staff": staff, "is_superuser": superuser,
                          "password": password_hash},
            )
            if was_created:
                EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
                created += 1
            if not superuser:
                user.groups.add(moderators)
    return created


def population_exists() -> bool:
    return User.objects.filter(email__endswith="@" + SEED_EMAIL_DOMAIN).exists()


def demo_users_have_posts() -> bool:
    return Post.objects.filter(author__username__in=[u[0] for u in DEMO_USERS]).exists()


def reset_population() -> None:
    """Delete every post and graph row and the generated people (demo users stay, counters zeroed).
    Files of the deleted posts are left in storage: the seed names them uniquely, never reuses them."""
    with transaction.atomic():
        for model in (Notification, FeedItem, FeedPullAuthor, FeedStale, Comment, Like, Save, PostMention, PostHashtag, PostMedia):
            model.objects.all()._raw_delete(model.objects.db)
        for model in (Story, Post, Hashtag, Follow, FollowRequest, Block):
            model.objects.all().delete()
        Conversation.objects.all().delete()  # direct messages (their rows cascade), the demo users' too
        User.objects.filter(email__endswith="@" + SEED_EMAIL_DOMAIN).delete()
        User.objects.update(post_count=0, follower_count=0, following_count=0)


# --- the population ---------------------------------------------------------------------------


def write_population(w: RowWriter, plan: Plan, images: list[dict], password_hash: str) -> dict:  # noqa: C901 - one table after another
    """Write every planned row (in the caller's transaction); the counts written, by kind."""
    from allauth.account.models import EmailAddress

    n, n_demo, n_posts = plan.n, plan.n_demo, len(plan.post_author)
    ids, following, followers, joined = plan.ids, plan.following, plan.followers, plan.joined
    post_ids, post_author, post_created = plan.post_ids, plan.post_author, plan.post_created
    # counters, from the rows below (the services would increment them row by row)
    post_count = [0] * n
    for a in post_author:
        post_count[a] += 1

    # probes: benchmark users who follow exactly N accounts (the most prolific first, so the
    # feed is deep), and whom nobody follows
    by_posts = sorted(range(n), key=lambda i: (-post_count[i], i))
    probe_following = [by_posts[: min(k, n)] for k in plan.probes]
    follower_count = [len(f) for f in followers]
    for fl in probe_following:
        for j in fl:
            follower_count[j] += 1

    # users
    users_rows = []
    for k in range(n - n_demo):
        i = n_demo + k
        users_rows.append((
            ids[i], plan.usernames[k], f"{plan.usernames[k]}@{SEED_EMAIL_DOMAIN}", plan.names[k], plan.bios[k],
            plan.private[i], password_hash, w.ts(joined[k]), post_count[i], follower_count[i], len(following[i]),
        ))
    for k, size in enumerate(plan.probes):
        users_rows.append((
            plan.probe_ids[k], f"probe_{size}", f"probe_{size}@{SEED_EMAIL_DOMAIN}", f"Probe {size}", "", False,
            password_hash, w.ts(NOW - YEAR), 0, 0, len(probe_following[k]),
        ))
    w.insert(User, ["id", "username", "email", "display_name", "bio", "is_private", "password", "date_joined",
                    "post_count", "follower_count", "following_count"], users_rows)
    for i in range(n_demo):
        User.objects.filter(pk=ids[i]).update(
            post_count=post_count[i], follower_count=follower_count[i], following_count=len(following[i])
        )
    first_email = w.next_id(EmailAddress)
    w.insert(EmailAddress, ["id", "user", "email", "primary", "verified"],
             ((first_email + k, r[0], r[2], True, True) for k, r in enumerate(users_rows)))

    # graph
    first_follow = w.next_id(Follow)
    follow_rows = []
    for i, fl in enumerate(following):
        for j in fl:
            follow_rows.append((ids[i], ids[j], max(joined[i - n_demo] if i >= n_demo else 0,
                                                    joined[j - n_demo] if j >= n_demo else 0)))
    for k, fl in enumerate(probe_following):
        for j in fl:
            follow_rows.append((plan.probe_ids[k], ids[j], NOW - YEAR))
    w.insert(Follow, ["id", "follower", "followee", "created"],
             ((first_follow + k, a, b, w.ts(max(t, NOW - 2 * YEAR) + 60)) for k, (a, b, t) in enumerate(follow_rows)))
    first_block = w.next_id(Block)
    w.insert(Block, ["id", "blocker", "blocked", "created"],
             ((first_block + k, ids[a], ids[b], w.ts(NOW - 86400 * (k % 300))) for k, (a, b) in enumerate(sorted(plan.blocks))))
    first_req = w.next_id(FollowRequest)
    w.insert(FollowRequest, ["id", "requester", "target", "created"],
             ((first_req + k, ids[a], ids[b], w.ts(NOW - 3600 * (k % 500))) for k, (a, b) in enumerate(sorted(plan.requests))))

    # hashtags (reuse existing rows by name)
    tag_names = plan.tag_names
    tag_ids = dict(Hashtag.objects.filter(name__in=tag_names).values_list("name", "pk"))
    missing = [t for t in tag_names if t not in tag_ids]
    first_tag = w.next_id(Hashtag)
    w.insert(Hashtag, ["id", "name", "created"], ((first_tag + k, t, w.ts(NOW - 2 * YEAR)) for k, t in enumerate(missing)))
    tag_ids.update({t: first_tag + k for k, t in enumerate(missing)})
    tag_id_by_index = [tag_ids[t] for t in tag_names]

    # posts and what hangs off them
    like_count = [0] * n_posts
    for p, _u in plan.likes:
        like_count[p] += 1
    comment_count = [0] * n_posts
    for p, _u in plan.comments:
        comment_count[p] += 1
    media_per_post = plan.media_per_post

    def image_of(p, pos, k):
        return images[(p * 7 + pos) % len(images)] if plan.pool_size else images[k]

    def aspect_ratios():  # the "original" frame: the first image's shape (services.aspect_ratio_for)
        k = 0
        for p in range(n_posts):
            first = image_of(p, 0, k)
            k += media_per_post[p]
            yield aspect_ratio_for(Post.Aspect.ORIGINAL, first["width"], first["height"])

    w.insert(Post, ["id", "author", "caption", "created", "updated", "like_count", "comment_count", "media_count",
                    "has_video", "aspect_ratio"],
             ((post_ids[p], ids[post_author[p]], plan.captions[p], w.ts(post_created[p]), w.ts(post_created[p]),
               like_count[p], comment_count[p], media_per_post[p], False, ratio)
              for p, ratio in zip(range(n_posts), aspect_ratios(), strict=True)))

    def media_rows():
        k = 0
        for p in range(n_posts):
            for pos in range(media_per_post[p]):
                img = image_of(p, pos, k)
                k += 1
                yield (post_ids[p], pos, "image", img["file"], img["width"], img["height"], "",
                       json.dumps(img["renditions"]))

    first_media = w.next_id(PostMedia)
    w.insert(PostMedia, ["id", "post", "position", "kind", "file", "width", "height", "alt_text", "renditions"],
             ((first_media + k, *row) for k, row in enumerate(media_rows())))
    first_ph = w.next_id(PostHashtag)
    w.insert(PostHashtag, ["id", "post", "hashtag", "created"],
             ((first_ph + k, post_ids[p], tag_id_by_index[t], w.ts(post_created[p]))
              for k, (p, t) in enumerate((p, t) for p in range(n_posts) for t in plan.post_tags[p])))
    first_pm = w.next_id(PostMention)
    w.insert(PostMention, ["id", "post", "user"],
             ((first_pm + k, post_ids[p], ids[u])
              for k, (p, u) in enumerate((p, u) for p in range(n_posts) for u in plan.post_mentions[p])))

    def after(p, k):
        """A time after post p was made, spread over the following weeks (never in the future)."""
        return w.ts(min(NOW, post_created[p] + 60 + (k * 7919 % 1000) / 1000 * 21 * 86400))

    first_like = w.next_id(Like)
    w.insert(Like, ["id", "user", "post", "created"],
             ((first_like + k, ids[u], post_ids[p], after(p, k)) for k, (p, u) in enumerate(plan.likes)))
    first_comment = w.next_id(Comment)
    w.insert(Comment, ["id", "post", "author", "body", "created", "is_hidden"],
             ((first_comment + k, post_ids[p], ids[u], COMMENTS[k % len(COMMENTS)], after(p, k), False)
              for k, (p, u) in enumerate(plan.comments)))
    first_save = w.next_id(Save)
    w.insert(Save, ["id", "user", "post", "created"],
             ((first_save + k, ids[u], post_ids[p], after(p, k)) for k, (p, u) in enumerate(sorted(plan.saves))))

    # home feed index (fan-out on write, as social's feed services do it post by post): own posts
    # plus every followee's posts, except those of authors in pull mode (read at read time)
    posts_by_author: dict[int, list[int]] = defaultdict(list)
    for p in range(n_posts):
        posts_by_author[post_author[p]].append(p)
    pull = {i for i in range(n) if follower_count[i] > settings.FEED_FANOUT_MAX_FOLLOWERS}
    w.insert(FeedPullAuthor, ["author", "since", "leaving"],
             ((ids[i], w.ts(min((post_created[p] for p in posts_by_author.get(i, ())), default=NOW)), False)
              for i in sorted(pull)))

    def feed_rows():
        for i in range(n):
            for a in (i, *following[i]):
                if a in pull and a != i:
                    continue
                for p in posts_by_author.get(a, ()):
                    yield (ids[i], post_ids[p], ids[a], post_created[p])
        for k, fl in enumerate(probe_following):
            for a in fl:
                if a in pull:
                    continue
                for p in posts_by_author.get(a, ()):
                    yield (plan.probe_ids[k], post_ids[p], ids[a], post_created[p])

    first_feed = w.next_id(FeedItem)
    n_feed = w.insert(FeedItem, ["id", "owner", "post", "author", "created"],
                      ((first_feed + k, o, p, a, w.ts(t)) for k, (o, p, a, t) in enumerate(feed_rows())))

    # a few notifications for the demo users, so their page is not empty
    notif_rows = []
    demo_idx = set(range(n_demo))
    for k, (p, u) in enumerate(plan.likes):
        if post_author[p] in demo_idx and len(notif_rows) < 400:
            notif_rows.append((ids[post_author[p]], ids[u], Notification.Kind.LIKE, post_ids[p], after(p, k)))
    for i in demo_idx:
        for f in followers[i][:20]:
            notif_rows.append((ids[i], ids[f], Notification.Kind.FOLLOW, None, w.ts(NOW - 3600 * (f % 200))))
    first_notif = w.next_id(Notification)
    w.insert(Notification, ["id", "recipient", "actor", "kind", "post", "created"],
             ((first_notif + k, *row) for k, row in enumerate(notif_rows)))

    w.reset_sequences([User, EmailAddress, Follow, Block, FollowRequest, Hashtag, Post, PostMedia, PostHashtag,
                       PostMention, Like, Comment, Save, FeedItem, Notification])
    return {
        "users": n + len(plan.probes), "follows": len(follow_rows), "posts": n_posts, "likes": len(plan.likes),
        "comments": len(plan.comments), "saves": len(plan.saves), "feed items": n_feed,
        "images": len(images),
    }
