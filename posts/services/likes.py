"""Writes for likes: like and unlike, idempotent.

A post the user may not see is a 404 (private accounts, blocks either way, hidden posts: the one
rule, `Post.objects.visible_to`, compiled into the write itself by `engagement.visible_post`), and no
row is written. The unique constraint on Like is the final word: liking twice, double clicks and
replayed requests leave one row. The stored `like_count` changes only when a row really went in or
out, in the same transaction, never below zero.

A like that changes something is three statements in its transaction (engagement.py says why they
are hand-written): the INSERT (or DELETE) guarded by the visibility rule, the UPDATE of the counter
returning its new value and the post's author, and the notification's write (social, through the
`post_liked` / `post_unliked` domain events). A like that changes nothing is one more statement:
the access-checked read of the count (or the 404).
"""

from __future__ import annotations

from django.db import transaction

from accounts.models import User

from ..models import Like, Post
from ..signals import post_liked, post_unliked
from .engagement import (
    VisiblePost,
    post_like_count_add,
    row_delete_if_visible,
    row_insert_if_visible,
    visible_post,
    visible_post_read,
)


@transaction.atomic
def like_create(*, user: User, post_id: int) -> Post:
    """Like a post (idempotent). Returns the post with its current like_count only (the other
    fields deferred, as `.only("like_count")` would)."""
    post = visible_post(user, post_id)
    if not row_insert_if_visible(Like, user_id=user.pk, post=post):
        return _post(post, visible_post_read(post)[0])  # nothing written: the count as it is, or 404
    like_count, author_id = post_like_count_add(post_id, +1, using=post.using)
    post_liked.send(sender=Like, like_user_id=user.pk, post_id=post_id, author_id=author_id)
    return _post(post, like_count)


@transaction.atomic
def like_delete(*, user: User, post_id: int) -> Post:
    """Unlike a post (idempotent). Returns the post with its current like_count only."""
    post = visible_post(user, post_id)
    if not row_delete_if_visible(Like, user_id=user.pk, post=post):
        return _post(post, visible_post_read(post)[0])  # nothing written: the count as it is, or 404
    like_count, author_id = post_like_count_add(post_id, -1, using=post.using)
    post_unliked.send(sender=Like, like_user_id=user.pk, post_id=post_id, author_id=author_id)
    return _post(post, like_count)


def _post(post: VisiblePost, like_count: int) -> Post:
    return Post.from_db(post.using, ["id", "like_count"], [post.post_id, like_count])
