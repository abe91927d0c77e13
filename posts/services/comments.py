"""Writes for comments: add (with mentions) and delete.

The post is fetched through the access-checked selector (`posts.selectors.post_get_for_viewer`: 404
if the commenter may not see it); the stored `comment_count` changes with F() in the same
transaction as the row it counts.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.http import Http404

from accounts.models import User

from ..models import Comment, Post
from ..selectors import post_get_for_viewer, users_who_may_see_posts_of, with_body_html
from ..signals import comment_created, comment_deleting
from ..text import parse_mentions

COMMENT_MAX_LENGTH = 2200
MAX_MENTIONS_PER_COMMENT = 20


def comment_clean_body(body: str | None) -> str:
    """The comment text to store, or ValidationError with a message for the person."""
    body = (body or "").strip()
    if not body:
        raise ValidationError("Write something before posting a comment.", code="empty")
    if "\x00" in body:
        raise ValidationError("Comments can't contain null characters.", code="null_characters")
    if len(body) > COMMENT_MAX_LENGTH:
        raise ValidationError(
            f"Comments can be at most {COMMENT_MAX_LENGTH:,} characters (this one has {len(body):,}).",
            code="too_long",
        )
    return body


def _mentionable_users(*, author: User, post: Post, names: list[str]) -> list[User]:
    """Users named in a comment who may be told about it: they exist and are active, are not the
    commenter, neither blocks the commenter, and may see the post (posts.selectors' rule). The
    post's author is left out: the comment itself notifies them."""
    if not names:
        return []
    ids = (
        User.objects.visible_to(author)  # active, no block either way with the commenter
        .by_username(*names)  # compared like the unique constraint, never iexact (accounts.usernames)
        .exclude(pk=author.pk)
        .values_list("pk", flat=True)
    )
    return users_who_may_see_posts_of(post.author, list(ids))


@transaction.atomic
def comment_create(*, user: User, post_id: int, body: str) -> Comment:
    """Add a comment. ValidationError for empty or over-long text; 404 if the post is not visible."""
    post = post_get_for_viewer(user, post_id, with_media=False)
    body = comment_clean_body(body)
    comment = Comment.objects.create(post=post, author=user, body=body)
    Post.objects.filter(pk=post.pk).update(comment_count=F("comment_count") + 1)
    mentioned = _mentionable_users(author=user, post=post, names=parse_mentions(body)[:MAX_MENTIONS_PER_COMMENT])
    comment_created.send(sender=Comment, comment=comment, mentioned=mentioned)
    post.refresh_from_db(fields=["comment_count"])
    comment.post = post
    with_body_html([comment], user)
    return comment


@transaction.atomic
def comment_delete(*, user: User, post_id: int, comment_id: int) -> Post:
    """Delete a comment: its author may, and so may the post's author. Others get 403; a comment
    that is not on this (visible) post is a 404."""
    post = post_get_for_viewer(user, post_id, with_media=False)
    comment = Comment.objects.select_for_update().filter(pk=comment_id, post=post).first()
    if comment is None:
        raise Http404("No such comment.")
    if user.pk not in (comment.author_id, post.author_id):
        raise PermissionDenied("You can only delete your own comments, or comments on your posts.")
    # social keeps the reports on it (Report.comment cascades), in this transaction
    comment_deleting.send(sender=Comment, comment_id=comment.pk, post_id=post.pk, by_id=user.pk)
    comment.delete()
    Post.objects.filter(pk=post.pk, comment_count__gt=0).update(comment_count=F("comment_count") - 1)
    post.refresh_from_db(fields=["comment_count"])
    return post
