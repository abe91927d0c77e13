"""The issue's core: live updates across app processes. Two real ASGI server processes (the
production command, docs in README "Production") on one PostgreSQL database (this test's, its rows
committed: transaction=True) and one Redis channel layer (database 15, a prefix of this test's own).
Alice's browser talks to process A, Bob's to process B:

- a message Alice sends on A appears in Bob's open conversation on B within 2 seconds of the send
  (timed in the browser: Alice's submit to the moment Bob's list gets it), without a reload;
- Bob's "Seen" reaches Alice;
- Bob's connection is cut (process B killed), Alice sends two more, B comes back on the same port:
  Bob's page reconnects by itself and shows both, in order, once each, still without a reload.

Skipped, with the reason, on SQLite (a second process cannot share the in-memory test database)
and when no Redis answers (REDIS_URL, default 127.0.0.1:6379)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.db import connection

from accounts.tests.factories import DEFAULT_PASSWORD, FollowFactory
from instaclone.testing import free_port
from social.messages.services import conversation_create

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[3]
SERVER_START_TIMEOUT = 90  # generous: two Django processes starting on a loaded CI machine
DELIVERY_LIMIT = 2.0  # the "within a second or two", from the send

# The browser side of the measurement: when Alice's form is submitted, and when each message
# reaches Bob's list (a MutationObserver), on the one clock the two pages share.
WATCH = """
window.__arrived = {};
window.__reloaded = false;
document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("message-form");
  if (form) form.addEventListener("submit", function () { window.__sentAt = Date.now(); }, true);
  document.body.addEventListener("htmx:beforeRequest", function (e) {
    if (e.detail.elt && e.detail.elt.id === "message-form") window.__sentAt = window.__sentAt || Date.now();
  });
  var list = document.getElementById("message-list");
  if (!list) return;
  new MutationObserver(function () {
    list.querySelectorAll("li[data-message-id]").forEach(function (li) {
      if (!(li.dataset.messageId in window.__arrived)) window.__arrived[li.dataset.messageId] = Date.now();
    });
  }).observe(list, {childList: true});
  list.querySelectorAll("li[data-message-id]").forEach(function (li) { window.__arrived[li.dataset.messageId] = 0; });
});
"""


def _redis_url() -> str | None:
    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15"
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), timeout=1) as s:
            s.sendall(b"PING\r\n")
            if not s.recv(16).startswith(b"+PONG"):
                return None
    except OSError:
        return None
    # the suite's Redis database (REDIS_TEST_DB, 15), whatever REDIS_URL says
    return parts._replace(path=f"/{os.environ.get('REDIS_TEST_DB', '15')}").geturl()


class AppProcess:
    """One app server process: `uvicorn instaclone.asgi:application` (the production command)."""

    def __init__(self, name: str, env: dict, tmp_path: Path):
        self.name, self.env, self.port = name, env, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = tmp_path / f"app-{name}.log"
        self.process = None

    def start(self) -> AppProcess:
        log = open(self.log_path, "a")  # noqa: SIM115 - closed with the process
        self.process = subprocess.Popen(  # noqa: S603 - our own server command
            [sys.executable, "-m", "uvicorn", "instaclone.asgi:application", "--host", "127.0.0.1",
             "--port", str(self.port), "--ws-max-size", "4096", "--log-level", "warning"],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"app process {self.name} exited:\n{self.log_path.read_text()[-3000:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return self
            except OSError:
                time.sleep(0.2)
        raise AssertionError(f"app process {self.name} did not listen within {SERVER_START_TIMEOUT} s")

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)


@pytest.fixture
def app_processes(tmp_path, transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("two app processes need one shared database: run on PostgreSQL (DATABASE_URL), not SQLite's in-memory test database")
    redis_url = _redis_url()
    if redis_url is None:
        pytest.skip("two app processes need the Redis channel layer: no Redis answered at REDIS_URL (default 127.0.0.1:6379)")
    db = connection.settings_dict
    database_url = f"postgres://{db['USER']}{':' + db['PASSWORD'] if db.get('PASSWORD') else ''}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    run = uuid.uuid4().hex[:10]
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL", "CHANNEL_LAYER"))}
    env = {
        **keep, "DATABASE_URL": database_url, "DB_CONN_MAX_AGE": "0", "REDIS_URL": redis_url,
        "CACHE_KEY_PREFIX": f"live-2p-{run}", "CHANNEL_LAYER_URL": redis_url, "CHANNEL_LAYER_PREFIX": f"live-2p-{run}:",
        "MEDIA_ROOT": str(tmp_path / "media"), "TASKS_BACKEND": "db", "PYTHONUNBUFFERED": "1", "DEBUG": "1",
    }
    processes = [AppProcess("A", env, tmp_path), AppProcess("B", env, tmp_path)]
    try:
        for process in processes:
            process.start()
        yield processes
    finally:
        for process in processes:
            process.kill()
        _delete_keys(redis_url, f"live-2p-{run}")


def _delete_keys(redis_url: str, prefix: str) -> None:
    """This test's keys only (the channel layer's groups and the cache), never the whole database."""
    import redis

    client = redis.Redis.from_url(redis_url, socket_timeout=2)
    keys = list(client.scan_iter(match=f"{prefix}*", count=500))
    if keys:
        client.unlink(*keys)


def _open_conversation(_browser, server, username, conversation_id):
    from conftest import browser_login

    context = _browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(20_000)
    context.add_init_script(WATCH)
    page = context.new_page()
    browser_login(page, server, username)
    page.goto(f"{server.url}/direct/t/{conversation_id}/")
    page.evaluate("window.__marker = 'never reloaded'")
    page.wait_for_function("() => document.body.dataset.liveState === 'open'", timeout=30_000)
    return page


def _texts(page) -> list[str]:
    return page.locator("#message-list li[data-message-id] .dm__bubble").all_inner_texts()


def _send(page, text: str) -> None:
    page.evaluate("window.__sentAt = 0")
    page.fill("#message-form textarea[name=text]", text)
    page.locator("#message-form button[type=submit]").click()


def test_a_message_sent_on_process_a_appears_live_on_process_b_and_nothing_is_missed(
    _browser, app_processes, alice, bob, settings
):
    a, b = app_processes
    # the app processes verify passwords with the site's hashers, not the suite's fast MD5
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    for person in (alice, bob):
        person.set_password(DEFAULT_PASSWORD)
        person.save(update_fields=["password"])
    FollowFactory(follower=alice, followee=bob)
    FollowFactory(follower=bob, followee=alice)
    conversation, _ = conversation_create(sender=alice, recipients=[bob], text="first")

    alice_page = _open_conversation(_browser, a, "alice", conversation.pk)
    bob_page = _open_conversation(_browser, b, "bob", conversation.pk)
    assert _texts(bob_page) == ["first"]

    # 1. live across processes, within 2 s of the send
    _send(alice_page, "hello from A")
    bubble = bob_page.locator("#message-list li[data-message-id] .dm__bubble", has_text="hello from A")
    bubble.wait_for(timeout=10_000)  # the strict limit is the measured one below
    message_id = bob_page.locator("#message-list li[data-message-id]").last.get_attribute("data-message-id")
    sent_at = alice_page.evaluate("window.__sentAt")
    arrived_at = bob_page.evaluate(f"window.__arrived['{message_id}']")
    took = (arrived_at - sent_at) / 1000
    assert 0 < took <= DELIVERY_LIMIT, f"the message reached process B's page {took:.2f} s after the send"
    print(f"delivered across processes in {took:.3f} s")

    # 2. Bob's page saw it (visible page): "Seen" reaches Alice on process A
    alice_page.locator("#seen-status", has_text="Seen").wait_for(timeout=10_000)

    # 3. Bob's connection is cut: process B dies; Alice sends two more; B comes back
    b.kill()
    bob_page.wait_for_function("() => document.body.dataset.liveState !== 'open'", timeout=30_000)
    _send(alice_page, "two")
    alice_page.locator("#message-list .dm__bubble", has_text="two").wait_for()
    _send(alice_page, "three")
    alice_page.locator("#message-list .dm__bubble", has_text="three").wait_for()
    b.start()
    # the page reconnects by itself (back-off up to a few seconds) and catches up on live:open
    bob_page.locator("#message-list .dm__bubble", has_text="three").wait_for(timeout=60_000)
    assert _texts(bob_page) == ["first", "hello from A", "two", "three"]
    ids = bob_page.locator("#message-list li[data-message-id]").evaluate_all("els => els.map(e => e.dataset.messageId)")
    assert len(ids) == len(set(ids)) == 4
    for page in (alice_page, bob_page):
        assert page.evaluate("window.__marker") == "never reloaded"
        page.context.close()
