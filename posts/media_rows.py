"""The row side of the media tasks, shared by posts' (`posts.tasks`, a PostMedia row) and stories'
(`posts.stories.tasks`, a Story row): both rows have `file` (the stored upload), `status`
(processing / ready / failed) and `error`.

- `read_original`: the stored upload's bytes (`Gone` when the row was deleted meanwhile, its files
  with it; a missing file otherwise fails the row);
- `web_video`: the upload made playable (`instaclone.media.videos.web_copy`, the one video step); a
  video ffmpeg cannot make playable (or too long) fails the row;
- `finish`: the row marked ready, only if it is still the row the run started from (same file,
  still processing, under a row lock), else `Gone` and the caller's `stored_files` block deletes
  what the run stored;
- `fail`: the row marked failed. `error` holds the sentence for the person on its first line
  (`failure_reason`) and staff's detail after it.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from django.core.files.storage import default_storage
from django.db import transaction

from instaclone.media.files import delete_on_commit
from instaclone.media.videos import TranscodeFailed, WebCopy, web_copy

ERROR_MAX_LENGTH = 2000
LOST = "The uploaded file could not be found. Delete this and try again."


class Gone(Exception):  # noqa: N818
    """The row was deleted, or finished by another run, while this run worked on it."""


def failure_reason(error: str) -> str:
    """The sentence for the person in a failed row's `error` (its first line)."""
    return (error or "").partition("\n")[0] or TranscodeFailed.reason


def fail(row, reason: str, detail: str = "") -> None:
    """Mark `row` failed (if it is still processing the same file): `reason` for the person, then
    `detail` for staff."""
    model = type(row)
    error = f"{reason}\n{detail}" if detail else reason
    model.objects.filter(pk=row.pk, file=row.file, status=model.Status.PROCESSING).update(
        status=model.Status.FAILED, error=error[:ERROR_MAX_LENGTH]
    )


def read_original(storage, row, *, failed: type[Exception], label: str) -> bytes:
    """The stored upload of `row`. Gone when the row was deleted (its files with it) before it was
    read; a file missing under a row still there fails the row and raises `failed`."""
    try:
        with storage.open(row.file, "rb") as fh:
            return fh.read()
    except FileNotFoundError:
        if not type(row).objects.filter(pk=row.pk).exists():
            raise Gone from None
        fail(row, LOST, f"the stored original {row.file} is missing")
        raise failed(f"{label} {row.pk}: original missing") from None


def web_video(storage, row, *, failed: type[Exception], label: str, log, max_seconds: float | None = None,
              poster_max_edge: int | None = None) -> WebCopy:
    """`row`'s stored upload as a web MP4 and its poster frame (`web_copy`); a failure is recorded
    on the row (the person's reason, then ffmpeg's words) and raised as `failed`."""
    original = read_original(storage, row, failed=failed, label=label)
    extension = PurePosixPath(row.file).suffix.lstrip(".").lower() or "mp4"
    try:
        return web_copy(original, extension, max_seconds=max_seconds, poster_max_edge=poster_max_edge)
    except TranscodeFailed as exc:
        log.warning("video of %s %s could not be made playable: %s", label, row.pk, exc)
        fail(row, exc.reason, str(exc))
        raise failed(f"{label} {row.pk}: {exc}") from None


def finish(row, changes: dict, *, replaced: str = "") -> None:
    """Mark `row` ready with `changes` if it is still the row we started from; else Gone. `replaced`:
    a file the row no longer points at, deleted once this commits."""
    model = type(row)
    with transaction.atomic():
        pk = (
            model.objects.select_for_update()
            .filter(pk=row.pk, file=row.file, status=model.Status.PROCESSING)
            .values_list("pk", flat=True)
            .first()
        )
        if pk is None:
            raise Gone
        model.objects.filter(pk=pk).update(status=model.Status.READY, error="", **changes)
        if replaced:
            delete_on_commit(replaced, storage=default_storage)
