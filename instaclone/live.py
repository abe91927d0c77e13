"""Live updates, the publishing side (issue 16): tell a person's open pages that something changed.

Services call ``publish(user_ids, event)`` inside their transaction; the event is sent after the
commit (never for a rolled-back write) to each person's group on the channel layer (Redis between
app processes, in memory for the single process of ``scripts/run.sh``), where the WebSocket
consumer (``social.live``) forwards it to the browser as JSON. An event is a small dict with a
``type`` ("message", "seen", "badge", ...) and ids only — never content: the page fetches what
changed through its ordinary views, which apply the visibility rule, so an event can neither leak
nor be trusted.

Live updates are best effort by design: a page catches up from the database when its connection
(re)opens, so an event lost to a Redis outage costs a delay, never a message. Publishing therefore
never fails or slows a request: each send has a time budget (``LIVE_TIMEOUT``), and after a failure
the process stops publishing for ``LIVE_BACKOFF`` seconds (one warning per outage), like
``instaclone.cache``. Hand-written (small) because Channels has no such guard and ``group_send``
against a hung Redis waits for its socket timeout.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Iterable

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import transaction

logger = logging.getLogger("instaclone.live")

# The message type the consumer handles (Channels maps "live.event" to its `live_event` method).
CONSUMER_TYPE = "live.event"

_lock = threading.Lock()
_down_until = 0.0


def user_group(user_id: int) -> str:
    """The channel-layer group of one person's open pages."""
    return f"user.{user_id}"


def publish(user_ids: Iterable[int], event: dict, *, using: str | None = None) -> None:
    """Send ``event`` to the open pages of ``user_ids`` once the current transaction commits."""
    ids = sorted({int(i) for i in user_ids})
    if not ids:
        return
    transaction.on_commit(lambda: send_now(ids, event), using=using)


def send_now(user_ids: list[int], event: dict) -> bool:
    """Send at once (outside any transaction); False when the layer is away or too slow."""
    global _down_until
    if time.monotonic() < _down_until:
        return False
    try:
        async_to_sync(_send)(user_ids, event)
    except Exception as error:  # any failure of the layer: the page will catch up on reconnect
        with _lock:
            first = time.monotonic() >= _down_until
            _down_until = time.monotonic() + settings.LIVE_BACKOFF
        if first:
            logger.warning("Live updates paused for %ss: the channel layer failed (%r)", settings.LIVE_BACKOFF, error)
        return False
    return True


async def _send(user_ids: list[int], event: dict) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    message = {"type": CONSUMER_TYPE, "event": event}
    await asyncio.wait_for(
        asyncio.gather(*(layer.group_send(user_group(i), message) for i in user_ids)), timeout=settings.LIVE_TIMEOUT
    )
