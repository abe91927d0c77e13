"""Posts' part of purging an account (issue 15): on accounts' `account_purging` event
(posts/receivers.py), every posts row the person owns or appears in goes, with their files.

Each step works in batches of `batch` rows, one transaction a batch, and is idempotent (it reads
what is left), so a purge that stopped half way continues when run again. Counters of other people's
rows move with F() in the batch that deletes what they count:

- their likes: the liked posts' `like_count`;
- their comments: the posts' `comment_count`;
- their saves and collections: nothing counted on others (their own collections go whole);
- their posts (with media, hashtag and mention rows, tags in them, others' likes, comments, saves
  on them by cascade): the `item_count` of other people's collections that held them, and every
  stored file (originals, renditions, web videos and posters) deleted once the batch commits;
- photo tags of them in others' posts, mentions of them in others' captions;
- their media drafts (the client API's uploads) with their files;
- their import jobs (the uploaded archives, if still stored) and the record of what was imported;
- their views of others' stories: those stories' `view_count`;
- their stories (with the views of them, by cascade) and every story file, deleted on commit.

Notifications, feed rows and reports are social's (social/purge.py).
"""

from __future__ import annotations

from collections import Counter

from django.db import transaction
from django.db.models import F

from accounts.models import User
from instaclone.batches import delete_counted, delete_in_batches
from instaclone.media.files import delete_on_commit
from instaclone.media.renditions import rendition_names

from ..models import (
    Collection,
    CollectionItem,
    Comment,
    ImportedItem,
    ImportJob,
    Like,
    MediaDraft,
    PhotoTag,
    Post,
    PostMedia,
    PostMention,
    Save,
)
from ..stories.models import Story, StoryView


def _decrement(model, field: str, per_pk: Counter) -> None:
    """Subtract each count from `field` of its row (never below zero): one UPDATE per distinct
    amount, so a batch of 500 likes on 500 posts is one statement."""
    by_amount: dict[int, list[int]] = {}
    for pk, n in per_pk.items():
        by_amount.setdefault(n, []).append(pk)
    for n, pks in by_amount.items():
        model.objects.filter(pk__in=pks, **{f"{field}__gte": n}).update(**{field: F(field) - n})
        model.objects.filter(pk__in=pks, **{f"{field}__lt": n}).update(**{field: 0})


def _likes(user_id: int, batch: int) -> int:
    """Their likes, a batch at a time under row locks: each post's `like_count` drops by the likes
    this delete removed (instaclone.batches.delete_counted), never by what was merely read."""
    done = 0
    while True:
        with transaction.atomic():
            rows = list(Like.objects.filter(user_id=user_id).select_for_update().order_by("pk").values_list("pk", "post_id")[:batch])
            if not rows:
                return done
            per_post = delete_counted(Like, rows)
            _decrement(Post, "like_count", per_post)
            done += sum(per_post.values())


def _comments(user_id: int, batch: int) -> int:
    """Their comments (with the notifications about them, by cascade), as their likes."""
    done = 0
    while True:
        with transaction.atomic():
            rows = list(
                Comment.objects.filter(author_id=user_id).select_for_update().order_by("pk").values_list("pk", "post_id")[:batch]
            )
            if not rows:
                return done
            per_post = delete_counted(Comment, rows)
            _decrement(Post, "comment_count", per_post)
            done += sum(per_post.values())


def _posts(user_id: int, batch: int) -> int:
    """The person's posts, a batch of posts at a time (each cascades its media, engagement and
    tags): others' collections that held them drop by their items; the files go on commit."""
    size = max(1, batch // 10)  # a post cascades many rows
    done = 0
    while True:
        with transaction.atomic():
            post_ids = list(
                Post.objects.select_for_update().filter(author_id=user_id).order_by("pk").values_list("pk", flat=True)[:size]
            )
            if not post_ids:
                return done
            names: list[str] = []
            for file, renditions in PostMedia.objects.select_for_update().filter(post_id__in=post_ids).values_list(
                "file", "renditions"
            ):
                names.append(file)
                names.extend(rendition_names(renditions))
            # others' collections holding them: the items locked, and deleted here (not by the
            # posts' cascade) so each collection drops by what this delete removed
            items = list(
                CollectionItem.objects.filter(post_id__in=post_ids).select_for_update().values_list("pk", "collection_id")
            )
            held = delete_counted(CollectionItem, items)
            counted = Post.objects.filter(pk__in=post_ids, is_archived=False, is_hidden=False).count()
            Post.objects.filter(pk__in=post_ids).delete()
            _decrement(Collection, "item_count", held)
            if counted:
                _decrement(User, "post_count", Counter({user_id: counted}))
            delete_on_commit(*dict.fromkeys(names))
            done += len(post_ids)


def _media_drafts(user_id: int, batch: int) -> int:
    done = 0
    while True:
        with transaction.atomic():
            rows = list(MediaDraft.objects.filter(owner_id=user_id).order_by("pk").values_list("pk", "file")[:batch])
            if not rows:
                return done
            MediaDraft.objects.filter(pk__in=[pk for pk, _ in rows]).delete()
            delete_on_commit(*(name for _, name in rows))
            done += len(rows)


def _imports(user_id: int, batch: int) -> int:
    """Import jobs (their uploaded ZIPs, if still stored) and the record of what was imported."""
    done = delete_in_batches(ImportedItem.objects.filter(owner_id=user_id), batch)
    while True:
        with transaction.atomic():
            rows = list(ImportJob.objects.filter(owner_id=user_id).order_by("pk").values_list("pk", "file")[:batch])
            if not rows:
                return done
            ImportJob.objects.filter(pk__in=[pk for pk, _ in rows]).delete()
            delete_on_commit(*(name for _, name in rows if name))
            done += len(rows)


def _story_views(user_id: int, batch: int) -> int:
    """Their views of others' stories: each story's `view_count` drops by the views this delete removed."""
    done = 0
    while True:
        with transaction.atomic():
            rows = list(
                StoryView.objects.filter(viewer_id=user_id).select_for_update().order_by("pk").values_list("pk", "story_id")[:batch]
            )
            if not rows:
                return done
            per_story = delete_counted(StoryView, rows)
            _decrement(Story, "view_count", per_story)
            done += sum(per_story.values())


def _stories(user_id: int, batch: int) -> int:
    """Their stories (the views of them go by cascade); the files once each batch commits."""
    done = 0
    while True:
        with transaction.atomic():
            rows = list(
                Story.objects.select_for_update().filter(author_id=user_id).order_by("pk")
                .values_list("pk", *Story.FILE_FIELDS)[:batch]
            )
            if not rows:
                return done
            Story.objects.filter(pk__in=[row[0] for row in rows]).delete()
            delete_on_commit(*dict.fromkeys(name for _, *files in rows for name in Story.stored_names(*files)))
            done += len(rows)


def account_posts_purge(*, user_id: int, batch: int = 500) -> dict[str, int]:
    """Remove every posts row of the person (see the module's docstring); what went, by kind."""
    return {
        "likes": _likes(user_id, batch),
        "comments": _comments(user_id, batch),
        "collections": delete_in_batches(Collection.objects.filter(owner_id=user_id), batch),
        "saves": delete_in_batches(Save.objects.filter(user_id=user_id), batch),
        "photo_tags": delete_in_batches(PhotoTag.objects.filter(user_id=user_id), batch),
        "mentions": delete_in_batches(PostMention.objects.filter(user_id=user_id), batch),
        "posts": _posts(user_id, batch),
        "media_drafts": _media_drafts(user_id, batch),
        "imports": _imports(user_id, batch),
        "story_views": _story_views(user_id, batch),
        "stories": _stories(user_id, batch),
    }
