"""The hourly expiry's body (posts.stories.tasks.stories_expire): stories past their 24 hours go,
with their views (by cascade) and their files (deleted once the batch commits).

Before a batch goes, the expiry asks whether any of it must stay (`posts.signals.stories_expiry_hold`:
social holds a story with an open report until a moderator handles it); a held story stays,
invisible like any expired story, and is asked about again at the next run. The rest is announced
(`posts.signals.stories_deleting`, reason "expired": social keeps the reports on them, on their
authors) and deleted. posts never reads social's rows. A story whose video is still being processed
when it expires is deleted all the same: its task finds the row gone and deletes what it wrote. Its
own module so that the task module can call it while the services import the task module (no cycle).
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from instaclone.media.files import delete_on_commit

from .. import signals
from .models import Story

BATCH = 500


def _held(story_ids: list[int]) -> set[int]:
    """The ids among `story_ids` that a receiver of stories_expiry_hold wants kept for now."""
    held: set[int] = set()
    for _, kept in signals.stories_expiry_hold.send(sender=Story, story_ids=story_ids):
        held.update(kept or ())
    return held


def stories_expired_delete(*, now=None, batch: int = BATCH) -> int:
    """Delete expired stories (see the module's docstring) a batch a transaction; how many went.
    Reads the index story_expires_idx (expires_at <= now), in (expires_at, id) order past the last
    batch, so the stories held back are read once a run."""
    now = now or timezone.now()
    deleted = 0
    after = None  # (expires_at, id) of the last story looked at
    while True:
        with transaction.atomic():
            expired = Story.objects.filter(expires_at__lte=now)
            if after is not None:
                expired = expired.filter(Q(expires_at__gt=after[0]) | Q(expires_at=after[0], pk__gt=after[1]))
            rows = list(
                expired.select_for_update().order_by("expires_at", "pk")
                .values_list("pk", "expires_at", *Story.FILE_FIELDS)[:batch]
            )
            if not rows:
                return deleted
            after = rows[-1][1], rows[-1][0]
            held = _held([row[0] for row in rows])
            going = [row for row in rows if row[0] not in held]
            if going:
                ids = [row[0] for row in going]
                signals.stories_deleting.send(sender=Story, story_ids=ids, reason="expired")
                _, per_model = Story.objects.filter(pk__in=ids).delete()
                names = [name for _, _, *files in going for name in Story.stored_names(*files)]
                delete_on_commit(*dict.fromkeys(names))
                deleted += per_model.get(Story._meta.label, 0)
            if len(rows) < batch:
                return deleted
