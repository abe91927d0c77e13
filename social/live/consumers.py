"""The live WebSocket (`/ws/live/`, instaclone/asgi.py): one consumer per open page of a signed-in
person. It joins the person's group and forwards each event (instaclone.live.publish) as JSON;
events carry ids only, and the page fetches what changed through its ordinary (access-checked)
views.

Who may connect: asgi.py checks the Origin against ALLOWED_HOSTS and reads the session cookie's user
(Django's auth backend gives no user for a suspended or deactivated account, nor for a session
whose password hash is stale); here the session must also be within its idle timeout and lifetime
(accounts.middleware.session_expired), and a person holds at most LIVE_MAX_CONNECTIONS sockets per
process (the place is taken before the handshake's first wait, so concurrent handshakes cannot
overshoot it). Refused connections are refused at the handshake (the browser sees a failed
connection).

When the session ends: a logout, "sign out other sessions", a password change (the other
sessions), a suspension or an account deletion publishes a close message for those sessions
(instaclone.live.sessions_closed), and the consumer closes with code 4401, which tells live.js not
to reconnect. Whatever else ends a session (its idle timeout, a row deleted by hand) is found by the
socket's own check every LIVE_SESSION_RECHECK seconds (a timer: the page need not ping), which
reads the session as Django's auth would at its next request, without its writes. A session whose
row is gone closes with 4001 instead: its browser may hold it under a new key (a password changed in
another of its tabs), so the page reconnects and the handshake decides. The same check renews the
socket's group membership, which the layer forgets after its group_expiry (a day).

The client sends {"type": "ping"} every 25 s and is answered {"type": "pong"}: it keeps idle
proxies from dropping the connection and lets the page notice a dead one. A ping within PING_SPACING
of the last answered one gets no answer; anything else it sends is ignored; a frame over MAX_FRAME
bytes (the server's own cap: uvicorn --ws-max-size 4096) closes the socket with 1009, more than
FRAME_BUDGET frames a minute with 1008.

A channel layer that fails (Redis gone) ends every socket of the process with code 1012 (one
warning per process and outage, not a traceback per socket); so does a Redis that hangs or forgot
its groups (a restart), found by a round trip through the layer every LIVE_HEALTH_CHECK seconds
(`_LayerWatch`, one per process and event loop). The pages reconnect with back-off and catch up
(live:open) once it answers again. Every layer call of the handshake and the checks has a time
budget (`layer_budget()`: 2 s), so a hung Redis holds no handshake.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import time
import uuid

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings

from accounts.middleware import session_expired
from instaclone.live import session_tag, user_group

logger = logging.getLogger("social.live")

SIGNED_OUT = 4401  # the session ended: live.js stops reconnecting
SESSION_MOVED = 4001  # the session's row is gone (its key may have changed): live.js reconnects
LAYER_LOST = 1012  # "service restart": the channel layer failed; live.js reconnects with back-off
TOO_BIG = 1009  # a frame over MAX_FRAME
POLICY = 1008  # more than FRAME_BUDGET frames a minute
PONG = json.dumps({"type": "pong"})

MAX_FRAME = 4096  # bytes; live.js sends 15-byte pings
PING_SPACING = 5.0  # seconds; live.js pings every 25 s
FRAME_WINDOW = 60.0
FRAME_BUDGET = 30  # frames per FRAME_WINDOW; live.js sends 2-3

# Open sockets per person in this process (taken and given back without a wait in between).
_open: dict[int, int] = {}
_layer_down = False


class LiveConsumer(AsyncWebsocketConsumer):
    user_id: int | None = None
    _slot: int | None = None  # the person whose place this socket holds
    _joined = False
    _lost = False
    _ending = False
    _watch: asyncio.Task | None = None
    _layer_watch: _LayerWatch | None = None

    async def __call__(self, scope, receive, send):
        try:
            await super().__call__(scope, receive, send)
        finally:  # however the consumer ends (a server cancels it without a disconnect too)
            self._stop()

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
        if not self._take_slot(user.pk):  # no wait between the count and taking the place
            await self.close()
            return
        group = user_group(user.pk)
        try:
            await asyncio.wait_for(self.channel_layer.group_add(group, self.channel_name), layer_budget())
        except Exception as error:  # the layer is away or hung: refuse; the page retries with back-off
            _layer_failed(error)
            self._release_slot()
            await self.close()
            return
        _layer_answered()
        self._joined = True
        self.user_id, self.group, self.session_key, self.tag = user.pk, group, key, session_tag(key)
        self._window_started, self._frames, self._ponged_at = time.monotonic(), 0, float("-inf")
        await self.accept()
        self._watch = asyncio.ensure_future(self._check_periodically())
        self._layer_watch = _LayerWatch.register(self)

    async def disconnect(self, code):
        joined = self._joined and not self._lost and not _layer_down
        self._stop()
        if joined:
            try:
                await asyncio.wait_for(self.channel_layer.group_discard(self.group, self.channel_name), layer_budget())
            except Exception as error:  # the group entry expires by itself (group_expiry)
                _layer_failed(error)

    async def receive(self, text_data=None, bytes_data=None):
        if self.user_id is None or self._ending:
            return
        size = len(bytes_data) if bytes_data is not None else len((text_data or "").encode("utf-8", "replace"))
        if size > MAX_FRAME:
            await self._end(TOO_BIG)
            return
        now = time.monotonic()
        if now - self._window_started >= FRAME_WINDOW:
            self._window_started, self._frames = now, 0
        self._frames += 1
        if self._frames > FRAME_BUDGET:
            await self._end(POLICY)
            return
        if not text_data or len(text_data) > 100:
            return
        try:
            message = json.loads(text_data)
        except ValueError:
            return
        if not (isinstance(message, dict) and message.get("type") == "ping") or now - self._ponged_at < PING_SPACING:
            return
        self._ponged_at = now
        await self.send(text_data=PONG)

    # --- from the channel layer ---

    async def live_event(self, message):
        await self.send(text_data=json.dumps(message["event"]))

    async def live_close(self, message):
        sessions = message.get("sessions")
        if self.tag in (message.get("reconnect") or ()):
            await self._end(SESSION_MOVED)
        elif sessions is None or self.tag in sessions:
            await self._end(SIGNED_OUT)

    async def live_layer_lost(self, message):
        await self.layer_lost()

    async def layer_lost(self):
        self._lost = True
        await self._end(LAYER_LOST)

    # The channel layer's receive, guarded: Channels' consumer dies with a traceback when it raises
    # (Redis gone), once per socket. A property because AsyncConsumer.__call__ assigns it.
    @property
    def channel_receive(self):
        return self._guarded_receive

    @channel_receive.setter
    def channel_receive(self, receive):
        self._layer_receive = receive

    async def _guarded_receive(self):
        if self._lost:
            await asyncio.Event().wait()  # closing: nothing more to read (cancelled with the consumer)
        try:
            return await self._layer_receive()
        except Exception as error:
            _layer_failed(error)
            self._lost = True
            return {"type": "live.layer_lost"}

    # --- the socket's own checks ---

    async def _check_periodically(self):
        """Every LIVE_SESSION_RECHECK s (less a random fifth, so that sockets opened together do not
        check together; at most half the layer's group_expiry): the session, then the group."""
        while not self._ending:
            every = min(settings.LIVE_SESSION_RECHECK, getattr(self.channel_layer, "group_expiry", 86400) / 2)
            await asyncio.sleep(max(0.05, every * random.uniform(0.8, 1.0)))  # noqa: S311 - spreading, not security
            try:
                state = await database_sync_to_async(_session_state)(self.session_key, self.user_id)
            except Exception as error:  # the database is away: the next check tries again
                logger.info("Live connection: the session check failed (%s: %s).", type(error).__name__, error)
                state = VALID
            if state != VALID:
                await self._end(SIGNED_OUT if state == ENDED else SESSION_MOVED)
                return
            try:
                await asyncio.wait_for(self.channel_layer.group_add(self.group, self.channel_name), layer_budget())
            except Exception as error:
                _layer_failed(error)
                await self.layer_lost()
                return

    # --- ending ---

    async def _end(self, code: int) -> None:
        """Close this socket (once) with `code`, its checks stopped."""
        if self._ending:
            return
        self._ending = True
        self._stop_checks()
        await self.close(code=code)

    def _stop_checks(self) -> None:
        if self._watch is not None and self._watch is not asyncio.current_task():
            self._watch.cancel()
        self._watch = None
        if self._layer_watch is not None:
            self._layer_watch.unregister(self)
            self._layer_watch = None

    def _stop(self) -> None:
        self._ending = True
        self._stop_checks()
        self._release_slot()

    def _take_slot(self, user_id: int) -> bool:
        if _open.get(user_id, 0) >= settings.LIVE_MAX_CONNECTIONS:
            return False
        _open[user_id] = _open.get(user_id, 0) + 1
        self._slot = user_id
        return True

    def _release_slot(self) -> None:
        user_id, self._slot = self._slot, None
        if user_id is None:
            return
        left = _open.get(user_id, 1) - 1
        if left > 0:
            _open[user_id] = left
        else:
            _open.pop(user_id, None)


class _LayerWatch:
    """The health check of one channel layer in one event loop (one per socket process): every
    LIVE_HEALTH_CHECK s a message to a group of its own must come back through the layer within
    `layer_budget()`. When it does not (Redis down, hung, or restarted and so without its groups),
    every socket it watches closes with 1012: their pages reconnect with back-off and catch up,
    instead of staying open and deaf. Runs while it watches a socket."""

    _watches: dict[tuple[int, int], _LayerWatch] = {}

    def __init__(self, layer, key):
        self.layer, self.key = layer, key
        self.consumers: set[LiveConsumer] = set()
        self.group = f"live.health.{uuid.uuid4().hex}"
        self.channel: str | None = None
        self.joined = False
        self.sent = 0
        self.task = asyncio.ensure_future(self._run())

    @classmethod
    def register(cls, consumer: LiveConsumer) -> _LayerWatch:
        key = (id(asyncio.get_running_loop()), id(consumer.channel_layer))
        watch = cls._watches.get(key)
        if watch is None or watch.task.done():
            watch = cls._watches[key] = cls(consumer.channel_layer, key)
        watch.consumers.add(consumer)
        return watch

    def unregister(self, consumer: LiveConsumer) -> None:
        self.consumers.discard(consumer)

    async def _run(self) -> None:
        try:
            while self.consumers:
                await asyncio.sleep(max(0.05, settings.LIVE_HEALTH_CHECK))
                if not self.consumers:
                    break
                try:
                    await asyncio.wait_for(self._round_trip(), layer_budget())
                except Exception as error:
                    _layer_failed(error)
                    self.joined = False
                    consumers, self.consumers = list(self.consumers), set()
                    await asyncio.gather(*(c.layer_lost() for c in consumers), return_exceptions=True)
                else:
                    _layer_answered()
        finally:
            if self._watches.get(self.key) is self:
                del self._watches[self.key]

    async def _round_trip(self) -> None:
        if self.channel is None:
            self.channel = await self.layer.new_channel()
        if not self.joined:
            await self.layer.group_add(self.group, self.channel)
            self.joined = True
        self.sent += 1
        # Sent before joining again: a Redis that forgot its groups (restarted, flushed) fails here,
        # as every socket's membership went with them.
        await self.layer.group_send(self.group, {"type": "live.health", "n": self.sent})
        while (await self.layer.receive(self.channel)).get("n") != self.sent:
            pass  # a late answer to an earlier check
        await self.layer.group_add(self.group, self.channel)  # renewed (group_expiry)


def layer_budget() -> float:
    """Seconds a socket's call to the channel layer may take (joining, leaving, the health check):
    four publishes' worth, at least 2 s. Longer than a publish's LIVE_TIMEOUT, because the wait
    includes the event loop's own delay: a burst of handshakes (every page of a restarted server
    reconnecting) must not read as Redis failing."""
    return max(2.0, 4 * settings.LIVE_TIMEOUT)


VALID, ENDED, MOVED = "valid", "ended", "moved"


def _session_state(session_key: str, user_id: int) -> str:
    """What Django's auth would decide about this session at its next request (VALID, or ENDED:
    another person, inactive, a stale password hash, past its lifetimes; MOVED: no such session —
    it ended, or its browser holds it under a new key), read without its writes: `auth.get_user`
    deletes a session with a stale hash and moves one that matches only an old SECRET_KEY to a new
    key, which from here would sign the person out of their browser."""
    from importlib import import_module

    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, load_backend
    from django.utils.crypto import constant_time_compare

    data = import_module(settings.SESSION_ENGINE).SessionStore(session_key=session_key).load()  # one SELECT
    if not data:
        return MOVED
    backend_path = data.get(BACKEND_SESSION_KEY)
    if str(data.get(SESSION_KEY)) != str(user_id) or backend_path not in settings.AUTHENTICATION_BACKENDS:
        return ENDED
    user = load_backend(backend_path).get_user(user_id)
    if user is None or not user.is_active:
        return ENDED
    stored = data.get(HASH_SESSION_KEY) or ""
    hashes = [user.get_session_auth_hash(), *user.get_session_auth_fallback_hash()]
    if not (stored and any(constant_time_compare(stored, h) for h in hashes)):
        return ENDED
    return ENDED if session_expired(data) else VALID


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
