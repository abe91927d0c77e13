"""Stories' background work: a video story's web copy, and the hourly expiry.

`story_media_process(story_id)` is enqueued on commit by `services.story_create` for a video, as
posts' `post_media_process` is for a post's, and shares its steps (posts.media_rows: the stored
original read, `instaclone.media.videos.web_copy` makes the web-safe MP4 — H.264/AAC, long edge
<= 1080, `+faststart`, no metadata — and its poster frame, the row finished or failed). The poster
is stored as a JPEG without metadata; the row then points at the MP4, is `ready` (visible to
others) and the upload is deleted on commit. A video whose web copy is longer than
STORY_VIDEO_MAX_SECONDS (a container that did not state its length at upload) fails like one
ffmpeg cannot read: status `failed`, `error` starting with the reason its author is shown ("This
video is too long (1:05). The limit is 1:00.").

Idempotent like posts': the row is finished only if it is still `processing` with the same file,
under a row lock; otherwise (deleted or expired meanwhile, or finished by another run) what this run
stored is deleted again. A storage failure is raised as ConnectionError so the engine retries.

`stories_expire()` (TASKS_PERIODIC, hourly) runs `expiry.stories_expired_delete`.
"""

from __future__ import annotations

import logging
from pathlib import PurePosixPath

from django.conf import settings
from django.core.files.storage import default_storage

from instaclone.media import imagekit
from instaclone.media.files import StorageError, stored_files
from instaclone.media.images import encode_jpeg
from instaclone.tasks import background

from .. import media_rows
from . import expiry
from .models import Story

log = logging.getLogger(__name__)

WEB_VIDEO_FOLDER = "stories/videos"
POSTER_FOLDER = "stories/posters"
POSTER_MAX_EDGE = 1080
STORAGE_CALL_SECONDS = 120.0  # as posts.tasks: one storage call of the task on ImageKit


class StoryMediaFailed(Exception):  # noqa: N818 - names what happened to the story
    """The story's video could not be made playable; its row records why."""


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
    except media_rows.Gone:
        log.info("story %s was deleted or finished elsewhere while it was processed; its new files are removed", story_id)
        return f"story {story_id}: gone meanwhile"
    except StorageError as exc:
        Story.objects.filter(pk=story.pk, status=Story.Status.PROCESSING).update(
            error=f"storage: {exc}"[:media_rows.ERROR_MAX_LENGTH]
        )
        raise ConnectionError(f"storage failed while processing story {story_id}: {exc}") from exc
    return f"story {story_id}: ready"


def _make_web_video(story: Story, storage) -> None:
    video = media_rows.web_video(
        storage, story, failed=StoryMediaFailed, label="story", log=log,
        max_seconds=settings.STORY_VIDEO_MAX_SECONDS, poster_max_edge=POSTER_MAX_EDGE,
    )
    poster = encode_jpeg(video.poster) if video.poster else None
    with stored_files(storage) as batch:
        name = batch.save(WEB_VIDEO_FOLDER, "mp4", video.content)
        poster_name = batch.save(POSTER_FOLDER, "jpg", poster, stem=PurePosixPath(name).stem) if poster else ""
        media_rows.finish(story, {
            "file": name, "poster": poster_name, "width": video.width, "height": video.height,
            "duration": video.duration or story.duration,
        }, replaced=story.file)


@background(retries=1)
def stories_expire() -> str:
    """Periodic (settings.TASKS_PERIODIC, hourly): delete stories past their 24 hours, their views
    and their files (stories with an open report wait for the moderators)."""
    deleted = expiry.stories_expired_delete()
    return f"{deleted} expired stories deleted"
