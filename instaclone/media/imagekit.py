"""The one integration module for ImageKit: nothing else in the project imports the `imagekitio` SDK.

The client is built from settings once (private key, optional API base URL) and cached;
`reset_client()` drops it, and it is also dropped automatically when a test overrides an IMAGEKIT_*
setting. Every function here turns SDK, API and network failures into `StorageError` with a message
meant for the person, so callers never see a raw SDK error.

Time budget (so a slow ImageKit can never outlive gunicorn's 30 s worker timeout):
- each call waits at most IMAGEKIT_TIMEOUT seconds (default 5) per network step, and is retried
  (IMAGEKIT_MAX_RETRIES, default 1) only when the retry still fits in what is left of the budget;
- all calls made while serving one request share IMAGEKIT_REQUEST_BUDGET seconds (default 15),
  counted from the start of the request (`request_started`); a call that no longer fits is not made,
  it raises StorageError at once. Management commands and tasks can set their own with `budget()`,
  and background tasks that move large files (a video and its web copy) may give each call more
  time with `long_calls()`;
- clean-up after a failed request (deleting what it uploaded) gets short calls
  (IMAGEKIT_CLEANUP_TIMEOUT, default 2 s, no retries) until IMAGEKIT_CLEANUP_GRACE seconds (default 5)
  past the budget; what it cannot delete in time is left for `manage.py sweep_media`;
- circuit breaker: after a timeout, a connection failure, a 5xx or a 429, every call in this process
  fails at once (no network) for IMAGEKIT_FAILURE_COOLDOWN seconds (default 30), so an outage costs
  one timeout, not one per file. Clean-up calls still go through (they are short).
Building URLs (`build_url`) never touches the network.

Settings read here:
- IMAGEKIT_PRIVATE_KEY: sent as the Basic-auth username (empty password), as ImageKit's API expects;
  also the key that signs delivery URLs.
- IMAGEKIT_API_BASE_URL: when set, the SDK's base_url; this also sends uploads there instead of
  upload.imagekit.io (tests point it at a local fake server).
- IMAGEKIT_TIMEOUT, IMAGEKIT_MAX_RETRIES, IMAGEKIT_REQUEST_BUDGET, IMAGEKIT_FAILURE_COOLDOWN,
  IMAGEKIT_CLEANUP_TIMEOUT, IMAGEKIT_CLEANUP_GRACE (see above).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

import httpx
import imagekitio
from django.conf import settings
from django.core.signals import request_finished, request_started, setting_changed
from django.dispatch import receiver

from instaclone.media.files import StorageError

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 5.0
DEFAULT_MAX_RETRIES = 1
DEFAULT_REQUEST_BUDGET = 15.0
DEFAULT_FAILURE_COOLDOWN = 30.0
DEFAULT_CLEANUP_TIMEOUT = 2.0
DEFAULT_CLEANUP_GRACE = 5.0
CONNECT_TIMEOUT = 3.0
# The SDK sleeps between attempts (0.5 s doubling, capped); counted when deciding if a retry fits.
RETRY_BACKOFF_ALLOWANCE = 1.0

T = TypeVar("T")

_client: imagekitio.ImageKit | None = None
_lock = threading.Lock()


@dataclass(frozen=True)
class RemoteFile:
    """What we need to know about a file on ImageKit."""

    file_id: str
    file_path: str  # "/instaclone/posts/abc.jpg"
    size: int | None = None
    url: str = ""
    created_at: datetime | None = None


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
    """Forget the cached client and a tripped circuit breaker (tests call this after overriding
    IMAGEKIT_* settings)."""
    global _client, _open_until
    with _lock:
        old, _client = _client, None
        _open_until = 0.0
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
    return imagekitio.ImageKit(
        private_key=private_key,
        # ImageKit's API takes the private key as the Basic-auth username with an empty password.
        password="",
        base_url=getattr(settings, "IMAGEKIT_API_BASE_URL", "") or None,
        timeout=_timeout(_setting("IMAGEKIT_TIMEOUT", DEFAULT_TIMEOUT)),
        max_retries=0,  # retries are decided per call by _call(), inside the budget
    )


def _setting(name: str, default: float) -> float:
    return float(getattr(settings, name, default))


def _timeout(seconds: float) -> httpx.Timeout:
    return httpx.Timeout(seconds, connect=min(CONNECT_TIMEOUT, seconds))


# --- Time budget and circuit breaker -------------------------------------------------------

_state = threading.local()  # .deadline: monotonic time when this request's budget runs out
_open_until = 0.0  # monotonic time until which the circuit breaker answers for ImageKit


@receiver(request_started)
def _start_request_budget(**kwargs):
    _state.deadline = time.monotonic() + _setting("IMAGEKIT_REQUEST_BUDGET", DEFAULT_REQUEST_BUDGET)


@receiver(request_finished)
def _end_request_budget(**kwargs):
    _state.deadline = None


@contextmanager
def budget(seconds: float | None = None) -> Iterator[None]:
    """Run the block under a time budget of its own (management commands, tasks, tests);
    `None` means IMAGEKIT_REQUEST_BUDGET."""
    previous = getattr(_state, "deadline", None)
    if seconds is None:
        seconds = _setting("IMAGEKIT_REQUEST_BUDGET", DEFAULT_REQUEST_BUDGET)
    _state.deadline = time.monotonic() + seconds
    try:
        yield
    finally:
        _state.deadline = previous


@contextmanager
def long_calls(seconds: float) -> Iterator[None]:
    """Let each call in the block take up to `seconds` (per network step and in all) instead of
    IMAGEKIT_TIMEOUT, which is sized for a request's small photos: a background task downloading a
    100 MB video and uploading its web copy needs longer. Never use it while serving a request."""
    previous = getattr(_state, "per_call", None)
    _state.per_call = seconds
    try:
        yield
    finally:
        _state.per_call = previous


def remaining_budget() -> float | None:
    """Seconds left for ImageKit calls in this request (None outside a request or `budget()`)."""
    deadline = getattr(_state, "deadline", None)
    return None if deadline is None else deadline - time.monotonic()


def circuit_open() -> bool:
    return time.monotonic() < _open_until


def _trip() -> None:
    global _open_until
    cooldown = _setting("IMAGEKIT_FAILURE_COOLDOWN", DEFAULT_FAILURE_COOLDOWN)
    with _lock:
        _open_until = max(_open_until, time.monotonic() + cooldown)
    log.warning("ImageKit failing: calls fail fast for the next %.0f s", cooldown)


def _close_circuit() -> None:
    global _open_until
    if _open_until:
        with _lock:
            _open_until = 0.0


def _trips_circuit(exc: Exception) -> bool:
    if isinstance(exc, imagekitio.APITimeoutError | imagekitio.APIConnectionError | httpx.TransportError):
        return True
    if isinstance(exc, imagekitio.RateLimitError):
        return True
    return isinstance(exc, imagekitio.APIStatusError) and exc.status_code >= 500


def _allowance(action: str, *, writing: bool, cleanup: bool) -> tuple[float, int]:
    """(timeout per network step, retries) for the next call, or StorageError if it must not be made."""
    per_call = max(_setting("IMAGEKIT_TIMEOUT", DEFAULT_TIMEOUT), getattr(_state, "per_call", None) or 0)
    left = remaining_budget()
    retry = f"Nothing was saved; {_AGAIN}" if writing else _AGAIN.capitalize()
    if cleanup:
        timeout = min(per_call, _setting("IMAGEKIT_CLEANUP_TIMEOUT", DEFAULT_CLEANUP_TIMEOUT))
        if left is not None:
            left += _setting("IMAGEKIT_CLEANUP_GRACE", DEFAULT_CLEANUP_GRACE)
            if left <= 0.05:
                raise StorageTimeout(f"No time was left to finish {action}.")
            timeout = min(timeout, left)
        return timeout, 0
    if circuit_open():
        raise StorageError(f"The image service is not answering right now ({action}). {retry}")
    if left is None:
        return per_call, int(_setting("IMAGEKIT_MAX_RETRIES", DEFAULT_MAX_RETRIES))
    if left <= 0.05:
        log.warning("ImageKit request budget spent before %s", action)
        # Not a StorageTimeout: the call was never made, so there is nothing to look for remotely.
        raise StorageError(f"The image service took too long to answer while {action}. {retry}")
    timeout = min(per_call, left)
    retries = 0
    for n in range(int(_setting("IMAGEKIT_MAX_RETRIES", DEFAULT_MAX_RETRIES)), 0, -1):
        if (n + 1) * timeout + n * RETRY_BACKOFF_ALLOWANCE <= left:
            retries = n
            break
    return timeout, retries


# Calls run on these threads so that the request thread can stop waiting at a wall-clock limit.
_runner = ThreadPoolExecutor(max_workers=4, thread_name_prefix="imagekit-call")


def _wall_clock_limit(timeout: float, retries: int, *, cleanup: bool) -> float:
    limit = (retries + 1) * timeout + retries * RETRY_BACKOFF_ALLOWANCE
    left = remaining_budget()
    if left is not None:
        if cleanup:
            left += _setting("IMAGEKIT_CLEANUP_GRACE", DEFAULT_CLEANUP_GRACE)
        limit = min(limit, left)
    return max(limit, 0.05)


def _within(limit: float, action: str, run: Callable[[], T], *, undo: Callable[[T], None] | None = None) -> T:
    """`run()` on a helper thread, waiting at most `limit` seconds of wall-clock time.

    httpx's timeouts bound each network step (connect, each read, each write), not a whole call: a
    server that answers one byte every half second never trips them and would hold the worker past
    gunicorn's timeout (which kills it before any clean-up runs). Past the limit the request thread
    gives up with a timeout; the abandoned call ends on its own (each step still has its timeout),
    and if it still succeeds later, `undo(result)` removes what it made (an upload is deleted).
    Hand-written: neither httpx nor the SDK offers a total deadline per call."""
    future = _runner.submit(run)
    try:
        return future.result(timeout=limit)
    except FutureTimeout:
        if not future.cancel() and undo is not None:
            future.add_done_callback(lambda f: f.exception() is None and _undo_late(undo, f.result()))
        raise httpx.TimeoutException(f"no complete answer within {limit:.1f} s while {action}") from None


def _undo_late(undo: Callable[[T], None], result: T) -> None:
    try:
        undo(result)
    except Exception:  # the sweep (manage.py sweep_media) finds what is left
        log.warning("could not undo a late ImageKit call", exc_info=True)


def _call(action: str, operation: Callable[[imagekitio.ImageKit], T], *, writing: bool = False,
          cleanup: bool = False, passthrough: tuple[type[Exception], ...] = (),
          undo: Callable[[T], None] | None = None) -> T:
    """Run `operation(client)` inside the time budget and the circuit breaker; SDK failures become
    StorageError (exceptions in `passthrough`, e.g. NotFoundError, are re-raised for the caller).
    The whole call, retries included, ends within the wall-clock limit (`_within`)."""
    timeout, retries = _allowance(action, writing=writing, cleanup=cleanup)
    client = get_client().with_options(timeout=_timeout(timeout), max_retries=retries)
    limit = _wall_clock_limit(timeout, retries, cleanup=cleanup)
    try:
        result = _within(limit, action, lambda: operation(client), undo=undo)
    except passthrough:
        _close_circuit()
        raise
    except _SDK_ERRORS as exc:
        if _trips_circuit(exc):
            _trip()
        raise _storage_error(action, exc, writing=writing) from exc
    _close_circuit()
    return result


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
    created = getattr(file, "created_at", None)
    if isinstance(created, str):
        try:
            created = datetime.fromisoformat(created.replace("Z", "+00:00"))
        except ValueError:
            created = None
    return RemoteFile(
        file_id=file.file_id or "",
        file_path=file.file_path or "",
        size=int(size) if size is not None else None,
        url=getattr(file, "url", None) or "",
        created_at=created if isinstance(created, datetime) else None,
    )


# --- Operations used by the storage backend -----------------------------------------------


def upload(content: bytes, *, file_name: str, folder: str, content_type: str = "", overwrite: bool = True) -> RemoteFile:
    """Upload bytes as `folder/file_name` exactly (no unique suffix, so the name we keep is the URL)."""
    response = _call(
        "uploading your file",
        lambda client: client.files.upload(
            file=(file_name, content, content_type or "application/octet-stream"),
            file_name=file_name,
            folder=folder,
            use_unique_file_name=False,
            overwrite_file=overwrite,
        ),
        writing=True,
        undo=_delete_late_upload,
    )
    if not response.file_id or not response.file_path:
        log.warning("ImageKit upload answered without fileId/filePath: %r", response)
        raise StorageError(f"The image service gave an unexpected answer to the upload. {_AGAIN.capitalize()}")
    return _remote(response)


def _delete_late_upload(response) -> None:
    """An upload answered after we stopped waiting: nothing will point at it, so delete it (one
    short call, straight on the client: this runs on a call thread, outside any budget)."""
    if getattr(response, "file_id", None):
        timeout = _setting("IMAGEKIT_CLEANUP_TIMEOUT", DEFAULT_CLEANUP_TIMEOUT)
        get_client().with_options(timeout=_timeout(timeout), max_retries=0).files.delete(response.file_id)


def find(file_path: str, *, quick: bool = False) -> RemoteFile | None:
    """Look a file up by its full path ("/instaclone/posts/abc.jpg"); None when it does not exist.
    `quick`: a short clean-up call (see the module docstring)."""
    folder, _, file_name = file_path.rpartition("/")
    query = 'name = "{}"'.format(file_name.replace("\\", "\\\\").replace('"', '\\"'))
    items = _call(
        "looking up a file",
        lambda client: client.assets.list(path=(folder or "") + "/", search_query=query, type="file", limit=10),
        cleanup=quick,
    )
    for item in items:
        if getattr(item, "type", None) == "folder":
            continue
        if getattr(item, "file_path", None) == file_path:
            return _remote(item)
    return None


LIST_PAGE_SIZE = 1000  # the API's maximum `limit`


def list_files(folder: str) -> Iterator[RemoteFile]:
    """Every file under `folder` ("/instaclone"), walking sub-folders, as the list API reports them
    (`GET /v1/files?path=<folder>/&type=all`, paged with skip/limit). Used by the media sweep."""
    pending = ["/" + folder.strip("/") + "/" if folder.strip("/") else "/"]
    while pending:
        path = pending.pop()
        skip = 0
        while True:
            page = _call(
                "listing files",
                lambda client, path=path, skip=skip: client.assets.list(
                    path=path, type="all", sort="ASC_CREATED", skip=skip, limit=LIST_PAGE_SIZE
                ),
            )
            items = list(page)
            for item in items:
                if getattr(item, "type", None) == "folder":
                    folder_path = getattr(item, "folder_path", None)
                    if folder_path:
                        pending.append(folder_path.rstrip("/") + "/")
                elif getattr(item, "file_path", None):
                    yield _remote(item)
            if len(items) < LIST_PAGE_SIZE:
                break
            skip += LIST_PAGE_SIZE


def details(file_id: str) -> RemoteFile | None:
    try:
        return _remote(_call("looking up a file", lambda client: client.files.get(file_id),
                             passthrough=(imagekitio.NotFoundError,)))
    except imagekitio.NotFoundError:
        return None


def delete(file_id: str, *, quick: bool = False) -> None:
    """Delete a remote file; a file that is already gone counts as deleted. `quick`: a short
    clean-up call (see the module docstring)."""
    try:
        _call("deleting a file", lambda client: client.files.delete(file_id), cleanup=quick,
              passthrough=(imagekitio.NotFoundError,))
    except imagekitio.NotFoundError:
        return


def build_url(file_path: str, *, url_endpoint: str, transformation: list[dict] | None = None,
              signed: bool = False, expires_at: int | None = None) -> str:
    """The delivery URL of a file on `url_endpoint`, built by the SDK's own helper (no network).

    `signed`: add ImageKit's `ik-s` signature (HMAC of the path with the private key), so the URL
    works while "Restrict unsigned URLs" is on. `expires_at` (a Unix time): also sign an expiry
    (`ik-t`); ImageKit refuses the URL after it. The SDK takes seconds-from-now, so the callers'
    time-bucketed expiry is converted here (same URL for everyone within a bucket)."""
    options: dict = {"src": file_path, "url_endpoint": url_endpoint}
    if transformation:
        options["transformation"] = transformation
    if signed or expires_at:
        options["signed"] = True
        if expires_at:
            options["expires_in"] = max(1, int(expires_at) - int(time.time()))
    return get_client().helper.build_url(**options)


def rendition_transformation(width: int) -> list[dict]:
    """Resize to `width`, automatic quality and automatic format: `tr=w-<width>,q-auto,f-auto`."""
    # The SDK types `quality` as a number; `raw` passes "q-auto" through in the same step.
    return [{"width": int(width), "raw": "q-auto", "format": "auto"}]


def download(url: str) -> bytes:
    """Fetch a file's bytes from its delivery URL (used by Storage.open)."""
    timeout, _retries = _allowance("downloading a file", writing=False, cleanup=False)
    limit = _wall_clock_limit(timeout, 0, cleanup=False)
    try:
        response = _within(
            limit, "downloading a file", lambda: httpx.get(url, timeout=_timeout(timeout), follow_redirects=True)
        )
        response.raise_for_status()
    except httpx.HTTPStatusError as exc:
        if exc.response.status_code == 404:
            raise FileNotFoundError(url) from exc
        raise _storage_error("downloading a file", exc) from exc
    except httpx.HTTPError as exc:
        if _trips_circuit(exc):
            _trip()
        raise _storage_error("downloading a file", exc) from exc
    return response.content
