"""Writes for people tagged in photos (Instagram's "Tag people"): add and remove.

Only the post's author tags, and only people they may see (`User.objects.visible_to`: active, no
block either way) who may also see the post (`User.objects.audience_of`: the tagged person can
find the post and remove themselves); at most MAX_TAGS_PER_MEDIA a photo. The tagged person and the
author may remove a tag. Each change sends a domain event (posts/signals.py) in its transaction:
social writes or takes back the "tagged you in a post" notification (one a person and post).
"""

from __future__ import annotations

import math

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from accounts.models import User
from instaclone.errors import DomainError

from ..models import PhotoTag, Post, PostMedia
from ..signals import photo_tag_added, photo_tag_removed

MAX_TAGS_PER_MEDIA = 20


class PhotoTagError(DomainError):
    default_message = "That person can't be tagged."
    status = 400


def photo_tag_spot(value) -> float:
    """A spot coordinate as a fraction of the photo's width or height in [0, 1], or PhotoTagError."""
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        raise PhotoTagError("Tap a spot on the photo to place the tag.", code="bad_spot") from None
    if not math.isfinite(number) or not 0 <= number <= 1:
        raise PhotoTagError("Tap a spot on the photo to place the tag.", code="bad_spot")
    return number


@transaction.atomic
def photo_tag_add(*, author: User, media: PostMedia, user: User, x, y) -> PhotoTag:
    """Tag `user` at (x, y) of `media`, a photo of `author`'s post. Tagging someone already tagged
    in this photo moves their tag. PermissionDenied unless `author` wrote the post; PhotoTagError
    for a video, a bad spot, a person the author may not tag, or a full photo."""
    # the media row locked: the count of its tags and the insert below are one decision
    media = PostMedia.objects.select_for_update().select_related("post").get(pk=media.pk)
    post = media.post
    if post.author_id != author.pk:
        raise PermissionDenied("Only the post's author can tag people in it.")
    if media.kind != PostMedia.Kind.IMAGE:
        raise PhotoTagError("People can only be tagged in photos.", code="not_a_photo")
    x, y = photo_tag_spot(x), photo_tag_spot(y)
    taggable = (
        User.objects.visible_to(author)  # active, no block either way (accounts.visibility)
        .audience_of(author)  # and may see the post: they can find it and remove the tag
        .filter(pk=user.pk)
        .exists()
    )
    if not taggable:
        raise PhotoTagError(f"You can't tag @{user.username} in this post.", code="not_taggable", field="username")
    existing = PhotoTag.objects.filter(media=media, user=user).first()
    if existing is not None:
        PhotoTag.objects.filter(pk=existing.pk).update(x=x, y=y)
        existing.x, existing.y = x, y
        return existing
    if PhotoTag.objects.filter(media=media).count() >= MAX_TAGS_PER_MEDIA:
        raise PhotoTagError(f"A photo can have at most {MAX_TAGS_PER_MEDIA} tags.", code="too_many")
    first_in_post = not PhotoTag.objects.filter(post_id=post.pk, user=user).exists()
    try:
        with transaction.atomic():
            tag = PhotoTag.objects.create(post=post, media=media, user=user, x=x, y=y)
    except IntegrityError:  # the same tag from a concurrent request: it is there
        return PhotoTag.objects.get(media=media, user=user)
    tag.user = user
    photo_tag_added.send(sender=PhotoTag, tag=tag, first_in_post=first_in_post)
    return tag


@transaction.atomic
def photo_tag_remove(*, by: User, tag: PhotoTag) -> None:
    """Remove a tag: the tagged person may, and so may the post's author; others get 403."""
    tag = PhotoTag.objects.select_for_update().select_related("post").filter(pk=tag.pk).first()
    if tag is None:
        return  # already gone (a double click)
    if by.pk not in (tag.user_id, tag.post.author_id):
        raise PermissionDenied("Only the tagged person or the post's author can remove a tag.")
    tag.delete()
    last_in_post = not PhotoTag.objects.filter(post_id=tag.post_id, user_id=tag.user_id).exists()
    photo_tag_removed.send(
        sender=PhotoTag,
        post_id=tag.post_id,
        user_id=tag.user_id,
        author_id=tag.post.author_id,
        last_in_post=last_in_post,
    )


@transaction.atomic
def photo_tags_remove_self(*, user: User, post: Post) -> int:
    """"Remove me from this post": every tag of `user` on `post` goes, with its notification.
    How many went (0 when none: a double click)."""
    tags = list(PhotoTag.objects.select_for_update().filter(post_id=post.pk, user_id=user.pk))
    if not tags:
        return 0
    PhotoTag.objects.filter(pk__in=[t.pk for t in tags]).delete()
    photo_tag_removed.send(
        sender=PhotoTag, post_id=post.pk, user_id=user.pk, author_id=post.author_id, last_in_post=True
    )
    return len(tags)
