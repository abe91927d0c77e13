"""ImageKit as Django's default storage (chosen in settings when IMAGEKIT_PRIVATE_KEY and
IMAGEKIT_URL_ENDPOINT are set).

Names are what Django stores in the database: "posts/<uuid>.jpg", "avatars/<uuid>.jpg",
"defaults/avatar.png". A name's directory is its ImageKit folder under IMAGEKIT_FOLDER, and the file
is uploaded under exactly that name (no unique suffix), so `url(name)` needs no API call. All talking
to ImageKit goes through `instaclone.media.imagekit`; every failure surfaces as `StorageError`.

Every delivery URL is signed (`ik-s`) so that ImageKit's "Restrict unsigned URLs" can be switched
on; URLs given an `expires_at` (private accounts' media) also carry an expiry (`ik-t`). See
docs/imagekit.md.
"""

from __future__ import annotations

import logging
import mimetypes
import posixpath
import threading
from collections import OrderedDict

from django.core.exceptions import SuspiciousFileOperation
from django.core.files.base import ContentFile
from django.utils.deconstruct import deconstructible
from storages.base import BaseStorage
from storages.utils import clean_name, get_available_overwrite_name, setting, to_bytes

from instaclone.media import imagekit
from instaclone.media.files import StorageError

log = logging.getLogger(__name__)

FILE_ID_CACHE_SIZE = 1024


@deconstructible
class ImageKitStorage(BaseStorage):
    def __init__(self, **settings):
        super().__init__(**settings)
        self.location = clean_name(self.location or "").strip("/")
        self.url_endpoint = (self.url_endpoint or "").rstrip("/")
        # fileIds of files this process uploaded, so deleting right after a failed request (the
        # usual case: a rollback) needs no search call.
        self._file_ids: OrderedDict[str, str] = OrderedDict()
        self._ids_lock = threading.Lock()

    def get_default_settings(self):
        return {
            "location": setting("IMAGEKIT_FOLDER", ""),
            "url_endpoint": setting("IMAGEKIT_URL_ENDPOINT", ""),
            # Our names are unique already (uuid); skipping the exists() check saves an API call per
            # upload. Set False to get Django's "find a free name" behaviour instead.
            "file_overwrite": setting("IMAGEKIT_FILE_OVERWRITE", True),
        }

    # --- names ----------------------------------------------------------------------------

    def _clean(self, name: str) -> str:
        name = clean_name(name or "").lstrip("/")
        if not name or any(part in ("", ".", "..") for part in name.split("/")):
            raise SuspiciousFileOperation(f"Invalid storage name: {name!r}")
        return name

    def _file_path(self, name: str) -> str:
        """The full ImageKit path of a name: "/<IMAGEKIT_FOLDER>/posts/abc.jpg"."""
        name = self._clean(name)
        return "/" + posixpath.join(self.location, name) if self.location else "/" + name

    def _name_from_path(self, file_path: str) -> str:
        prefix = f"/{self.location}/" if self.location else "/"
        return file_path[len(prefix):] if file_path.startswith(prefix) else file_path.lstrip("/")

    def get_available_name(self, name, max_length=None):
        name = clean_name(name)
        if self.file_overwrite:
            return get_available_overwrite_name(name, max_length)
        return super().get_available_name(name, max_length)

    # --- fileId cache ---------------------------------------------------------------------

    def _remember(self, name: str, file_id: str) -> None:
        with self._ids_lock:
            self._file_ids[name] = file_id
            self._file_ids.move_to_end(name)
            while len(self._file_ids) > FILE_ID_CACHE_SIZE:
                self._file_ids.popitem(last=False)

    def _forget(self, name: str) -> str | None:
        with self._ids_lock:
            return self._file_ids.pop(name, None)

    # --- Storage API ----------------------------------------------------------------------

    def _save(self, name, content):
        name = self._clean(name)
        directory, file_name = posixpath.split(self._file_path(name))
        if hasattr(content, "seek"):
            content.seek(0)
        data = to_bytes(content.read())
        content_type = (
            getattr(content, "content_type", None) or mimetypes.guess_type(file_name)[0] or "application/octet-stream"
        )
        try:
            remote = imagekit.upload(
                data, file_name=file_name, folder=directory or "/", content_type=content_type, overwrite=self.file_overwrite
            )
        except imagekit.StorageTimeout:
            # ImageKit may have stored the file even though its answer never arrived.
            self._remove_after_timeout(posixpath.join(directory, file_name))
            raise
        stored_name = self._name_from_path(remote.file_path)
        self._remember(stored_name, remote.file_id)
        return stored_name

    def delete_after_failure(self, name: str) -> None:
        """Delete a file a failed request stored, with short clean-up calls that fit in what is
        left of the request's time budget (FileBatch.discard uses this)."""
        name = self._clean(name)
        file_id = self._forget(name)
        if file_id is None:
            remote = imagekit.find(self._file_path(name), quick=True)
            if remote is None:
                return
            file_id = remote.file_id
        imagekit.delete(file_id, quick=True)

    def _remove_after_timeout(self, file_path: str) -> None:
        try:
            remote = imagekit.find(file_path, quick=True)
            if remote is not None:
                imagekit.delete(remote.file_id, quick=True)
        except StorageError:
            log.warning("could not check for %s after an upload timed out; it may be orphaned", file_path)

    def _open(self, name, mode="rb"):
        if "w" in mode or "a" in mode or "+" in mode:
            raise ValueError("ImageKitStorage files are read-only; save a new file instead.")
        content = ContentFile(imagekit.download(self.url(name)), name=name)
        content.mode = mode
        return content

    def _find(self, name):
        return imagekit.find(self._file_path(name))

    def delete(self, name):
        if not name:
            return
        name = self._clean(name)
        file_id = self._forget(name)
        if file_id is None:
            remote = self._find(name)
            if remote is None:
                return
            file_id = remote.file_id
        imagekit.delete(file_id)

    def exists(self, name):
        return self._find(name) is not None

    def size(self, name):
        remote = self._find(name)
        if remote is None:
            raise FileNotFoundError(f"{name} does not exist on ImageKit")
        if remote.size is None:
            remote = imagekit.details(remote.file_id) or remote
        return remote.size or 0

    def url(self, name, *, expires_at: int | None = None):
        """The signed delivery URL of `name`; with `expires_at` (Unix time) it stops working then."""
        return imagekit.build_url(self._file_path(name), url_endpoint=self.url_endpoint, signed=True,
                                  expires_at=expires_at)

    def rendition_url(self, name: str, width: int, *, expires_at: int | None = None) -> str:
        """The URL of `name` resized to `width` pixels by ImageKit, with automatic quality and
        format (`?tr=w-<width>,q-auto,f-auto`), built (and signed) by the SDK's URL helper."""
        return imagekit.build_url(
            self._file_path(name),
            url_endpoint=self.url_endpoint,
            transformation=imagekit.rendition_transformation(width),
            signed=True,
            expires_at=expires_at,
        )

    def video_poster_url(self, name: str, width: int, *, expires_at: int | None = None) -> str:
        """A still frame of a stored video as an image at `width` pixels (ImageKit's
        `<video>/ik-thumbnail.jpg` with the same transformation as `rendition_url`)."""
        return imagekit.build_url(
            self._file_path(name) + "/ik-thumbnail.jpg",
            url_endpoint=self.url_endpoint,
            transformation=imagekit.rendition_transformation(width),
            signed=True,
            expires_at=expires_at,
        )

    def list_files(self):
        """(name, created datetime or None) of every file under IMAGEKIT_FOLDER, from the list API
        (for `manage.py sweep_media`)."""
        for remote in imagekit.list_files(self.location):
            name = self._name_from_path(remote.file_path)
            self._remember(name, remote.file_id)  # so deleting an orphan needs no search call
            yield name, remote.created_at

    def listdir(self, path):
        raise NotImplementedError("ImageKitStorage does not list folders; the database knows every file name.")
