"""Stories' background work: a video story's web copy, and the hourly expiry.

`story_media_process(story_id)` is enqueued on commit by `services.story_create` for a video, as
posts' `post_media_process` is for a post's: the stored original is transcoded to a web-safe MP4
(instaclone.media.videos.transcode: H.264/AAC, long edge <= 1080, `+faststart`, no metadata) and a
poster frame is taken from it (a JPEG without metadata). The row then points at the MP4, is `ready`
(visible to others) and the upload is deleted on commit. A video whose web copy is longer than
STORY_VIDEO_MAX_SECONDS (a container that did not state its length at upload) fails like one ffmpeg
cannot read: status `failed` with the reason in `error`; its author sees "could not be processed".

Idempotent like posts': the row is finished only if it is still `processing` with the same file,
under a row lock; otherwise (deleted or expired meanwhile, or finished by another run) what this run
stored is deleted again. A storage failure is raised as ConnectionError so the engine retries.

`stories_expire()` (TASKS_PERIODIC, hourly) runs `expiry.stories_expired_delete`.
"""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import PurePosixPath

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction

from instaclone.media import imagekit
from instaclone.media.files import StorageError, delete_on_commit, stored_files
from instaclone.media.images import UploadRejected, encode_jpeg, still_image
from instaclone.media.videos import TranscodeFailed, poster_frame, too_long_message, transcode
from instaclone.tasks import background

from . import expiry
from .models import Story

log = logging.getLogger(__name__)

WEB_VIDEO_FOLDER = "stories/videos"
POSTER_FOLDER = "stories/posters"
POSTER_MAX_EDGE = 1080
ERROR_MAX_LENGTH = 2000
STORAGE_CALL_SECONDS = 120.0  # as posts.tasks: one storage call of the task on ImageKit


class StoryMediaFailed(Exception):  # noqa: N818 - names what happened to the story
    """The story's video could not be made playable; its row records why."""


class _Gone(Exception):  # noqa: N818
    """The row was deleted, or finished by another run, while this run worked on it."""


@background()
def story_media_process(story_id: int, rerun: bool = False) -> str:
    """Make a video story's web MP4 and poster; `rerun` (staff running a failed task again) first
    puts a failed story back to processing."""
    if rerun:
        Story.objects.filter(pk=story_id, status=Story.Status.FAILED).update(status=Story.Status.PROCESSING, error="")
    story = Story.objects.filter(pk=story_id, status=Story.Status.PROCESSING, kind=Story.Kind.VIDEO).first()
    if story is None:
        return f"story {story_id}: nothing to do"
    try:
        with imagekit.long_calls(STORAGE_CALL_SECONDS):
            _make_web_video(story, default_storage)
    except _Gone:
        log.info("story %s was deleted or finished elsewhere while it was processed; its new files are removed", story_id)
        return f"story {story_id}: gone meanwhile"
    except StorageError as exc:
        Story.objects.filter(pk=story.pk, status=Story.Status.PROCESSING).update(error=f"storage: {exc}"[:ERROR_MAX_LENGTH])
        raise ConnectionError(f"storage failed while processing story {story_id}: {exc}") from exc
    return f"story {story_id}: ready"


def _make_web_video(story: Story, storage) -> None:
    extension = PurePosixPath(story.file).suffix.lstrip(".").lower() or "mp4"
    with tempfile.TemporaryDirectory(prefix="instaclone-story-") as workdir:
        source = os.path.join(workdir, f"upload.{extension}")
        target = os.path.join(workdir, "web.mp4")
        with open(source, "wb") as out:
            out.write(_read(storage, story))
        try:
            web = transcode(source, extension, target)
        except TranscodeFailed as exc:
            log.warning("video of story %s could not be transcoded: %s", story.pk, exc)
            _fail(story, str(exc))
            raise StoryMediaFailed(f"story {story.pk}: {exc}") from None
        limit = settings.STORY_VIDEO_MAX_SECONDS
        if web.duration is not None and web.duration > limit + 0.5:  # a frame's worth of rounding
            _fail(story, too_long_message(web.duration, limit))
            raise StoryMediaFailed(f"story {story.pk}: {web.duration:.1f} s, longer than {limit:g} s")
        os.unlink(source)
        poster = None
        frame = poster_frame(target)
        if frame:
            try:
                poster = encode_jpeg(still_image(frame, max_edge=POSTER_MAX_EDGE))
            except UploadRejected:
                log.warning("the poster frame of story %s could not be decoded", story.pk)
        with open(target, "rb") as fh:
            content = fh.read()
        with stored_files(storage) as batch:
            name = batch.save(WEB_VIDEO_FOLDER, "mp4", content)
            del content
            poster_name = batch.save(POSTER_FOLDER, "jpg", poster, stem=PurePosixPath(name).stem) if poster else ""
            _finish(story, {
                "file": name, "poster": poster_name, "width": web.width, "height": web.height,
                "duration": web.duration or story.duration,
            })


def _read(storage, story: Story) -> bytes:
    try:
        with storage.open(story.file, "rb") as fh:
            return fh.read()
    except FileNotFoundError:
        if not Story.objects.filter(pk=story.pk).exists():
            raise _Gone from None  # deleted (its files with it) before we read
        _fail(story, f"the stored original {story.file} is missing")
        raise StoryMediaFailed(f"story {story.pk}: original missing") from None


def _finish(story: Story, changes: dict) -> None:
    """Mark the row ready with `changes` if it is still the row we started from (else _Gone, and
    the caller's `stored_files` block deletes what this run stored); the upload goes on commit."""
    with transaction.atomic():
        row = (
            Story.objects.select_for_update()
            .filter(pk=story.pk, file=story.file, status=Story.Status.PROCESSING)
            .values_list("pk", flat=True)
            .first()
        )
        if row is None:
            raise _Gone
        Story.objects.filter(pk=row).update(status=Story.Status.READY, error="", **changes)
        delete_on_commit(story.file, storage=default_storage)


def _fail(story: Story, message: str) -> None:
    Story.objects.filter(pk=story.pk, file=story.file, status=Story.Status.PROCESSING).update(
        status=Story.Status.FAILED, error=message[:ERROR_MAX_LENGTH]
    )


@background(retries=1)
def stories_expire() -> str:
    """Periodic (settings.TASKS_PERIODIC, hourly): delete stories past their 24 hours, their views
    and their files (stories with an open report wait for the moderators)."""
    deleted = expiry.stories_expired_delete()
    return f"{deleted} expired stories deleted"
