"""Writes for the archive: an author hides a post from their profile without deleting it, and
restores it (Instagram's Archive). The flag is a clause of the visibility rule (`post_visible_q`):
an archived post is its author's alone, for everyone else (staff included) it does not exist. The
followers' feed rows stay, so a restored post returns in its place. Archived posts are not counted
in the author's `User.post_count` (`check_counters` counts the same way)."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import User
from instaclone.errors import DomainError

from ..models import Post


class ArchiveError(DomainError):
    """Only a post's author may archive or restore it."""

    default_message = "Only the author can archive or restore this post."
    code = "not_author"


def _check_author(post: Post, by: User) -> None:
    if not getattr(by, "is_authenticated", False) or post.author_id != by.pk:
        raise ArchiveError()


def _counted_unless_archived(post: Post) -> bool:
    """Whether the post counts when not archived: a post hidden by moderators is not counted either
    (social.moderation moves the counter when it hides or unhides), so archiving it moves nothing.
    Read after the UPDATE that holds the row."""
    return Post.objects.filter(pk=post.pk, is_hidden=False).exists()


def post_archive(*, post: Post, by: User) -> Post:
    """Archive the author's post (idempotent: archiving an archived post changes nothing)."""
    _check_author(post, by)
    now = timezone.now()
    with transaction.atomic():
        # The conditional UPDATE decides, so a double click moves the counter once.
        if Post.objects.filter(pk=post.pk, is_archived=False).update(is_archived=True, archived_at=now):
            if _counted_unless_archived(post):
                User.objects.filter(pk=post.author_id, post_count__gt=0).update(post_count=F("post_count") - 1)
            post.is_archived, post.archived_at = True, now
    return post


def post_unarchive(*, post: Post, by: User) -> Post:
    """Show the post on the profile again, where it was (its created time is unchanged)."""
    _check_author(post, by)
    with transaction.atomic():
        if Post.objects.filter(pk=post.pk, is_archived=True).update(is_archived=False, archived_at=None):
            if _counted_unless_archived(post):
                User.objects.filter(pk=post.author_id).update(post_count=F("post_count") + 1)
            post.is_archived, post.archived_at = False, None
    return post
