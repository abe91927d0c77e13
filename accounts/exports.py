"""Accounts' part of "Download your information" (issue 15; the layout is docs/export.md).

Plain reads of the person's own rows, as JSON-ready dicts; `social.exports` assembles the archive.
People on the other side of a follow appear as usernames only, and only those the person may still
see (`User.objects.visible_to`: a deactivated or blocking account is left out, as on the pages).
Blocks are the person's own decisions and are all listed."""

from __future__ import annotations

from datetime import UTC, datetime

from .models import Block, Follow, User

FORMAT = "instaclone-export"
VERSION = 1


def iso(value: datetime | None) -> str | None:
    """ISO 8601 in UTC with a Z ("2026-11-30T07:30:00.123456Z"), the archive's one time format."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def profile_part(user: User, *, exported_at: datetime) -> dict:
    """profile.json: who the person is, as they set it in Settings."""
    return {
        "format": FORMAT,
        "version": VERSION,
        "username": user.username,
        "display_name": user.display_name,
        "bio": user.bio,
        "website": user.website,
        "is_private": user.is_private,
        "date_joined": iso(user.date_joined),
        "email": user.email,
        "exported_at": iso(exported_at),
        "post_count": user.post_count,
        "follower_count": user.follower_count,
        "following_count": user.following_count,
    }


def followers_part(user: User) -> list[dict]:
    """followers.json: who follows the person, oldest follow first."""
    rows = (
        Follow.objects.filter(followee=user, follower__in=User.objects.visible_to(user).values("pk"))
        .order_by("created", "id")
        .values_list("follower__username", "created")
    )
    return [{"username": name, "since": iso(since)} for name, since in rows.iterator(chunk_size=2000)]


def following_part(user: User) -> list[dict]:
    """following.json: whom the person follows, oldest follow first."""
    rows = (
        Follow.objects.filter(follower=user, followee__in=User.objects.visible_to(user).values("pk"))
        .order_by("created", "id")
        .values_list("followee__username", "created")
    )
    return [{"username": name, "since": iso(since)} for name, since in rows.iterator(chunk_size=2000)]


def blocks_part(user: User) -> list[dict]:
    """blocks.json: whom the person blocked, oldest first."""
    rows = Block.objects.filter(blocker=user).order_by("created", "id").values_list("blocked__username", "created")
    return [{"username": name, "since": iso(since)} for name, since in rows.iterator(chunk_size=2000)]
