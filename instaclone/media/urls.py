"""Media URLs for pages: public ones that may be cached forever, and private accounts' ones that
expire.

Private accounts' post media (files, renditions, video posters) get URLs that stop working after
PRIVATE_MEDIA_URL_TTL seconds (default 3600):
- local storage: `/media/<name>?e=<expiry>&s=<signature>`, the signature an HMAC (Django's
  `Signer`, keyed by SECRET_KEY) over the name and the expiry, checked by `serving.serve_media`;
- ImageKit: the SDK's signed URL with an expiry (`ik-t`/`ik-s`), checked by ImageKit.
The expiry is rounded up to a time bucket (a sixth of the TTL, so 10 minutes by default): every
page rendered within one bucket gets the same URL, so browsers reuse the cached image, and a URL
stays valid between TTL and TTL + bucket after it was handed out.

Avatars stay public (like Instagram's profile photos, visible to anyone who can open the profile).
Building a URL never touches the network.
"""

from __future__ import annotations

import time
from functools import lru_cache
from urllib.parse import urlencode

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.signals import setting_changed
from django.core.signing import BadSignature, Signer
from django.dispatch import receiver
from django.utils.crypto import constant_time_compare

DEFAULT_PRIVATE_MEDIA_URL_TTL = 3600
_SALT = "instaclone.media.private-url"


def private_url_ttl() -> int:
    return max(60, int(getattr(settings, "PRIVATE_MEDIA_URL_TTL", DEFAULT_PRIVATE_MEDIA_URL_TTL)))


def private_expiry(now: float | None = None) -> int:
    """The expiry (Unix time) of a private URL handed out now: now + TTL, rounded up to the bucket."""
    ttl = private_url_ttl()
    bucket = max(1, ttl // 6)
    now = int(time.time() if now is None else now)
    return -(-(now + ttl) // bucket) * bucket


def _signature(name: str, expires: int) -> str:
    return Signer(salt=_SALT).signature(f"{name}\n{int(expires)}")


def check_signature(name: str, expires: str | None, signature: str | None) -> int:
    """The expiry of a signed local URL if the signature is ours; BadSignature otherwise (expired
    or not: the caller decides what an expired link answers)."""
    if not expires or not signature or not (expires.isascii() and expires.isdigit()) or len(expires) > 12:
        raise BadSignature("missing or malformed signature")
    if not constant_time_compare(signature, _signature(name, int(expires))):
        raise BadSignature("signature does not match")
    return int(expires)


def _signs_itself(storage) -> bool:
    """A remote storage (ImageKit) that signs its own URLs (`url(name, expires_at=...)`)."""
    return callable(getattr(storage, "rendition_url", None))


def file_url(name: str, *, private: bool = False, storage=None) -> str:
    """URL of a stored file; for a private account's file, one that expires."""
    if not name:
        return ""
    return _stored_url(storage or default_storage, name, private_expiry() if private else 0)


def transformed_url(
    name: str, width: int, *, poster: bool = False, private: bool = False, storage=None
) -> str:
    """For storages that resize on the fly: `name` at `width` px (`poster`: a video's still frame)."""
    return _transformed_url(
        storage or default_storage, name, width, poster, private_expiry() if private else 0
    )


# A URL depends only on the storage, the name, the width and the expiry bucket (0: public), so it is
# built once per process and bucket: a feed page asks for ~50 (src + srcset of each card), and the
# storage's url() (urljoin and quoting; an SDK call for ImageKit) and the HMAC of a private URL cost
# a tenth of the page's CPU otherwise. Any settings change (tests swap storages, MEDIA_URL, keys)
# forgets them.
@lru_cache(maxsize=8192)
def _stored_url(storage, name: str, expires: int) -> str:
    if _signs_itself(storage):
        return storage.url(name, expires_at=expires) if expires else storage.url(name)
    url = storage.url(name)
    if not expires:
        return url
    return f"{url}?{urlencode({'e': expires, 's': _signature(name, expires)})}"


@lru_cache(maxsize=8192)
def _transformed_url(storage, name: str, width: int, poster: bool, expires: int) -> str:
    expiry = {"expires_at": expires} if expires else {}
    if poster:
        make = getattr(storage, "video_poster_url", None)
        return make(name, width, **expiry) if callable(make) else ""
    return storage.rendition_url(name, width, **expiry)


@receiver(setting_changed)
def _forget_urls(**kwargs) -> None:
    _stored_url.cache_clear()
    _transformed_url.cache_clear()
