"""Social's part of the archive: the person's notifications (docs/export.md, notifications.json).

Read through `social.selectors.notification_queryset`, the notifications page's own rule: what the
person can still see there (actors who left or who block them, hidden posts and comments are not
listed), every row one entry (likes are not grouped), oldest first."""

from __future__ import annotations

from accounts.exports import iso
from accounts.models import User

from ..models import Notification
from ..selectors import notification_queryset

LABELS = dict(Notification.Kind.choices)  # "like" -> "liked your post"


def notifications_part(user: User) -> list[dict]:
    rows = (
        notification_queryset(user)
        .order_by("created", "id")
        .values_list("kind", "actor__username", "post_id", "created", "read_at")
    )
    return [
        {
            "kind": kind, "actor": actor, "post_id": post_id, "created_at": iso(created), "read": read_at is not None,
            "description": LABELS.get(kind, kind),
        }
        for kind, actor, post_id, created, read_at in rows.iterator(chunk_size=2000)
    ]
