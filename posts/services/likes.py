"""Writes for likes: like and unlike, idempotent.

The post is fetched through the access-checked selector (`posts.selectors.post_get_for_viewer`: a
post the user may not see is a 404, which covers private accounts, blocks either way and hidden
posts). The stored `like_count` changes with F() only when a row was really inserted or deleted; the
unique constraint on Like is the final word: liking twice, double clicks and replayed requests leave
one row.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F

from accounts.models import User

from ..models import Like, Post
from ..selectors import post_get_for_viewer
from ..signals import post_liked, post_unliked


@transaction.atomic
def like_create(*, user: User, post_id: int) -> Post:
    """Like a post (idempotent). Returns the post with its current like_count."""
    post = post_get_for_viewer(user, post_id, with_media=False)
    like, created = Like.objects.get_or_create(user=user, post=post)
    if created:
        Post.objects.filter(pk=post.pk).update(like_count=F("like_count") + 1)
        post_liked.send(sender=Like, like=like)
    post.refresh_from_db(fields=["like_count"])
    return post


@transaction.atomic
def like_delete(*, user: User, post_id: int) -> Post:
    """Unlike a post (idempotent). Returns the post with its current like_count."""
    post = post_get_for_viewer(user, post_id, with_media=False)
    deleted, _ = Like.objects.filter(user=user, post=post).delete()
    if deleted:
        Post.objects.filter(pk=post.pk, like_count__gt=0).update(like_count=F("like_count") - 1)
        post_unliked.send(sender=Like, like_user_id=user.pk, post_id=post.pk)
    post.refresh_from_db(fields=["like_count"])
    return post
