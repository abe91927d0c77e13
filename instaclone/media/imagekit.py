"""The one integration module for ImageKit: nothing else in the project imports the `imagekitio` SDK.

The client is built from settings once (private key, optional API base URL, a short timeout and a
single retry) and cached; `reset_client()` drops it, and it is also dropped automatically when a
test overrides an IMAGEKIT_* setting. Every function here turns SDK, API and network failures into
`StorageError` with a message meant for the person, so callers never see a raw SDK error.

Settings read here:
- IMAGEKIT_PRIVATE_KEY: sent as the Basic-auth username (empty password), as ImageKit's API expects.
- IMAGEKIT_API_BASE_URL: when set, the SDK's base_url; this also sends uploads there instead of
  upload.imagekit.io (tests point it at a local fake server).
- IMAGEKIT_TIMEOUT (seconds, default 20) and IMAGEKIT_MAX_RETRIES (default 1).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

import httpx
import imagekitio
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

from instaclone.media.files import StorageError

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 20.0
DEFAULT_MAX_RETRIES = 1
CONNECT_TIMEOUT = 5.0

_client: imagekitio.ImageKit | None = None
_lock = threading.Lock()


@dataclass(frozen=True)
class RemoteFile:
    """What we need to know about a file on ImageKit."""

    file_id: str
    file_path: str  # "/instaclone/posts/abc.jpg"
    size: int | None = None
    url: str = ""


# --- Client ---------------------------------------------------------------------------------


def get_client() -> imagekitio.ImageKit:
    """The shared SDK client, built from settings on first use."""
    global _client
    if _client is None:
        with _lock:
            if _client is None:
                _client = _build_client()
    return _client


def reset_client() -> None:
    """Forget the cached client (tests call this after overriding IMAGEKIT_* settings)."""
    global _client
    with _lock:
        old, _client = _client, None
    if old is not None:
        try:
            old.close()
        except Exception:  # pragma: no cover - closing an idle pool should not fail
            log.debug("closing the ImageKit client failed", exc_info=True)


@receiver(setting_changed)
def _reset_on_setting_change(*, setting, **kwargs):
    if setting.startswith("IMAGEKIT_"):
        reset_client()


def _build_client() -> imagekitio.ImageKit:
    private_key = getattr(settings, "IMAGEKIT_PRIVATE_KEY", "")
    if not private_key:
        raise StorageError("Image storage is not configured (IMAGEKIT_PRIVATE_KEY is missing).")
    timeout = float(getattr(settings, "IMAGEKIT_TIMEOUT", DEFAULT_TIMEOUT))
    return imagekitio.ImageKit(
        private_key=private_key,
        # ImageKit's API takes the private key as the Basic-auth username with an empty password.
        password="",
        base_url=getattr(settings, "IMAGEKIT_API_BASE_URL", "") or None,
        timeout=httpx.Timeout(timeout, connect=min(CONNECT_TIMEOUT, timeout)),
        max_retries=int(getattr(settings, "IMAGEKIT_MAX_RETRIES", DEFAULT_MAX_RETRIES)),
    )


# --- Errors ---------------------------------------------------------------------------------


class StorageTimeout(StorageError):
    """The API did not answer in time: the request may still have been carried out remotely."""


_AGAIN = "please try again in a moment."


def _storage_error(action: str, exc: Exception, *, writing: bool = False) -> StorageError:
    """A person-readable StorageError for an SDK/API/network failure while doing `action`."""
    retry = f"Nothing was saved; {_AGAIN}" if writing else _AGAIN.capitalize()
    if isinstance(exc, imagekitio.APITimeoutError | httpx.TimeoutException):
        message = f"The image service took too long to answer while {action}. {retry}"
    elif isinstance(exc, imagekitio.APIConnectionError | httpx.TransportError):
        message = f"We couldn't reach the image service while {action}. {retry}"
    elif isinstance(exc, imagekitio.AuthenticationError | imagekitio.PermissionDeniedError):
        message = (
            f"The image service refused our credentials while {action}. "
            "The site's administrators have to fix the storage settings."
        )
    elif isinstance(exc, imagekitio.RateLimitError):
        message = f"The image service is busy right now ({action}). {retry}"
    elif isinstance(exc, imagekitio.APIStatusError) and exc.status_code >= 500:
        message = (
            f"The image service is having problems (error {exc.status_code}) while {action}. "
            f"{retry}"
        )
    elif isinstance(exc, imagekitio.APIStatusError):
        message = f"The image service rejected the request (error {exc.status_code}) while {action}."
        if writing:
            message += " Nothing was saved."
    else:
        message = f"Something went wrong with the image service while {action}. {retry}"
    log.warning("ImageKit failed while %s: %r", action, exc)
    timed_out = isinstance(exc, imagekitio.APITimeoutError | httpx.TimeoutException)
    return StorageTimeout(message) if timed_out else StorageError(message)


_SDK_ERRORS = (imagekitio.ImageKitError, httpx.HTTPError, ValueError)


def _remote(file) -> RemoteFile:
    size = getattr(file, "size", None)
    return RemoteFile(
        file_id=file.file_id or "",
        file_path=file.file_path or "",
        size=int(size) if size is not None else None,
        url=getattr(file, "url", None) or "",
    )


# --- Operations used by the storage backend -----------------------------------------------


def upload(content: bytes, *, file_name: str, folder: str, content_type: str = "", overwrite: bool = True) -> RemoteFile:
    """Upload bytes as `folder/file_name` exactly (no unique suffix, so the name we keep is the URL)."""
    try:
        response = get_client().files.upload(
            file=(file_name, content, content_type or "application/octet-stream"),
            file_name=file_name,
            folder=folder,
            use_unique_file_name=False,
            overwrite_file=overwrite,
        )
    except _SDK_ERRORS as exc:
        raise _storage_error("uploading your file", exc, writing=True) from exc
    if not response.file_id or not response.file_path:
        log.warning("ImageKit upload answered without fileId/filePath: %r", response)
        raise StorageError(f"The image service gave an unexpected answer to the upload. {_AGAIN.capitalize()}")
    return _remote(response)


def _quick_client() -> imagekitio.ImageKit:
    """The shared client without retries, for best-effort clean-up that must not keep a person waiting."""
    return get_client().with_options(max_retries=0)


def find(file_path: str, *, quick: bool = False) -> RemoteFile | None:
    """Look a file up by its full path ("/instaclone/posts/abc.jpg"); None when it does not exist."""
    folder, _, file_name = file_path.rpartition("/")
    query = 'name = "{}"'.format(file_name.replace("\\", "\\\\").replace('"', '\\"'))
    client = _quick_client() if quick else get_client()
    try:
        items = client.assets.list(path=(folder or "") + "/", search_query=query, type="file", limit=10)
    except _SDK_ERRORS as exc:
        raise _storage_error("looking up a file", exc) from exc
    for item in items:
        if getattr(item, "type", None) == "folder":
            continue
        if getattr(item, "file_path", None) == file_path:
            return _remote(item)
    return None


def details(file_id: str) -> RemoteFile | None:
    try:
        return _remote(get_client().files.get(file_id))
    except imagekitio.NotFoundError:
        return None
    except _SDK_ERRORS as exc:
        raise _storage_error("looking up a file", exc) from exc


def delete(file_id: str, *, quick: bool = False) -> None:
    """Delete a remote file; a file that is already gone counts as deleted."""
    client = _quick_client() if quick else get_client()
    try:
        client.files.delete(file_id)
    except imagekitio.NotFoundError:
        return
    except _SDK_ERRORS as exc:
        raise _storage_error("deleting a file", exc) from exc


def build_url(file_path: str, *, url_endpoint: str, transformation: list[dict] | None = None) -> str:
    """The delivery URL of a file on `url_endpoint`, built by the SDK's own helper (no network)."""
    options: dict = {"src": file_path, "url_endpoint": url_endpoint}
    if transformation:
        options["transformation"] = transformation
    return get_client().helper.build_url(**options)


def rendition_transformation(width: int) -> list[dict]:
    """Resize to `width`, automatic quality and automatic format: `tr=w-<width>,q-auto,f-auto`."""
    # The SDK types `quality` as a number; `raw` passes "q-auto" through in the same step.
    return [{"width": int(width), "raw": "q-auto", "format": "auto"}]


def download(url: str) -> bytes:
    """Fetch a file's bytes from its delivery URL (used by Storage.open)."""
    timeout = float(getattr(settings, "IMAGEKIT_TIMEOUT", DEFAULT_TIMEOUT))
    try:
        response = httpx.get(url, timeout=timeout, follow_redirects=True)
        response.raise_for_status()
    except httpx.HTTPStatusError as exc:
        if exc.response.status_code == 404:
            raise FileNotFoundError(url) from exc
        raise _storage_error("downloading a file", exc) from exc
    except httpx.HTTPError as exc:
        raise _storage_error("downloading a file", exc) from exc
    return response.content
