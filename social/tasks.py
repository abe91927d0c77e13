"""Background tasks of the home feed (docs/feed.md): fan-out of a new post in batches, copying an
author's pull-mode posts back when they return to push, the follow backfill, the removal of rows
after an unfollow or a block, and the rebuild of a returning person's feed.

Each task takes ids (JSON), runs one social.services function in one transaction and is
idempotent, so the engine may run it twice (retry, a requeued task of a killed worker). Chained
tasks (fan-out, push-back) do one batch each and enqueue the next inside the batch's transaction
on the database backend: the next batch is queued if and only if this batch's rows are committed,
so a worker killed at any moment loses at most the batch it was running, which runs again."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

from instaclone.tasks import background, enqueue_on_commit

from . import services
from .exports import build as export_build


def _then(the_task, *args) -> None:
    """Enqueue the next batch of a chain: in the current transaction when the queue is a table of
    the same database (it commits with the batch), otherwise once the batch has committed."""
    if "DatabaseBackend" in settings.TASKS[the_task.backend]["BACKEND"]:
        the_task.enqueue(*args)
    else:
        enqueue_on_commit(the_task, *args)


@background()
def feed_fan_out(post_id: int, cursor: str | None = None) -> int:
    """Copy a post into one batch of its author's followers' feeds, then queue the next batch."""
    with transaction.atomic():
        written, nxt = services.feed_fan_out_batch(post_id=post_id, cursor=cursor)
        if nxt is not None:
            _then(feed_fan_out, post_id, nxt)
    return written


@background()
def feed_push_back(author_id: int, cursor: str | None = None) -> int:
    """An author back to push mode: copy their pull-mode posts to one batch of followers."""
    with transaction.atomic():
        written, nxt = services.feed_push_back_batch(author_id=author_id, cursor=cursor)
        if nxt is not None:
            _then(feed_push_back, author_id, nxt)
    return written


@background()
def feed_follow_backfill(owner_id: int, author_id: int) -> None:
    services.feed_follow_backfill(owner_id=owner_id, author_id=author_id)


@background()
def feed_follow_remove(owner_id: int, author_id: int) -> int:
    return services.feed_follow_remove(owner_id=owner_id, author_id=author_id)


@background()
def feed_rebuild(owner_id: int) -> None:
    """Someone back after FEED_ACTIVE_DAYS away: their feed rebuilt, and they stamped active."""
    services.feed_rebuild(owner=owner_id, returning=True)


# --- Download your information (social/exports/, docs/export.md) -------------------------------


@background(retries=1)
def data_export_build(export_id: int, site_url: str) -> str:
    """Build a person's archive (queued on commit by `exports.services.data_export_request`). Not
    retried: a failure marks the export failed and the person may ask again; a re-queued run of an
    interrupted build builds it again from the start."""
    return export_build.data_export_build(export_id=export_id, site_url=site_url)


@background(retries=1)
def data_exports_expire() -> str:
    """Periodic (settings.TASKS_PERIODIC): expired archives' files deleted, stuck exports failed."""
    return export_build.data_exports_expire()
