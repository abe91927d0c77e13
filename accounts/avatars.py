"""Avatar URLs. The default avatar is one file in the default storage (local or ImageKit), written
once and shared by every user without a photo."""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.templatetags.static import static

from instaclone.media.files import StorageError

DEFAULT_AVATAR_NAME = "defaults/avatar.png"


def ensure_default_avatar() -> str:
    """Put the default avatar into the storage if it is not there yet; return its name."""
    if not default_storage.exists(DEFAULT_AVATAR_NAME):
        path = finders.find("img/default-avatar.png")
        with open(path, "rb") as fh:
            default_storage.save(DEFAULT_AVATAR_NAME, ContentFile(fh.read()))
    return DEFAULT_AVATAR_NAME


@lru_cache(maxsize=4)
def _default_avatar_url(storage_key: str) -> str:
    return default_storage.url(ensure_default_avatar())


def default_avatar_url() -> str:
    # Keyed by the storage location so tests that swap MEDIA_ROOT get a fresh check.
    try:
        return _default_avatar_url(str(getattr(default_storage, "location", "")) + settings.MEDIA_URL)
    except StorageError:
        # The storage (ImageKit) is down: show the bundled copy rather than fail the page, and do
        # not cache it, so the storage copy is used again once it answers.
        return static("img/default-avatar.png")


def avatar_url(user) -> str:
    if user.avatar:
        return default_storage.url(user.avatar)
    return default_avatar_url()
