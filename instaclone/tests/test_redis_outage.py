"""Redis down or hung: signed-in pages still load from the database within the time budget, logout
and "sign out other sessions" still end the session for good, login still works (rate limits fail
open), and the cache comes back by itself. Each test runs its own redis-server (`redis_server`)."""

import logging
import time

import pytest
from allauth.usersessions.models import UserSession
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.test import Client

from instaclone.testing import DEFAULT_PASSWORD
from social.models import Notification
from social.tests.factories import NotificationFactory

pytestmark = pytest.mark.django_db

BUDGET = 1.0  # seconds for one page with Redis down or hung
PAGES = ["/", "/alice/", "/notifications/"]


def _login(client, username="alice"):
    response = client.post("/accounts/login/", {"login": username, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302, response
    return client


def _signed_in(client) -> bool:
    return client.get("/settings/").status_code == 200


def _timed_get(client, url):
    started = time.monotonic()
    response = client.get(url)
    return response, time.monotonic() - started


def _outage(server, kind):
    server.stop() if kind == "down" else server.pause()


def _recover(server, kind):
    server.start() if kind == "down" else server.resume()
    time.sleep(0.6)  # past the back-off (REDIS_BACKOFF = 0.5 in tests)


@pytest.mark.parametrize("kind", ["down", "hung"])
def test_signed_in_pages_load_from_the_database_within_budget(redis_server, alice, bob, kind):
    client = _login(Client())
    NotificationFactory(recipient=alice, actor=bob, kind=Notification.Kind.FOLLOW)
    _outage(redis_server, kind)
    # The unread badge falls back to the database (the first page, before the notifications page reads them).
    response, took = _timed_get(client, "/")
    assert response.status_code == 200 and 'aria-label="1 unread"' in response.content.decode()
    for url in PAGES:
        response, took = _timed_get(client, url)
        assert response.status_code == 200, url
        assert took < BUDGET, (url, took)


@pytest.mark.parametrize("kind", ["down", "hung"])
def test_logout_during_outage_kills_the_session_for_good(redis_server, alice, kind):
    client = _login(Client())
    cookie = client.cookies["sessionid"].value
    _outage(redis_server, kind)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert not Session.objects.filter(session_key=cookie).exists()
    _recover(redis_server, kind)
    replay = Client()
    replay.cookies["sessionid"] = cookie
    assert not _signed_in(replay)


@pytest.mark.parametrize("kind", ["down", "hung"])
def test_sign_out_other_sessions_during_outage(redis_server, alice, kind):
    laptop, phone = _login(Client()), _login(Client())
    phone_cookie = phone.cookies["sessionid"].value
    assert UserSession.objects.filter(user=alice).count() == 2
    _outage(redis_server, kind)
    response = laptop.post("/accounts/sessions/", {"action": "logout"})
    assert response.status_code == 302
    assert not Session.objects.filter(session_key=phone_cookie).exists()
    _recover(redis_server, kind)
    assert _signed_in(laptop)
    assert not _signed_in(phone)


def test_login_works_with_redis_down_and_rate_limits_fail_open(redis_server, alice):
    redis_server.stop()
    client = Client()
    started = time.monotonic()
    for _ in range(3):
        client.post("/accounts/login/", {"login": "alice", "password": "wrong-password"})
    _login(client)
    assert time.monotonic() - started < 4 * BUDGET
    assert _signed_in(client)


def test_one_warning_per_outage_and_recovery_by_itself(redis_server, alice, caplog):
    client = _login(Client())
    redis_server.stop()
    with caplog.at_level(logging.INFO, logger="instaclone.cache"):
        for _ in range(3):
            assert client.get("/").status_code == 200
        warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
        assert len(warnings) == 1 and "unreachable" in warnings[0].getMessage()
        _recover(redis_server, "down")
        cache.set("probe", "back")
        assert cache.get("probe") == "back"
        assert any("reachable again" in r.getMessage() for r in caplog.records)
    assert client.get("/").status_code == 200


def test_a_hung_redis_costs_one_timeout_per_back_off_not_one_per_call(redis_server):
    redis_server.pause()
    started = time.monotonic()
    for i in range(20):
        cache.set(f"k{i}", i)
        assert cache.get(f"k{i}", "miss") == "miss"
    assert time.monotonic() - started < BUDGET
    with pytest.raises(ValueError):
        cache.incr("k1")
    assert cache.add("k1:lock", 1) is True  # allauth's rate-limit lock: fail open, not 429


def test_reporting_a_post_with_redis_down_is_accepted(redis_server, alice, bob):
    from instaclone.testing import image_upload
    from posts.services import post_create
    from social.models import Report

    post = post_create(author=alice, caption="hi", files=[(image_upload(), "")])
    client = _login(Client(), "bob")
    redis_server.stop()
    response = client.post(f"/report/post/{post.pk}/", {"reason": "spam"})
    assert response.status_code in (200, 302)
    assert Report.objects.filter(reporter=bob, post=post).exists()


def test_a_quick_restart_nobody_noticed_costs_no_cache_miss(redis_server, caplog):
    cache.set("before", 1)  # a pooled connection to the old process
    redis_server.stop()
    redis_server.start()
    with caplog.at_level(logging.WARNING, logger="instaclone.cache"):
        cache.set("after", 2)  # the stale connection fails once; one immediate retry on a new one
        assert cache.get("after") == 2
    assert not caplog.records


def test_a_read_only_replica_after_a_failover_is_an_outage_not_a_500(redis_server, alice):
    """The server stands for a primary demoted to a replica (its primary gone): it still answers
    reads, and refuses every write with READONLY."""
    client = _login(Client(raise_request_exception=False))
    redis_server.client().execute_command("REPLICAOF", "127.0.0.1", "1")  # nothing listens there
    try:
        for url in PAGES:
            response, elapsed = _timed_get(client, url)
            assert response.status_code == 200, url
            assert elapsed < BUDGET
        cache.set("replica-check", "x")  # dropped, not raised
    finally:
        redis_server.client().execute_command("REPLICAOF", "NO", "ONE")


def test_an_error_reply_that_is_a_bug_is_not_hidden(redis_server):
    cache.set("a-list", 1)
    raw = cache._cache.get_client(write=True)  # the connection the site's cache uses
    raw.delete(cache.make_key("a-list"))
    raw.lpush(cache.make_key("a-list"), "x")
    with pytest.raises(Exception, match="WRONGTYPE"):
        cache.incr("a-list")  # INCRBY on a list: a programming error, raised
