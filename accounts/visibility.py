"""The one visibility rule: whose content may a viewer see?

Every page, fragment, feed, search, notification and HTMX endpoint filters through these helpers
(posts and social build their querysets on `visible_authors_q`). A second code path that forgets a
block or a private account is how photo sites leak, so there is no other.

A viewer may see an author's content when all of these hold:
- the author's account is active (suspended accounts are inactive);
- neither has blocked the other;
- the author is public, or is the viewer, or the viewer follows the author (accepted follow).
Hidden-by-moderator content is filtered on the content's own model, on top of this.
"""

from __future__ import annotations

from django.db.models import Q

from .models import Block, Follow, User


def _is_signed_in(viewer) -> bool:
    return viewer is not None and getattr(viewer, "is_authenticated", False)


def visible_authors_q(viewer, prefix: str = "author") -> Q:
    """A Q for any model with a user foreign key at `prefix` ("" for User itself: use "pk")."""
    field = prefix or "pk"
    active = Q(**{f"{prefix}__is_active" if prefix else "is_active": True})
    public = Q(**{f"{prefix}__is_private" if prefix else "is_private": False})
    if not _is_signed_in(viewer):
        return active & public
    blocked_ids = Block.objects.filter(blocker_id=viewer.pk).values("blocked_id")
    blocker_ids = Block.objects.filter(blocked_id=viewer.pk).values("blocker_id")
    followed_ids = Follow.objects.filter(follower_id=viewer.pk).values("followee_id")
    return (
        active
        & ~Q(**{f"{field}__in": blocked_ids})
        & ~Q(**{f"{field}__in": blocker_ids})
        & (public | Q(**{field: viewer.pk}) | Q(**{f"{field}__in": followed_ids}))
    )


def visible_profiles_q(viewer, prefix: str = "") -> Q:
    """Whose profile header (name, avatar) a viewer may see: active and not blocked either way.
    Used for people lists, search, suggestions and notification actors. `prefix` "" means User."""
    field = prefix or "pk"
    active = Q(**{f"{prefix}__is_active" if prefix else "is_active": True})
    if not _is_signed_in(viewer):
        return active
    blocked_ids = Block.objects.filter(blocker_id=viewer.pk).values("blocked_id")
    blocker_ids = Block.objects.filter(blocked_id=viewer.pk).values("blocker_id")
    return active & ~Q(**{f"{field}__in": blocked_ids}) & ~Q(**{f"{field}__in": blocker_ids})


def is_blocked_between(viewer, other: User) -> bool:
    if not _is_signed_in(viewer) or viewer.pk == other.pk:
        return False
    return Block.objects.filter(
        Q(blocker_id=viewer.pk, blocked_id=other.pk) | Q(blocker_id=other.pk, blocked_id=viewer.pk)
    ).exists()


def can_see_profile(viewer, owner: User) -> bool:
    """The profile header: hidden only by blocks and suspension."""
    return owner.is_active and not is_blocked_between(viewer, owner)


def can_see_content(viewer, owner: User) -> bool:
    """Posts, followers lists and the like on a profile (one query at most)."""
    if not owner.is_active:
        return False
    if _is_signed_in(viewer) and viewer.pk == owner.pk:
        return True
    return User.objects.filter(visible_authors_q(viewer, prefix=""), pk=owner.pk).exists()
