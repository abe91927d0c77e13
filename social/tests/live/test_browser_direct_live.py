"""A conversation page kept live by static/js/live.js and direct.js, on the Redis channel layer of
the test's own redis-server (the `asgi_server` in-process, so this runs on SQLite too): a message
arrives without a reload; while Redis is away sending still works at once and the page's socket
is closed (4012); when Redis is back the page reconnects by itself and catches up on everything
it missed, in order and once each."""

import time

import pytest
from django.urls import reverse

from accounts.tests.factories import FollowFactory
from social.messages.services import conversation_create
from social.tests.live.conftest import signed_in_client

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous iterators"),
]

WATCH = """
window.__closes = [];
document.addEventListener("DOMContentLoaded", function () {
  document.body.addEventListener("live:close", function (e) { window.__closes.push(e.detail.code); });
});
"""


def texts(page) -> list[str]:
    return page.locator("#message-list li[data-message-id] .dm__bubble").all_inner_texts()


def test_a_conversation_catches_up_after_a_redis_outage_without_a_reload(_browser, redis_layer, asgi_server, alice, bob):
    from conftest import browser_login

    FollowFactory(follower=bob, followee=alice)
    FollowFactory(follower=alice, followee=bob)
    conversation, _ = conversation_create(sender=alice, recipients=[bob], text="first")
    alice_client = signed_in_client("alice")
    send_url = reverse("direct:send", args=[conversation.pk])

    context = _browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    context.add_init_script(WATCH)
    page = context.new_page()
    browser_login(page, asgi_server, "bob")
    page.goto(f"{asgi_server.url}/direct/t/{conversation.pk}/")
    page.evaluate("window.__marker = 'never reloaded'")
    page.wait_for_function("() => document.body.dataset.liveState === 'open'")

    alice_client.post(send_url, {"text": "live"})
    page.locator("#message-list .dm__bubble", has_text="live").wait_for(timeout=5_000)

    redis_layer.stop()
    page.wait_for_function("() => window.__closes.length >= 1")
    assert page.evaluate("window.__closes[0]") == 4012
    for text in ("while Redis was away", "and one more"):
        started = time.monotonic()
        response = alice_client.post(send_url, {"text": text})
        assert response.status_code in (200, 302) and time.monotonic() - started < 1.5
    page.wait_for_timeout(500)
    assert texts(page) == ["first", "live"]  # nothing could tell the page

    redis_layer.start()
    page.locator("#message-list .dm__bubble", has_text="and one more").wait_for(timeout=90_000)
    assert texts(page) == ["first", "live", "while Redis was away", "and one more"]
    assert page.evaluate("document.body.dataset.liveState") == "open"
    assert page.evaluate("window.__marker") == "never reloaded"
    context.close()
