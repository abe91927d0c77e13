"""Avatar URLs. Avatars are public (like Instagram's profile photos): their URLs never expire.

The default avatar (for users without a photo) never costs a network call to show:
- local storage: one file, `defaults/avatar.png`, written once into MEDIA_ROOT on first use (a
  `stat` per process, then cached) and shared by every user without a photo;
- a remote storage (ImageKit): our own static copy (`static/img/default-avatar.png`, served by
  WhiteNoise with a hashed, cache-forever name). Asking ImageKit whether its copy exists while a
  page renders cost one API call per avatar during an outage (a feed took 6 s), so pages never do.
"""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages
from django.templatetags.static import static

from instaclone.media.files import StorageError
from instaclone.media.urls import file_url

DEFAULT_AVATAR_NAME = "defaults/avatar.png"
DEFAULT_AVATAR_STATIC = "img/default-avatar.png"


def _is_remote(storage) -> bool:
    # ImageKit (and any storage that resizes on the fly) is remote: existence checks are API calls.
    return callable(getattr(storage, "rendition_url", None))


def ensure_default_avatar() -> str:
    """Put the default avatar into local storage if it is not there yet; return its name. A remote
    storage needs no copy (pages use the static file), so nothing is uploaded there."""
    if _is_remote(default_storage):
        return DEFAULT_AVATAR_NAME
    if not default_storage.exists(DEFAULT_AVATAR_NAME):
        path = finders.find(DEFAULT_AVATAR_STATIC)
        with open(path, "rb") as fh:
            default_storage.save(DEFAULT_AVATAR_NAME, ContentFile(fh.read()))
    return DEFAULT_AVATAR_NAME


@lru_cache(maxsize=4)
def _default_avatar_url(storage_key: str) -> str:
    return default_storage.url(ensure_default_avatar())


def default_avatar_url() -> str:
    storage = storages["default"]  # the storage itself: cheaper than reading through the proxy
    if _is_remote(storage):
        return static(DEFAULT_AVATAR_STATIC)
    # Keyed by the storage location so tests that swap MEDIA_ROOT get a fresh check.
    try:
        return _default_avatar_url(str(getattr(storage, "location", "")) + settings.MEDIA_URL)
    except (StorageError, OSError):
        return static(DEFAULT_AVATAR_STATIC)


def avatar_url(user) -> str:
    if user.avatar:
        return file_url(user.avatar)
    return default_avatar_url()
