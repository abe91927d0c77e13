"""Live updates, the publishing side (issue 16): tell a person's open pages that something changed.

Services call ``publish(user_ids, event)`` inside their transaction; the event is sent after the
commit (never for a rolled-back write) to each person's group on the channel layer (Redis between
app processes, in memory for the single process of ``scripts/run.sh``), where the WebSocket
consumer (``social.live``) forwards it to the browser as JSON. An event is a small dict with a
``type`` ("message", "seen", "badge", ...) and ids only — never content: the page fetches what
changed through its ordinary views, which apply the visibility rule, so an event can neither leak
nor be trusted. ``publish`` refuses anything but ints and short lowercase names.

``sessions_closed(user_id, session_keys)`` is the other message: a session ended (logout,
"sign out other sessions", suspension, account deletion, every other session at a password change),
so the consumers of those sessions close their socket. Session keys travel only as SHA-256 tags
(``session_tag``), never as keys.

Live updates are best effort by design: a page catches up from the database when its connection
(re)opens, so an event lost to a Redis outage costs a delay, never a message. Publishing therefore
never fails or slows a request: each send has a time budget (``LIVE_TIMEOUT``), and after a failure
the process stops publishing for ``LIVE_BACKOFF`` seconds (one warning per outage, one line when it
works again), like ``instaclone.cache``. Hand-written (small) because Channels has no such guard and
``group_send`` against a hung Redis waits for its socket timeout.

Where the send runs: sync code (request threads of gunicorn or of an ASGI server, the task worker)
hands it to one event loop per process, in a daemon thread (``_Publisher``), which keeps the Redis
layer's connection pool: Channels' ``async_to_sync`` instead makes a new event loop, thread and Redis
connection for every call (2.0 ms a publish against 0.26 ms here, 300 sends to a local Redis; it
does not leak: channels_redis closes each loop's pool with its loop). The in-memory layer is the
exception: its queues belong to the ASGI server's loop, which ``async_to_sync`` reaches from the
server's request threads (another process, or a thread running a loop of its own, reaches nobody).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import hashlib
import logging
import os
import re
import threading
import time
from collections.abc import Iterable

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.conf import settings
from django.db import transaction

logger = logging.getLogger("instaclone.live")

# The message types the consumer handles (Channels maps "live.event" to its `live_event` method).
CONSUMER_TYPE = "live.event"
CLOSE_TYPE = "live.close"

_NAME = re.compile(r"[a-z][a-z_]{0,31}\Z")


def user_group(user_id: int) -> str:
    """The channel-layer group of one person's open pages."""
    return f"user.{int(user_id)}"


def session_tag(session_key: str) -> str:
    """What stands for a session on the channel layer (the key itself is a credential)."""
    return hashlib.sha256(f"instaclone.live:{session_key}".encode()).hexdigest()[:32]


def check_event(event: dict) -> dict:
    """``event`` if it is ids only: a ``type`` name and ints or short lowercase names (ValueError
    otherwise, a programming error: content never goes over the socket)."""
    if not isinstance(event, dict) or not isinstance(event.get("type"), str):
        raise ValueError("A live event is a dict with a 'type'.")
    for key, value in event.items():
        ok = (isinstance(value, int) and not isinstance(value, bool)) or (isinstance(value, str) and _NAME.match(value))
        if not (isinstance(key, str) and _NAME.match(key) and ok):
            raise ValueError(f"Live events carry ids and names only, not {key!r}: {value!r}.")
    return event


def publish(user_ids: Iterable[int], event: dict, *, using: str | None = None) -> None:
    """Send ``event`` to the open pages of ``user_ids`` once the current transaction commits."""
    ids = sorted({int(i) for i in user_ids})
    check_event(event)
    if ids:
        transaction.on_commit(lambda: send_now(ids, event), using=using)


def sessions_closed(
    user_id: int, session_keys: Iterable[str] | None = None, *, reconnect: Iterable[str] = (), using: str | None = None
) -> None:
    """Once the transaction commits, close the live connections of these sessions of one person
    (all of theirs when ``session_keys`` is None): the sessions ended. The pages of the sessions in
    ``reconnect`` are told to reconnect instead (their browser holds the session under a new key: the
    next handshake decides with its cookie)."""
    if session_keys is None:
        tags = None
    else:
        tags = sorted({session_tag(key) for key in session_keys if key})
        if not tags:
            return
    moved = sorted({session_tag(key) for key in reconnect if key})
    message = {"type": CLOSE_TYPE, "sessions": tags, "reconnect": moved}
    transaction.on_commit(lambda: _send_guarded([int(user_id)], message), using=using)


def send_now(user_ids: list[int], event: dict) -> bool:
    """Send at once (outside any transaction); False when the layer is away or too slow."""
    return _send_guarded(user_ids, {"type": CONSUMER_TYPE, "event": event})


# --- the guard ---------------------------------------------------------------------------------

_lock = threading.Lock()
_down_until = 0.0
_down = False  # a failure was reported and no success seen since


def _send_guarded(user_ids: list[int], message: dict) -> bool:
    global _down_until, _down
    if time.monotonic() < _down_until:
        return False
    try:
        _deliver(user_ids, message)
    except Exception as error:  # any failure of the layer: the page will catch up on reconnect
        with _lock:
            first = not _down
            _down, _down_until = True, time.monotonic() + settings.LIVE_BACKOFF
        if first:
            logger.warning(
                "Live updates paused: the channel layer failed (%s: %s); retrying every %ss. Pages "
                "catch up when their connection reopens.", type(error).__name__, error, settings.LIVE_BACKOFF,
            )
        return False
    if _down:
        with _lock:
            was_down, _down = _down, False
        if was_down:
            logger.info("Live updates: the channel layer answers again.")
    return True


def _deliver(user_ids: list[int], message: dict) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    timeout = settings.LIVE_TIMEOUT
    if isinstance(layer, InMemoryChannelLayer):
        if _loop_running_here():
            return  # not a server's request thread (a browser test's): no consumer of this loop to reach
        async_to_sync(_group_send)(layer, user_ids, message, timeout)
        return
    future = asyncio.run_coroutine_threadsafe(_group_send(layer, user_ids, message, timeout), _publisher.loop())
    try:
        future.result(timeout + 0.5)  # the coroutine's own wait_for ends it first
    except concurrent.futures.TimeoutError:
        future.cancel()
        raise


def _loop_running_here() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


async def _group_send(layer, user_ids: list[int], message: dict, timeout: float) -> None:
    sends = (layer.group_send(user_group(i), message) for i in user_ids)
    await asyncio.wait_for(asyncio.gather(*sends), timeout=timeout)


class _Publisher:
    """One event loop per process, in a daemon thread, for sends from sync code (started on first
    use, and again in a forked child, which inherits no threads)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pid = 0

    def loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None or self._pid != os.getpid():
                loop = asyncio.new_event_loop()
                threading.Thread(target=loop.run_forever, name="live-publisher", daemon=True).start()
                self._loop, self._pid = loop, os.getpid()
            return self._loop

    def forget(self) -> None:
        """In a forked child: the parent's loop has no thread here, and a lock some other thread of
        the parent held at the fork would stay held forever."""
        self._lock = threading.Lock()
        self._loop, self._pid = None, 0


_publisher = _Publisher()


def _after_fork_in_child() -> None:
    global _lock
    _lock = threading.Lock()
    _publisher.forget()


os.register_at_fork(after_in_child=_after_fork_in_child)


# --- the system check (registered by instaclone.apps) ------------------------------------------


def check_live_layer(app_configs=None, **kwargs) -> list:
    """Live updates turned on in production with the in-memory layer reach almost nobody: the HTTP
    server, each socket server process and the task worker are separate processes, and only a
    shared layer (Redis) carries events between them."""
    from django.core import checks

    layer = settings.CHANNEL_LAYERS.get("default", {}).get("BACKEND", "")
    if settings.DEBUG or not settings.LIVE_UPDATES or not layer.endswith("InMemoryChannelLayer"):
        return []
    return [
        checks.Warning(
            "LIVE_UPDATES is on with the in-memory channel layer: events published by one process (the HTTP "
            "server, a task worker, another socket server worker) never reach the sockets of another.",
            hint="Set REDIS_URL (or CHANNEL_LAYER_URL) so that every process shares the Redis channel layer, "
            "or LIVE_UPDATES=0 (pages then poll the badges).",
            id="instaclone.W101",
        )
    ]
