"""Writes for saves: a person's private Saved list, idempotent (the unique constraint on Save
keeps one row). A post the user may not see is a 404 and gets no row: the INSERT (or DELETE) embeds
the one visibility rule (`engagement.visible_post`), so a save that changes something is one
statement (its own transaction: saves have no stored counter and no notification to keep in step);
one that changes nothing is one more, the access-checked read (or the 404). An unsave also leaves
the user's collections that hold the post, in one transaction with their item_count
(services/collections.py): one more statement when none holds it."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F

from accounts.models import User

from ..models import Collection, CollectionItem, Post, Save
from .engagement import (
    VisiblePost,
    row_delete_if_visible,
    row_insert_if_visible,
    visible_post,
    visible_post_read,
)


def save_create(*, user: User, post_id: int) -> Post:
    """Save a post to the user's private Saved list (idempotent). Returns the post, its id only
    (the other fields deferred)."""
    post = visible_post(user, post_id)
    if not row_insert_if_visible(Save, user_id=user.pk, post=post):
        visible_post_read(post)  # nothing written: already there (or gone), or 404
    return _post(post)


def save_delete(*, user: User, post_id: int) -> Post:
    """Remove a post from Saved (idempotent), and so from every collection of the user, in one
    transaction: the user's items of the post are read locked (SELECT … FOR UPDATE; SQLite holds
    its write lock from the DELETE), deleted, and exactly their collections' item_count drop by one
    (a concurrent removal from a collection deletes nothing, and moves no count, twice)."""
    post = visible_post(user, post_id)
    with transaction.atomic():
        if row_delete_if_visible(Save, user_id=user.pk, post=post):
            held = list(
                CollectionItem.objects.select_for_update()
                .filter(collection__owner_id=user.pk, post_id=post_id)
                .values_list("pk", "collection_id")
            )
            if held:
                CollectionItem.objects.filter(pk__in=[pk for pk, _ in held]).delete()
                left = [collection_id for _, collection_id in held]
                Collection.objects.filter(pk__in=left, item_count__gt=0).update(item_count=F("item_count") - 1)
        else:
            visible_post_read(post)  # nothing written: already there (or gone), or 404
    return _post(post)


def _post(post: VisiblePost) -> Post:
    return Post.from_db(post.using, ["id"], [post.post_id])
