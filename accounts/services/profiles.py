"""Writes for the profile: editable fields and the avatar."""

from __future__ import annotations

from django.core.files.storage import default_storage
from django.db import transaction

from instaclone.media.files import delete_on_commit, stored_files
from instaclone.media.images import process_avatar

from ..models import User
from .graph import follow_requests_accept_all


def profile_update(
    *,
    user: User,
    display_name: str,
    bio: str,
    website: str,
    is_private: bool,
    avatar_upload=None,
    remove_avatar: bool = False,
) -> User:
    """Update the editable profile fields. A new avatar is validated and processed before anything
    is written; if the database write fails, the new file is deleted again."""
    processed = process_avatar(avatar_upload) if avatar_upload else None
    with stored_files(default_storage) as files, transaction.atomic():
        # The locked row, not the `user` passed in: a ModelForm bound to that instance has already
        # copied the new values onto it, so "was it private?" must be read from the database.
        user = User.objects.select_for_update().get(pk=user.pk)
        old_avatar = user.avatar
        was_private = user.is_private
        user.display_name = display_name
        user.bio = bio
        user.website = website
        user.is_private = is_private
        if processed:
            user.avatar = files.save("avatars", processed.extension, processed.content)
        elif remove_avatar:
            user.avatar = ""
        user.full_clean(exclude=["password", "username", "email"])
        user.save(update_fields=["display_name", "bio", "website", "is_private", "avatar"])
        if old_avatar and old_avatar != user.avatar:
            delete_on_commit(old_avatar)
        if was_private and not is_private:
            follow_requests_accept_all(user=user)  # pending requests become follows, in this transaction
    return user
