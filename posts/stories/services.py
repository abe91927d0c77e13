"""Writes for stories: post one, delete your own, record who saw one.

A story goes through the posts' upload pipeline (instaclone.media): the bytes are sniffed, never
trusted by name; a photo is decoded once under the pixel caps and re-encoded without metadata (EXIF,
GPS), its long edge at most STORY_IMAGE_MAX_EDGE (a story is one full-screen size, so it needs no
renditions); a video is probed by ffprobe (a real stream, at most STORY_VIDEO_MAX_SECONDS when the
container states its length) and stored as uploaded, then transcoded to the web MP4 with a poster by
`posts.stories.tasks.story_media_process`, enqueued when the story commits. Until then the video is
its author's only (`status`, see models.story_visible_q). The file is stored through
`stored_files()` before the row is written, so a failure anywhere deletes it again: no row without
its file, no file without its row.

Expiry (24 hours) is the hourly task's (posts.stories.expiry).
"""

from __future__ import annotations

import math
from datetime import timedelta

from allauth.core.internal.ratelimit import Rate, apply_rate
from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import User
from instaclone.errors import DomainError
from instaclone.media.files import delete_on_commit, stored_files
from instaclone.media.images import UploadRejected, process_image
from instaclone.media.videos import is_video, process_video
from instaclone.tasks import enqueue_on_commit

from .. import signals
from .models import Story, StoryView
from .tasks import story_media_process

IMAGE_FOLDER = "stories/images"
VIDEO_FOLDER = "stories/videos"
# Instagram's story size is 1080 x 1920: a photo is kept at most this long on its long edge.
STORY_IMAGE_MAX_EDGE = 1920
ALT_TEXT_MAX_LENGTH = Story._meta.get_field("alt_text").max_length


class StoryError(DomainError):
    """A story that cannot be posted or changed; the message is meant for the person."""


class StoryRateLimited(StoryError):
    """STORIES_PER_DAY added in the last 24 hours; `retry_after` is in seconds."""

    status = 429

    def __init__(self, limit: int, retry_after: float = 0):
        super().__init__(
            f"You've added {limit} stories in the last 24 hours, the most you can. Nothing was added; "
            "try again later.",
            code="rate_limited",
        )
        self.retry_after = max(1, math.ceil(retry_after))


def lifetime() -> timedelta:
    return timedelta(hours=settings.STORY_LIFETIME_HOURS)


def _validate_alt(alt_text: str) -> str:
    alt_text = (alt_text or "").strip()
    if "\x00" in alt_text:
        raise UploadRejected("Alt text can't contain null characters.", code="null_characters")
    if len(alt_text) > ALT_TEXT_MAX_LENGTH:
        raise UploadRejected(f"Alt text can be at most {ALT_TEXT_MAX_LENGTH:,} characters.", code="alt_too_long")
    return alt_text


DAY = 24 * 60 * 60


def _rate_key(author_id: int) -> str:
    return f"stories:create-rate:{author_id}"


def _check_rate(author_id: int, now, *, record: bool = False) -> None:
    """Refuse (StoryRateLimited) when the author added STORIES_PER_DAY stories in the last 24 hours.
    Creations are counted, not the stories still there, so deleting one gives no place back (a
    delete-and-upload loop would otherwise run the pipeline without end): their times are kept in
    the cache (allauth's sliding window, as posts' POST_CREATE_RATE), and `record` adds this one.
    The stories still there are counted in the database too, so the limit holds while the cache is
    away (a miss reads as no history, instaclone.cache) or was cleared."""
    limit = settings.STORIES_PER_DAY
    rate = Rate(amount=limit, duration=DAY, per="user")
    stamp = now.timestamp()
    allowed, history = apply_rate(cache.get(_rate_key(author_id), []), stamp, rate, dry_run=True)
    if not allowed:
        raise StoryRateLimited(limit, history[limit - 1] + DAY - stamp)
    kept = list(
        Story.objects.filter(author_id=author_id, created__gt=now - timedelta(seconds=DAY))
        .order_by("-created").values_list("created", flat=True)[:limit]
    )
    if len(kept) >= limit:
        raise StoryRateLimited(limit, (kept[-1] - now).total_seconds() + DAY)
    if record:
        history.insert(0, stamp)
        cache.set(_rate_key(author_id), history, DAY + 1)


def story_create(*, author: User, upload, alt_text: str = "") -> Story:
    """Add a photo or a short video to `author`'s story, for STORY_LIFETIME_HOURS. Raises
    StoryRateLimited (STORIES_PER_DAY added in 24 hours, deleted ones included: checked before any
    byte is decoded, and again under the author's row lock, where this one is counted),
    UploadRejected (not a photo or video we accept, too large, too long) or StorageError; in every
    failure nothing remains, neither row nor file."""
    now = timezone.now()
    _check_rate(author.pk, now)
    alt_text = _validate_alt(alt_text)
    if upload is None:
        raise UploadRejected("Choose a photo or a video for your story.", code="no_file")
    if is_video(upload):
        video = process_video(upload, poster=False, max_seconds=settings.STORY_VIDEO_MAX_SECONDS)
        kind, folder, extension, content = Story.Kind.VIDEO, VIDEO_FOLDER, video.extension, video.content
        width, height, duration = video.width, video.height, video.duration or 0
    else:
        image, img = process_image(upload, max_edge=STORY_IMAGE_MAX_EDGE)
        img.close()
        kind, folder, extension, content = Story.Kind.IMAGE, IMAGE_FOLDER, image.extension, image.content
        width, height, duration = image.width, image.height, 0

    with stored_files() as batch:
        name = batch.save(folder, extension, content)
        del content
        with transaction.atomic():
            list(User.objects.select_for_update().filter(pk=author.pk).values_list("pk", flat=True))
            _check_rate(author.pk, now, record=True)  # under the lock: two uploads cannot both take the last place
            story = Story.objects.create(
                author=author,
                kind=kind,
                file=name,
                width=width,
                height=height,
                duration=duration,
                alt_text=alt_text,
                status=Story.Status.PROCESSING if kind == Story.Kind.VIDEO else Story.Status.READY,
                expires_at=timezone.now() + lifetime(),  # `created` is stamped as this row is written
            )
            if kind == Story.Kind.VIDEO:
                enqueue_on_commit(story_media_process, story.pk)
    return story


def story_delete(*, story: Story, by: User) -> None:
    """The author deletes their story (its views with it); its files go once that is committed.
    The row is read locked: a media task finishing at the same moment either committed first (its
    new files are read here) or finds the row gone and deletes what it wrote. `stories_deleting`
    (reason "deleted") is sent first, in the transaction, so social keeps the reports on it (open
    ones too: deleting a reported story does not make its report go away)."""
    if story.author_id != by.pk:
        raise StoryError("Only its author can delete a story.", code="not_author")
    with transaction.atomic():
        row = Story.objects.select_for_update().filter(pk=story.pk).values_list(*Story.FILE_FIELDS).first()
        if row is None:
            return
        signals.stories_deleting.send(sender=Story, story_ids=[story.pk], reason="deleted")
        Story.objects.filter(pk=story.pk).delete()
        delete_on_commit(*Story.stored_names(*row))


def story_views_record(*, viewer: User, story_ids) -> int:
    """`viewer` saw these stories: one StoryView each, recorded once (the unique constraint makes a
    repeat, a double POST or two tabs, a no-op), and the story's `view_count` moved with F() in the
    same transaction. Only stories the viewer may see count (not a hidden one, even for staff), and
    never the author's own views.
    Returns how many views were new."""
    ids = sorted({int(pk) for pk in story_ids})[:200]
    if not ids:
        return 0
    recorded = 0
    with transaction.atomic():
        seeable = list(
            Story.objects.visible_to(viewer, published_only=True).filter(pk__in=ids).exclude(author_id=viewer.pk).values_list("pk", flat=True)
        )
        for story_id in seeable:
            try:
                with transaction.atomic():
                    StoryView.objects.create(story_id=story_id, viewer=viewer)
            except IntegrityError:
                continue  # seen already
            Story.objects.filter(pk=story_id).update(view_count=F("view_count") + 1)
            recorded += 1
    return recorded
