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
server's check of every socket every LIVE_SESSION_RECHECK seconds (`_ProcessWatch`: the page need
not ping), which reads the session as Django's auth would at its next request, without its writes.
A session whose row is gone closes with 4001 instead: its browser may hold it under a new key (a
password changed in another of its tabs), so the page reconnects and the handshake decides. The
same check renews the socket's group membership, which the layer forgets after its group_expiry.

The client sends {"type": "ping"} every 25 s and is answered {"type": "pong"}: it keeps idle
proxies from dropping the connection and lets the page notice a dead one. A ping within PING_SPACING
of the last answered one gets no answer; anything else it sends is ignored; a frame over MAX_FRAME
bytes (the server's own cap: uvicorn --ws-max-size 4096) closes the socket with 4009, more than
FRAME_BUDGET frames a minute with 4008.

A channel layer that fails (Redis gone) ends every socket of the process with code 4012 (one
warning per process and outage, not a traceback per socket); so does a Redis that hangs or forgot
its groups (a restart), found by a round trip through the layer to one of its sockets every
LIVE_HEALTH_CHECK seconds (`_ProcessWatch`). The pages reconnect with back-off and catch up
(live:open) once it answers again. Every layer call of a socket has a time budget
(LIVE_LAYER_TIMEOUT, 5 s), so a hung Redis holds no handshake.
"""

from __future__ import annotations

import asyncio
import contextlib
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
# The protocol's own codes (1012 "service restart", 1009 "too big", 1008 "policy") mirrored in the
# private range: daphne (runserver) lets an application close only with 1000 or 3000-4999.
LAYER_LOST = 4012  # the channel layer failed; live.js reconnects with back-off
TOO_BIG = 4009  # a frame over MAX_FRAME
POLICY = 4008  # more than FRAME_BUDGET frames a minute
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
    _watch: _ProcessWatch | None = None
    _next_check = 0.0  # when _ProcessWatch checks this socket's session and group next (monotonic)

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
            await asyncio.wait_for(self.channel_layer.group_add(group, self.channel_name), settings.LIVE_LAYER_TIMEOUT)
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
        self._watch = _ProcessWatch.register(self)

    async def disconnect(self, code):
        joined = self._joined and not self._lost and not _layer_down
        self._stop()
        if joined:
            # A slow or failed leave (thousands of pages closing at once) is no outage to report:
            # the group entry expires by itself (group_expiry).
            with contextlib.suppress(Exception):
                leave = self.channel_layer.group_discard(self.group, self.channel_name)
                await asyncio.wait_for(leave, settings.LIVE_LAYER_TIMEOUT)

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

    async def live_health(self, message):
        """The process's health check came through (other processes' checks reach this person's
        sockets there too, and are not this process's to answer)."""
        if self._watch is not None:
            self._watch.answered(message.get("watch"), message.get("n"))

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

    # --- ending ---

    async def _end(self, code: int) -> None:
        """Close this socket (once) with `code`, its checks stopped."""
        if self._ending:
            return
        self._ending = True
        self._stop_checks()
        await self.close(code=code)

    def _stop_checks(self) -> None:
        if self._watch is not None:
            self._watch.unregister(self)
            self._watch = None

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


class _ProcessWatch:
    """What keeps the open sockets of one process (one event loop and channel layer) honest, in one
    task instead of a task per socket:

    - each socket's session is checked again every LIVE_SESSION_RECHECK s (less a random fifth,
      so that sockets opened together spread out; at most half the layer's group_expiry), and its
      group joined again (the layer forgets a member after group_expiry). The sockets due are
      checked in batches, two queries for up to CHECK_BATCH of them (`_sessions_state`), in a
      thread of their own: per socket, 10,000 of them meant 33 queries a second and a queue in
      the one thread Channels does its per-message database clean-up in (bench/live.py);
    - every LIVE_HEALTH_CHECK s a message sent to the group of one of its sockets (picked at
      random) must reach that socket within LIVE_LAYER_TIMEOUT: the whole path of an event (Redis
      answering, the socket still in its group, the process's receive loop). When it does not
      twice in a row (Redis down, hung, or restarted and so without its groups), every socket
      closes with 4012: their pages reconnect with back-off and catch up, instead of staying open
      and deaf. Twice, because closing every socket of a process makes every page reconnect at
      once: a loop merely busy for a moment, or the picked socket closing just then, must not
      read as a failed Redis. Through the sockets' own receive, not a channel of its own: a
      second receiver on the layer slowed the closing of 10,000 sockets past daphne's limit.

    Runs while it watches a socket."""

    CHECK_BATCH = 500
    _watches: dict[tuple[int, int], _ProcessWatch] = {}

    def __init__(self, key, layer):
        self.key, self.layer = key, layer
        self.consumers: set[LiveConsumer] = set()
        self.token = uuid.uuid4().hex
        self.sent = 0
        self.failures = 0
        self.answer: asyncio.Future | None = None
        self.health: asyncio.Task | None = None
        self.task = asyncio.ensure_future(self._run())

    @classmethod
    def register(cls, consumer: LiveConsumer) -> _ProcessWatch:
        key = (id(asyncio.get_running_loop()), id(consumer.channel_layer))
        watch = cls._watches.get(key)
        if watch is None or watch.task.done():
            watch = cls._watches[key] = cls(key, consumer.channel_layer)
        consumer._next_check = time.monotonic() + watch.check_every()
        watch.consumers.add(consumer)
        return watch

    def unregister(self, consumer: LiveConsumer) -> None:
        self.consumers.discard(consumer)

    def check_every(self) -> float:
        every = min(settings.LIVE_SESSION_RECHECK, getattr(self.layer, "group_expiry", 86400) / 2)
        return max(0.05, every * random.uniform(0.8, 1.0))  # noqa: S311 - spreading, not security

    async def _run(self) -> None:
        try:
            next_health = time.monotonic() + settings.LIVE_HEALTH_CHECK
            while self.consumers:
                tick = min(1.0, settings.LIVE_HEALTH_CHECK, settings.LIVE_SESSION_RECHECK / 4)
                await asyncio.sleep(max(0.05, tick))
                now = time.monotonic()
                if now >= next_health and (self.health is None or self.health.done()):
                    next_health = now + settings.LIVE_HEALTH_CHECK
                    self.health = asyncio.ensure_future(self._check_layer())
                due = [c for c in self.consumers if c._next_check <= now]
                for start in range(0, len(due), self.CHECK_BATCH):
                    await self._check_sockets(due[start : start + self.CHECK_BATCH])
        finally:
            if self.health is not None:
                self.health.cancel()
            if self._watches.get(self.key) is self:
                del self._watches[self.key]

    # --- the sockets' sessions and groups ---

    async def _check_sockets(self, consumers: list[LiveConsumer]) -> None:
        for consumer in consumers:
            consumer._next_check = time.monotonic() + self.check_every()
        check = database_sync_to_async(_sessions_state_then_close, thread_sensitive=False)
        try:
            states = await check([(c.session_key, c.user_id) for c in consumers])
        except Exception as error:  # the database is away: the next round tries again
            logger.info("Live connections: the session check failed (%s: %s).", type(error).__name__, error)
            return
        ending, renewing = [], []
        for consumer in consumers:
            state = states.get(consumer.session_key, MOVED)
            if state == VALID:
                renewing.append(consumer)
            else:
                ending.append(consumer._end(SIGNED_OUT if state == ENDED else SESSION_MOVED))
        await asyncio.gather(*ending, return_exceptions=True)
        renewals = [
            asyncio.wait_for(c.channel_layer.group_add(c.group, c.channel_name), settings.LIVE_LAYER_TIMEOUT)
            for c in renewing
        ]
        for consumer, outcome in zip(renewing, await asyncio.gather(*renewals, return_exceptions=True), strict=True):
            if isinstance(outcome, Exception):
                _layer_failed(outcome)
                await consumer.layer_lost()

    # --- the layer's health ---

    def answered(self, token, n) -> None:
        if token == self.token and n == self.sent and self.answer is not None and not self.answer.done():
            self.answer.set_result(True)

    async def _check_layer(self) -> None:
        if not self.consumers:
            return
        try:
            await asyncio.wait_for(self._round_trip(), settings.LIVE_LAYER_TIMEOUT)
        except Exception as error:
            self.failures += 1
            if self.failures < 2:
                return
            _layer_failed(error)
            self.failures = 0
            consumers, self.consumers = list(self.consumers), set()
            await asyncio.gather(*(c.layer_lost() for c in consumers), return_exceptions=True)
        else:
            self.failures = 0
            _layer_answered()

    async def _round_trip(self) -> None:
        consumer = random.choice(tuple(self.consumers))  # noqa: S311 - a sample, not security
        self.sent += 1
        self.answer = asyncio.get_running_loop().create_future()
        message = {"type": "live.health", "watch": self.token, "n": self.sent}
        await consumer.channel_layer.group_send(consumer.group, message)
        await self.answer


VALID, ENDED, MOVED = "valid", "ended", "moved"  # what _sessions_state finds


def _sessions_state(sockets: list[tuple[str, int]]) -> dict[str, str]:
    """{session key: state} for (session key, user id) pairs, in two queries: what Django's auth
    would decide about each session at its next request (VALID, or ENDED: another person, inactive,
    a stale password hash, past its lifetimes; MOVED: no such session — it ended, or its browser
    holds it under a new key), read without its writes: `auth.get_user` deletes a session with a
    stale hash and moves one that matches only an old SECRET_KEY to a new key, which from here would
    sign the person out of their browser. Users are loaded as ModelBackend.get_user does (both
    configured backends do it that way)."""
    from importlib import import_module

    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.utils import timezone
    from django.utils.crypto import constant_time_compare

    store = import_module(settings.SESSION_ENGINE).SessionStore
    rows = store.get_model_class().objects.filter(  # 1. the sessions still stored and unexpired
        session_key__in=[key for key, _ in sockets], expire_date__gt=timezone.now()
    ).values_list("session_key", "session_data")
    data = {key: store().decode(encoded) for key, encoded in rows}
    users = get_user_model()._default_manager.in_bulk({user_id for _, user_id in sockets})  # 2. their people
    states = {}
    for key, user_id in sockets:
        session = data.get(key)
        if not session:
            states[key] = MOVED
            continue
        user = users.get(user_id)
        stored = session.get(HASH_SESSION_KEY) or ""
        valid = (
            str(session.get(SESSION_KEY)) == str(user_id)
            and session.get(BACKEND_SESSION_KEY) in settings.AUTHENTICATION_BACKENDS
            and user is not None
            and user.is_active
            and bool(stored)
            and any(
                constant_time_compare(stored, h)
                for h in (user.get_session_auth_hash(), *user.get_session_auth_fallback_hash())
            )
            and not session_expired(session)
        )
        states[key] = VALID if valid else ENDED
    return states


def _sessions_state_then_close(sockets: list[tuple[str, int]]) -> dict[str, str]:
    """_sessions_state in a thread of the pool, whose connection is closed after: a round comes at
    most once a second, and a connection kept in a pool thread outlives everything that could close
    it (CONN_MAX_AGE is honoured only at a request's end)."""
    from django.db import connections

    try:
        return _sessions_state(sockets)
    finally:
        connections.close_all()


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
