"""The hourly expiry's body (posts.stories.tasks.stories_expire): stories past their 24 hours go,
with their views (by cascade) and their files (deleted once the batch commits).

A story with an open report stays, invisible like any expired story (`Story.objects.expired()`
leaves it out), until a moderator handles the report; the next run then deletes it, and the handled
reports on it are kept on its author by social (`posts.signals.stories_expiring`). A story whose
video is still being processed when it expires is deleted all the same: its task finds the row
gone and deletes what it wrote. Its own module so that the task module can call it while the
services import the task module (no cycle).
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from instaclone.media.files import delete_on_commit

from .. import signals
from .models import Story

BATCH = 500


def stories_expired_delete(*, now=None, batch: int = BATCH) -> int:
    """Delete expired stories (see the module's docstring) a batch a transaction; how many went.
    Reads the index story_expires_idx (expires_at <= now)."""
    now = now or timezone.now()
    deleted = 0
    while True:
        with transaction.atomic():
            rows = list(
                Story.objects.expired(now=now).select_for_update().order_by("expires_at", "pk")
                .values_list("pk", *Story.FILE_FIELDS)[:batch]
            )
            if not rows:
                return deleted
            ids = [row[0] for row in rows]
            # social moves the handled reports on them onto their authors (they would cascade away)
            signals.stories_expiring.send(sender=Story, story_ids=ids)
            _, per_model = Story.objects.filter(pk__in=ids).delete()
            names = [name for _, *files in rows for name in Story.stored_names(*files)]
            delete_on_commit(*dict.fromkeys(names))
            deleted += per_model.get(Story._meta.label, 0)
            if len(rows) < batch:
                return deleted
