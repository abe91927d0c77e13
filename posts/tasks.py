"""Media work done after a post is committed, never while its author waits.

`post_create` stores the validated originals and enqueues `post_media_process(post_id)` on commit.
For each of the post's media still `processing`, in order:

- a photo: its renditions (local storage only; ImageKit resizes on the fly), made from the stored
  original and named after it (`<stem>-<n>.jpg`, so posts.media_access finds their post);
- a video: a web-safe MP4 (instaclone.media.videos.transcode) stored under a new name in
  posts/videos/, a poster frame taken from it and, on local storage, the poster's renditions. The
  row then points at the MP4 (with its picture size) and the uploaded original is deleted.

When no video of the post is left processing, the post is published (`Post.media_pending` False:
until then only its author sees it, see posts.models.post_visible_q).

Idempotent: only rows still `processing` are worked on, and a row is finished only if it is still
`processing` with the same file, under a row lock. A second run, or a run for a post deleted
meanwhile, changes nothing; files a run wrote for a row that was deleted (or finished by another
run) while it worked are deleted again before it returns.

The steps on the rows (read the upload, make a video playable by `instaclone.media.videos.web_copy`,
finish or fail the row) are `posts.media_rows`, shared with stories' `story_media_process`.

Failures: a video ffmpeg cannot transcode is recorded on its row (status `failed`, `error`: the
sentence for the person, then ffmpeg's words; the author sees "This video could not be processed"
and may delete the post) and the task then raises
MediaProcessingFailed, so staff see it among failed tasks (`manage.py tasks`, the admin). A storage
failure (disk full, ImageKit away) is raised as ConnectionError, so the engine retries with back-off
(instaclone.tasks.background); the row stays `processing` with the last error in `error`.
"""

from __future__ import annotations

import logging
from pathlib import PurePosixPath

from django.core.files.storage import default_storage

from instaclone.media import imagekit
from instaclone.media.files import StorageError, stored_files
from instaclone.media.images import UploadRejected, still_image
from instaclone.media.renditions import make_renditions, renders_on_the_fly
from instaclone.tasks import background, enqueue_on_commit

from . import media_rows
from .models import Post, PostMedia

log = logging.getLogger(__name__)

# Web copies sit beside the uploads (posts.media_access knows this folder's files by their rows).
WEB_VIDEO_FOLDER = "posts/videos"
ERROR_MAX_LENGTH = media_rows.ERROR_MAX_LENGTH
# Each storage call of the task (reading an upload of up to VIDEO_MAX_BYTES, writing its web copy)
# may take this long on ImageKit; a request's calls keep IMAGEKIT_TIMEOUT.
STORAGE_CALL_SECONDS = 120.0


class MediaProcessingFailed(Exception):  # noqa: N818 - names what happened to the post's media
    """A media item of the post could not be processed; its row records why (status, error)."""


@background()
def post_media_process(post_id: int, rerun: bool = False) -> str:
    """Make what the post's media still lack (renditions, web video, poster); publish the post when
    its videos are ready. Returns a short summary for the task's result.

    One video per run: a transcode may take VIDEO_TRANSCODE_TIMEOUT, and a run must end well inside
    TASKS_STALE_AFTER (and RQ's job timeout) or it would be taken for lost and run twice; when more
    media are left after a video, the run queues the next one and ends. `rerun` (staff running a
    failed task again: `manage.py tasks --rerun`, the admin) first puts the post's failed media back
    to processing, so a transcode that failed for a passing reason (a busy machine, ffmpeg missing
    for a while) is tried again; an ordinary second run leaves failures alone."""
    if rerun:
        PostMedia.objects.filter(post_id=post_id, status=PostMedia.Status.FAILED).update(
            status=PostMedia.Status.PROCESSING, error=""
        )
    pending = list(
        PostMedia.objects.filter(post_id=post_id, status=PostMedia.Status.PROCESSING)
        .order_by("position")
        .values_list("pk", "kind")
    )
    failures: list[str] = []
    done = 0
    for index, (media_id, kind) in enumerate(pending):
        try:
            _process(media_id)
        except MediaProcessingFailed as exc:
            failures.append(str(exc))
        done += 1
        if kind == PostMedia.Kind.VIDEO and index + 1 < len(pending):
            enqueue_on_commit(post_media_process, post_id)  # the rest, in a run of its own
            break
    _publish_if_ready(post_id)
    if failures:
        raise MediaProcessingFailed(f"post {post_id}: " + "; ".join(failures))
    left = len(pending) - done
    return f"post {post_id}: {done} media processed" + (f", {left} left for the next run" if left else "")


def _process(media_id: int) -> None:
    media = PostMedia.objects.filter(pk=media_id, status=PostMedia.Status.PROCESSING).first()
    if media is None:
        return  # deleted, or done by an earlier run
    try:
        with imagekit.long_calls(STORAGE_CALL_SECONDS):
            if media.kind == PostMedia.Kind.VIDEO:
                _make_web_video(media, default_storage)
            else:
                _make_renditions(media, default_storage)
    except media_rows.Gone:
        log.info("media %s was deleted or finished elsewhere while it was processed; its new files are removed", media_id)
    except StorageError as exc:
        # Transient: the engine tries again later. The row stays `processing`; staff see why.
        PostMedia.objects.filter(pk=media.pk, status=PostMedia.Status.PROCESSING).update(error=f"storage: {exc}"[:ERROR_MAX_LENGTH])
        raise ConnectionError(f"storage failed while processing media {media_id}: {exc}") from exc


def _make_renditions(media: PostMedia, storage) -> None:
    if renders_on_the_fly(storage):
        media_rows.finish(media, {})
        return
    try:
        data = media_rows.read_original(storage, media, failed=MediaProcessingFailed, label="media")
        img = still_image(data)
    except UploadRejected as exc:
        media_rows.fail(media, "This photo could not be processed.", f"the stored photo could not be decoded: {exc.messages[0]}")
        raise MediaProcessingFailed(f"media {media.pk}: {exc.messages[0]}") from None
    with stored_files(storage) as batch:
        renditions = make_renditions(batch, img, stem=PurePosixPath(media.file).stem)
        media_rows.finish(media, {"renditions": renditions})


def _make_web_video(media: PostMedia, storage) -> None:
    """The web MP4 and its poster's renditions (media_rows.web_video: the step stories share)."""
    video = media_rows.web_video(storage, media, failed=MediaProcessingFailed, label="media", log=log)
    with stored_files(storage) as batch:
        name = batch.save(WEB_VIDEO_FOLDER, "mp4", video.content)
        renditions = make_renditions(batch, video.poster, stem=PurePosixPath(name).stem) if video.poster else {}
        changes = {"file": name, "width": video.width, "height": video.height, "renditions": renditions}
        media_rows.finish(media, changes, replaced=media.file)


def _publish_if_ready(post_id: int) -> None:
    """Show the post to everyone once none of its videos is processing or failed."""
    waiting = PostMedia.objects.filter(post_id=post_id, kind=PostMedia.Kind.VIDEO).exclude(status=PostMedia.Status.READY)
    if not waiting.exists():
        Post.objects.filter(pk=post_id, media_pending=True).update(media_pending=False)



@background(retries=1)
def media_sweep() -> str:
    """Periodic (settings.TASKS_PERIODIC): delete stored files no row references, older than the
    sweep's grace period (files of uploads and media tasks still in flight are younger), and report
    rows whose file is missing (deleting content is a person's decision). The sweep_media command,
    run by the worker's scheduler; its report is the task's return value."""
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("sweep_media", "--delete", stdout=out, stderr=out)
    return out.getvalue()[-4000:]
