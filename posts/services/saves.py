"""Writes for saves: a person's private Saved list, idempotent (the unique constraint on Save
keeps one row). The post is fetched through the access-checked selector (404 if not visible)."""

from __future__ import annotations

from django.db import transaction

from accounts.models import User

from ..models import Post, Save
from ..selectors import post_get_for_viewer


@transaction.atomic
def save_create(*, user: User, post_id: int) -> Post:
    """Save a post to the user's private Saved list (idempotent)."""
    post = post_get_for_viewer(user, post_id, with_media=False)
    Save.objects.get_or_create(user=user, post=post)
    return post


@transaction.atomic
def save_delete(*, user: User, post_id: int) -> Post:
    """Remove a post from Saved (idempotent)."""
    post = post_get_for_viewer(user, post_id, with_media=False)
    Save.objects.filter(user=user, post=post).delete()
    return post
