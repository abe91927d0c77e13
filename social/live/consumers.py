"""The live WebSocket (`/ws/live/`, instaclone/asgi.py): one consumer per open page of a signed-in
person. It joins the person's group and forwards each event (instaclone.live.publish) as JSON;
events carry ids only, and the page fetches what changed through its ordinary (access-checked)
views.

Who may connect: asgi.py checks the Origin against ALLOWED_HOSTS and reads the session cookie's user
(Django's auth backend gives no user for a suspended or deactivated account, nor for a session
whose password hash is stale); here the session must also be within its idle timeout and lifetime
(accounts.middleware.session_expired), and a person holds at most LIVE_MAX_CONNECTIONS sockets per
process. Refused connections are refused at the handshake (the browser sees a failed connection).

When the session ends: a logout, "sign out other sessions", a suspension or an account deletion
publishes a close message for those sessions (instaclone.live.sessions_closed), and the consumer
closes with code 4401, which tells live.js not to reconnect. Whatever else ends a session (its idle
timeout, a password changed elsewhere) is found when the socket re-reads its session, at a ping
after LIVE_SESSION_RECHECK seconds.

The client sends {"type": "ping"} every 25 s and is answered {"type": "pong"}: it keeps idle
proxies from dropping the connection and lets the page notice a dead one. Anything else it sends
is ignored.

A channel layer that fails (Redis gone) ends every socket of the process with code 1012 (one
warning per process and outage, not a traceback per socket); the pages reconnect with back-off and
catch up once it answers again.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from types import SimpleNamespace

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings

from accounts.middleware import session_expired
from instaclone.live import session_tag, user_group

logger = logging.getLogger("social.live")

SIGNED_OUT = 4401  # the session ended: live.js stops reconnecting
LAYER_LOST = 1012  # "service restart": the channel layer failed; live.js reconnects with back-off
PONG = json.dumps({"type": "pong"})

# Open sockets per person in this process (one event loop: no lock needed).
_open: dict[int, int] = {}
_layer_down = False


class LiveConsumer(AsyncWebsocketConsumer):
    user_id: int | None = None

    async def connect(self):
        user = self.scope.get("user")
        session = self.scope.get("session")
        if user is None or not user.is_authenticated or not user.is_active or not session:
            await self.close()
            return
        key = session.session_key
        if not key or await database_sync_to_async(session_expired)(session):
            await self.close()
            return
        if _open.get(user.pk, 0) >= settings.LIVE_MAX_CONNECTIONS:
            await self.close()
            return
        try:
            await self.channel_layer.group_add(user_group(user.pk), self.channel_name)
        except Exception as error:  # the layer is away: refuse; the page retries with back-off
            _layer_failed(error)
            await self.close()
            return
        _layer_answered()
        _open[user.pk] = _open.get(user.pk, 0) + 1
        self.user_id, self.session_key, self.tag = user.pk, key, session_tag(key)
        self.checked_at = time.monotonic()
        await self.accept()

    async def disconnect(self, code):
        if self.user_id is None:
            return
        left = _open.get(self.user_id, 1) - 1
        if left > 0:
            _open[self.user_id] = left
        else:
            _open.pop(self.user_id, None)
        user_id, self.user_id = self.user_id, None
        if not getattr(self, "_lost", False):
            try:
                await self.channel_layer.group_discard(user_group(user_id), self.channel_name)
            except Exception as error:  # the group entry expires by itself (group_expiry)
                _layer_failed(error)

    async def receive(self, text_data=None, bytes_data=None):
        if self.user_id is None or not text_data or len(text_data) > 100:
            return
        try:
            message = json.loads(text_data)
        except ValueError:
            return
        if not (isinstance(message, dict) and message.get("type") == "ping"):
            return
        if time.monotonic() - self.checked_at >= settings.LIVE_SESSION_RECHECK:
            self.checked_at = time.monotonic()
            if not await database_sync_to_async(_session_still_valid)(self.session_key, self.user_id):
                await self.close(code=SIGNED_OUT)
                return
        await self.send(text_data=PONG)

    # --- from the channel layer ---

    async def live_event(self, message):
        await self.send(text_data=json.dumps(message["event"]))

    async def live_close(self, message):
        sessions = message.get("sessions")
        if sessions is None or self.tag in sessions:
            await self.close(code=SIGNED_OUT)

    async def live_layer_lost(self, message):
        await self.close(code=LAYER_LOST)

    # The channel layer's receive, guarded: Channels' consumer dies with a traceback when it raises
    # (Redis gone), once per socket. A property because AsyncConsumer.__call__ assigns it.
    @property
    def channel_receive(self):
        return self._guarded_receive

    @channel_receive.setter
    def channel_receive(self, receive):
        self._layer_receive = receive

    async def _guarded_receive(self):
        if getattr(self, "_lost", False):
            await asyncio.Event().wait()  # closing: nothing more to read (cancelled with the consumer)
        try:
            return await self._layer_receive()
        except Exception as error:
            _layer_failed(error)
            self._lost = True
            return {"type": "live.layer_lost"}


def _session_still_valid(session_key: str, user_id: int) -> bool:
    """The session still exists and signs in the same active person, within its lifetimes (what
    Django's auth would decide at this session's next request)."""
    from importlib import import_module

    from django.contrib.auth import get_user

    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key=session_key)
    user = get_user(SimpleNamespace(session=store))
    return user.is_authenticated and user.pk == user_id and user.is_active and not session_expired(store)


def _layer_failed(error: Exception) -> None:
    global _layer_down
    if not _layer_down:
        _layer_down = True
        logger.warning("Live connections closed: the channel layer failed (%s: %s).", type(error).__name__, error)


def _layer_answered() -> None:
    global _layer_down
    if _layer_down:
        _layer_down = False
        logger.info("Live connections: the channel layer answers again.")
