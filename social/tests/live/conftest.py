"""Fixtures of the live-update tests: sockets through the real ASGI application (Origin check, the
session cookie's user, the consumer) on the in-memory channel layer or a Redis of the test's own,
and an in-process ASGI server for browser tests.

The in-process server is uvicorn in a thread, because pytest-django's live_server speaks WSGI only
(no WebSocket) and a server in another process could not see SQLite's in-memory test database;
the server thread's requests open their own connections to it (Django names it with
`mode=memory&cache=shared`), which sees what a `transaction=True` test committed."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.conf import settings
from django.db import connections
from django.test import Client

from instaclone.testing import DEFAULT_PASSWORD, free_port

ORIGIN = "http://127.0.0.1"
WS_MAX_SIZE = 4096  # uvicorn --ws-max-size, as in production (README)


def run(scenario, timeout: float = 60):
    """Run an async test body in one event loop, in a thread of its own (the test's thread may
    already run Playwright's loop); sync code inside it goes through `sync_to_async`, which runs it
    in that thread, whose database connections are closed at the end."""
    outcome = {}

    def body():
        try:
            outcome["value"] = async_to_sync(scenario)()
        except BaseException as error:  # handed to the test's thread
            outcome["error"] = error
        finally:
            connections.close_all()

    thread = threading.Thread(target=body, name="live-test-scenario")
    thread.start()
    thread.join(timeout)
    assert not thread.is_alive(), f"the scenario did not finish within {timeout} s"
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


def signed_in_client(username: str) -> Client:
    """A browser's session: signed in through the real login form (allauth records the session)."""
    client = Client()
    response = client.post("/accounts/login/", {"login": username, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302, response.content[:500]
    return client


def cookie_of(client: Client | None) -> str | None:
    if client is None:
        return None
    return client.cookies[settings.SESSION_COOKIE_NAME].value


async def open_socket(session_cookie: str | None, *, origin: str | None = ORIGIN, path: str = "/ws/live/"):
    """(connected, communicator) for a WebSocket to the site's ASGI application."""
    from channels.testing import WebsocketCommunicator

    from instaclone.asgi import application

    headers = []
    if origin is not None:
        headers.append((b"origin", origin.encode()))
    if session_cookie is not None:
        headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={session_cookie}".encode()))
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, _ = await communicator.connect(timeout=5)
    return connected, communicator


async def closed_with(communicator, timeout: float = 3) -> int | None:
    """The close code the server sent next (None if it sent something else)."""
    output = await communicator.receive_output(timeout)
    return output.get("code") if output["type"] == "websocket.close" else None


@pytest.fixture
def sync():
    return sync_to_async


@pytest.fixture
def redis_layer(settings, redis_server, request):
    """The channel layer on this test's own redis-server (instaclone.testing.RedisServer), under a
    prefix of its own; the publisher's outage memory starts clean."""
    from instaclone import live

    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [redis_server.url], "prefix": f"live-test-{request.node.name[:40]}", "expiry": 10},
        }
    }
    settings.LIVE_BACKOFF = 0.5
    settings.LIVE_LAYER_TIMEOUT = 1  # a hung Redis found sooner (production: 5 s)
    live._down, live._down_until = False, 0.0
    yield redis_server
    live._down, live._down_until = False, 0.0


# --- the in-process ASGI server ------------------------------------------------------------------


class AsgiServer:
    """The site's ASGI application (HTTP, static files and the live socket) served by uvicorn in a
    thread of the test process; `url` is what pytest-django's live_server.url is."""

    def __init__(self):
        import uvicorn
        from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

        from instaclone.asgi import application

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            ASGIStaticFilesHandler(application), host="127.0.0.1", port=self.port, log_level="warning",
            lifespan="off", ws_ping_interval=None, ws_max_size=WS_MAX_SIZE,
        )
        self.server = uvicorn.Server(config)
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self._run, name="asgi-test-server", daemon=True)

    def _run(self):
        asyncio.set_event_loop(self.loop)
        self.loop.run_until_complete(self.server.serve())

    def start(self) -> AsgiServer:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test ASGI server did not start")
            time.sleep(0.02)
        return self

    def publish(self, user_ids, event) -> None:
        """Send a live event as instaclone.live does, from the server's own loop (the in-memory
        layer's queues belong to it; the site's requests publish from there too)."""
        from instaclone import live

        self.send_to_consumers(user_ids, {"type": live.CONSUMER_TYPE, "event": live.check_event(event)})

    def send_to_consumers(self, user_ids, message: dict) -> None:
        """A channel-layer message to these people's consumers (e.g. {"type": "live.layer_lost"})."""
        from instaclone import live

        future = asyncio.run_coroutine_threadsafe(live._group_send(_layer(), list(user_ids), message, 5), self.loop)
        future.result(10)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)


def _layer():
    from channels.layers import get_channel_layer

    return get_channel_layer()


@pytest.fixture
def asgi_server(transactional_db, settings, monkeypatch):
    from django.db.backends.signals import connection_created

    settings.LIVE_UPDATES = True
    # Each ASGI request runs in a thread of its own: a persistent connection would outlive it (and
    # keep PostgreSQL from dropping the test database). Django's advice for ASGI: no persistence.
    monkeypatch.setitem(connections.settings["default"], "CONN_MAX_AGE", 0)
    # SQLite's shared-cache memory database locks whole tables, and a writer meeting a reader's lock
    # fails at once ("database table is locked": no busy wait in that mode), e.g. the test sending a
    # message while the page refetches its badges. Readers that take no table locks, as in WAL.
    connection_created.connect(_read_without_table_locks, dispatch_uid="live-tests-sqlite")
    for connection in connections.all(initialized_only=True):
        _read_without_table_locks(None, connection)
    server = AsgiServer().start()
    yield server
    server.stop()
    connection_created.disconnect(dispatch_uid="live-tests-sqlite")


def _read_without_table_locks(sender, connection, **kwargs):
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA read_uncommitted = true")
