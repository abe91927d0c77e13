"""Storing files so that a failed request leaves none behind.

Files are written before the database rows that point at them. `stored_files()` deletes every file
saved inside it if the block raises (the transaction rolled back, so no row points at them);
`delete_on_commit()` removes a replaced file only once the new row is committed.
"""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from instaclone.errors import DomainError

log = logging.getLogger(__name__)


class StorageError(DomainError):
    """The storage backend (disk or ImageKit) failed. The message is meant for the person; storage
    backends raise it (or FileBatch wraps what they raise) so views can show it on the form."""

    default_message = "We couldn't store your upload right now. Nothing was posted; please try again in a moment."


def unique_name(folder: str, extension: str, stem: str | None = None) -> str:
    return f"{folder}/{stem or uuid.uuid4().hex}.{extension}"


class FileBatch:
    def __init__(self, storage):
        self.storage = storage
        self.names: list[str] = []

    def save(self, folder: str, extension: str, content: bytes, *, stem: str | None = None) -> str:
        """Store `content` as <folder>/<stem>.<extension>; the stem is random unless given (files
        derived from another, like renditions, are named after it)."""
        try:
            name = self.storage.save(unique_name(folder, extension, stem), ContentFile(content))
        except StorageError:
            raise
        except Exception as exc:
            log.exception("storage failed while saving into %s", folder)
            raise StorageError() from exc
        self.names.append(name)
        return name

    def discard(self) -> None:
        # A remote storage deletes with short calls that fit in the request's time budget; what it
        # cannot delete in time is logged and left to `manage.py sweep_media`.
        delete = getattr(self.storage, "delete_after_failure", self.storage.delete)
        for name in self.names:
            try:
                delete(name)
            except Exception:  # pragma: no cover - logged; the original error is what matters
                log.exception("could not delete %s after a failed upload", name)
        self.names.clear()


@contextmanager
def stored_files(storage=None):
    """Yield a FileBatch; if the block raises, every file it saved is deleted again."""
    batch = FileBatch(storage or default_storage)
    try:
        yield batch
    except BaseException:
        batch.discard()
        raise


def delete_on_commit(*names: str, storage=None) -> None:
    storage = storage or default_storage

    def _delete():
        for name in names:
            if not name:
                continue
            try:
                storage.delete(name)
            except Exception:
                log.exception("could not delete %s", name)

    transaction.on_commit(_delete)


def list_stored_files(storage=None) -> Iterator[tuple[str, datetime | None]]:
    """(name, time it was written) of every file in a storage, for `manage.py sweep_media`.

    A storage with `list_files()` (ImageKit) lists itself; a local FileSystemStorage is walked on
    disk (dot-files, e.g. editors' or the OS's, are skipped)."""
    storage = storage or default_storage
    lister = getattr(storage, "list_files", None)
    if callable(lister):
        yield from lister()
        return
    root = getattr(storage, "location", None)
    if not root or not os.path.isdir(root):
        return
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for filename in sorted(filenames):
            if filename.startswith("."):
                continue
            path = os.path.join(dirpath, filename)
            name = os.path.relpath(path, root).replace(os.sep, "/")
            try:
                written = datetime.fromtimestamp(os.path.getmtime(path), tz=UTC)
            except OSError:  # removed while we walked
                continue
            yield name, written
