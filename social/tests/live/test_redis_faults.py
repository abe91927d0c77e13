"""Live updates on a real Redis channel layer (a redis-server of the test's own, its own key
prefix): publishing from many threads and from a forked child keeps working on one connection
pool; when Redis stops or hangs, sending a message still succeeds at once (one warning, then a
back-off), sockets close with 4012 instead of a traceback each, and when Redis is back live
updates resume."""

import asyncio
import json
import logging
import multiprocessing
import threading
import time

import pytest
from asgiref.sync import sync_to_async
from django.urls import reverse

from instaclone import live
from social.live import consumers
from social.messages.models import Message
from social.messages.services import conversation_create
from social.tests.live.conftest import closed_with, cookie_of, open_socket, run, signed_in_client

pytestmark = pytest.mark.django_db(transaction=True)

BADGE = {"type": "badge", "badge": "notifications"}


def live_warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "instaclone.live" and r.levelno == logging.WARNING]


def test_publishing_from_many_threads_reuses_one_pool_and_its_event_loop(redis_layer, alice, caplog):
    results = []

    def request_thread():
        for _ in range(50):
            results.append(live.send_now([alice.pk], BADGE))

    def connections_made() -> int:
        return redis_layer.client().info("stats")["total_connections_received"]

    for _round in range(2):
        before = connections_made()
        threads = [threading.Thread(target=request_thread) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        made = connections_made() - before - 1  # less this check's own
        # the publisher's one loop keeps its pool: it grows with the sends in flight at once (8
        # threads) and is reused after; the second round may add a few when more sends overlap than
        # the first time (a new event loop per send, async_to_sync's way, would make 400 a round)
        assert made <= (16 if _round == 0 else 8), made
    assert results == [True] * 800
    assert live_warnings(caplog) == []
    assert "Event loop is closed" not in caplog.text


def _publish_in_child(user_id, queue):
    queue.put(live.send_now([user_id], BADGE))


def test_a_forked_worker_publishes_through_a_loop_of_its_own(redis_layer, alice):
    """gunicorn --preload forks workers from a parent that may already have published: the child
    inherits the parent's loop object but not its thread."""
    assert live.send_now([alice.pk], BADGE)
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_publish_in_child, args=(alice.pk, queue))
    child.start()
    child.join(20)
    assert child.exitcode == 0
    assert queue.get(timeout=5) is True
    assert live.send_now([alice.pk], BADGE)  # the parent's loop still works


def test_a_fork_while_another_thread_is_inside_the_publisher_s_locks_leaves_the_child_working(redis_layer, alice):
    """A lock is copied held into a forked child when another thread of the parent holds it at the
    fork (the child has no such thread to release it): os.register_at_fork gives the child new ones."""
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    with live._publisher._lock, live._lock:  # as if another request thread were inside them
        child = context.Process(target=_publish_in_child, args=(alice.pk, queue))
        child.start()
    child.join(20)
    if child.is_alive():
        child.kill()
        pytest.fail("the forked child hung on a lock held at the fork")
    assert child.exitcode == 0
    assert queue.get(timeout=5) is True


def test_sockets_get_events_published_from_request_threads_over_redis(redis_layer, alice, bob):
    async def scenario():
        a = await sync_to_async(signed_in_client)("alice")
        connected, tab = await open_socket(cookie_of(a))
        assert connected

        def from_threads():
            threads = [threading.Thread(target=live.send_now, args=([alice.pk], {"type": "badge", "badge": "messages"}))
                       for _ in range(3)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(10)

        await sync_to_async(from_threads)()
        for _ in range(3):
            assert json.loads(await tab.receive_from(timeout=3)) == {"type": "badge", "badge": "messages"}
        await tab.disconnect()

    run(scenario)


def _send(client, conversation, text):
    started = time.monotonic()
    response = client.post(reverse("direct:send", args=[conversation.pk]), {"text": text})
    return response, time.monotonic() - started


def test_sending_a_message_while_redis_is_down_is_fast_warns_once_and_resumes(
    redis_layer, alice, bob, settings, caplog
):
    settings.LIVE_TIMEOUT = 0.5
    caplog.set_level(logging.INFO, logger="instaclone.live")
    conversation, _ = conversation_create(sender=alice, recipients=[bob], text="hello")
    client = signed_in_client("alice")

    redis_layer.stop()
    for text in ("while Redis is down", "and again"):
        response, took = _send(client, conversation, text)
        assert response.status_code in (200, 302), response.status_code
        assert took < 1.5, f"sending took {took:.2f} s"
    assert list(Message.objects.filter(conversation=conversation).order_by("pk").values_list("text", flat=True)) == [
        "hello", "while Redis is down", "and again",
    ]
    warnings = live_warnings(caplog)
    assert len(warnings) == 1 and "Live updates paused" in warnings[0], warnings

    # a Redis that accepts connections and never answers costs one time budget, then the back-off
    redis_layer.start()
    time.sleep(settings.LIVE_BACKOFF)
    redis_layer.pause()
    try:
        response, took = _send(client, conversation, "into a hung Redis")
        assert response.status_code in (200, 302)
        assert took < settings.LIVE_TIMEOUT + 1.5, f"sending took {took:.2f} s"
        response, took = _send(client, conversation, "backing off")
        assert took < 1.0, f"sending took {took:.2f} s"
    finally:
        redis_layer.resume()
    time.sleep(settings.LIVE_BACKOFF)

    # back: bob's socket gets the next message's event
    async def scenario():
        b = await sync_to_async(signed_in_client)("bob")
        connected, tab = await open_socket(cookie_of(b))
        assert connected
        await sync_to_async(_send)(client, conversation, "Redis is back")
        events = [json.loads(await tab.receive_from(timeout=3)) for _ in range(2)]
        last = Message.objects.filter(conversation=conversation).order_by("-pk").values_list("pk", flat=True)
        newest = await sync_to_async(lambda: last[0])()
        assert {"type": "message", "conversation": conversation.pk, "message": newest} in events
        await tab.disconnect()

    run(scenario)
    assert any("answers again" in r.getMessage() for r in caplog.records if r.name == "instaclone.live")


def test_a_socket_closes_with_4012_when_redis_goes_and_reconnects_when_it_is_back(redis_layer, alice, caplog, monkeypatch):
    async def scenario():
        a = await sync_to_async(signed_in_client)("alice")
        _, first = await open_socket(cookie_of(a))
        _, second = await open_socket(cookie_of(a))
        await sync_to_async(redis_layer.stop)()
        # each socket is told to come back later (4012), no traceback per socket
        assert await closed_with(first, timeout=10) == 4012
        assert await closed_with(second, timeout=10) == 4012
        connected, _ = await open_socket(cookie_of(a))
        assert not connected  # refused while Redis is away: the page retries with back-off
        await sync_to_async(redis_layer.start)()
        connected, tab = await open_socket(cookie_of(a))
        assert connected
        await sync_to_async(live.send_now)([alice.pk], BADGE)
        assert json.loads(await tab.receive_from(timeout=3)) == BADGE
        await tab.disconnect()

    monkeypatch.setattr(consumers, "_layer_down", False)
    run(scenario)
    consumer_warnings = [r for r in caplog.records if r.name == "social.live" and r.levelno == logging.WARNING]
    assert len(consumer_warnings) == 1, [r.getMessage() for r in consumer_warnings]
    assert "Traceback" not in caplog.text


def test_concurrent_handshakes_never_exceed_the_limit_and_refusals_hold_no_place(redis_layer, alice, settings):
    """With Redis, joining the group waits on the network: ten handshakes at once used to all pass
    the count before any took its place."""
    settings.LIVE_MAX_CONNECTIONS = 2

    async def scenario():
        a = await sync_to_async(signed_in_client)("alice")
        results = await asyncio.gather(*[open_socket(cookie_of(a)) for _ in range(10)])
        tabs = [tab for connected, tab in results if connected]
        assert len(tabs) == 2
        assert consumers._open[alice.pk] == 2
        for tab in tabs:
            await tab.disconnect()
        assert alice.pk not in consumers._open  # the eight refused held nothing; the two gave theirs back
        again = await asyncio.gather(*[open_socket(cookie_of(a)) for _ in range(3)])
        assert sorted(connected for connected, _ in again) == [False, True, True]
        for connected, tab in again:
            if connected:
                await tab.disconnect()

    run(scenario)


def test_a_hung_redis_closes_the_sockets_and_refuses_handshakes_at_once_until_it_answers(redis_layer, alice, settings):
    """SIGSTOP: Redis accepts connections and never answers. The process's health check (a round
    trip through the layer every LIVE_HEALTH_CHECK s; two failed in a row) closes the open socket
    with 4012, so its page reconnects and catches up later instead of staying open and deaf; a
    handshake meanwhile is refused within LIVE_LAYER_TIMEOUT (1 s here) instead of hanging."""
    settings.LIVE_HEALTH_CHECK = 0.3
    settings.LIVE_TIMEOUT = 0.5

    async def scenario():
        a = await sync_to_async(signed_in_client)("alice")
        connected, tab = await open_socket(cookie_of(a))
        assert connected
        await sync_to_async(redis_layer.pause)()
        try:
            assert await closed_with(tab, timeout=8) == 4012
            started = time.monotonic()
            connected, _ = await asyncio.wait_for(open_socket(cookie_of(a)), 5)
            assert not connected
            assert time.monotonic() - started < 2.5, "the handshake waited on the hung Redis"
        finally:
            await sync_to_async(redis_layer.resume)()
        await asyncio.sleep(settings.LIVE_BACKOFF)
        connected, tab = await open_socket(cookie_of(a))
        assert connected
        assert await sync_to_async(live.send_now)([alice.pk], BADGE)
        assert json.loads(await tab.receive_from(timeout=3)) == BADGE
        await tab.disconnect()

    run(scenario, timeout=60)


def test_a_redis_that_forgot_its_groups_closes_the_sockets(redis_layer, alice, settings):
    """A Redis restarted without persistence (or flushed) keeps answering, but no socket is in its
    group any more: the health check's message does not come back, and the sockets close (4012) so
    that their pages reconnect, join again and catch up."""
    settings.LIVE_HEALTH_CHECK = 0.3

    async def scenario():
        a = await sync_to_async(signed_in_client)("alice")
        connected, tab = await open_socket(cookie_of(a))
        assert connected
        await asyncio.sleep(0.8)  # the health check has joined its group
        await sync_to_async(lambda: redis_layer.client().flushdb())()
        assert await closed_with(tab, timeout=6) == 4012
        connected, tab = await open_socket(cookie_of(a))
        assert connected
        assert await sync_to_async(live.send_now)([alice.pk], BADGE)
        assert json.loads(await tab.receive_from(timeout=3)) == BADGE
        await tab.disconnect()

    run(scenario)


def test_a_socket_renews_its_group_before_the_layer_forgets_it(redis_layer, alice, settings, request):
    """channels_redis drops a group member after group_expiry (a day here): a page open longer would
    stay open and get nothing. The socket joins again at each of its checks (at most every half
    group_expiry)."""
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [redis_layer.url], "prefix": f"live-expiry-{request.node.name[:30]}", "group_expiry": 2},
        }
    }

    async def scenario():
        a = await sync_to_async(signed_in_client)("alice")
        connected, tab = await open_socket(cookie_of(a))
        assert connected
        await asyncio.sleep(5)  # more than twice the group_expiry
        assert await sync_to_async(live.send_now)([alice.pk], BADGE)
        assert json.loads(await tab.receive_from(timeout=3)) == BADGE
        await tab.disconnect()

    run(scenario)
