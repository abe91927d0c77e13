"""Direct's lists kept live by static/js/live.js (the Redis channel layer of the test's own
redis-server, the site served by the in-process `asgi_server`): the inbox and the list beside an
open conversation show a new conversation and a new last message without a reload, and a
conversation that missed more than one catch-up page (100 messages) gets every one of them."""

import pytest

from accounts.tests.factories import FollowFactory
from social.messages.models import Message
from social.messages.selectors import AFTER_LIMIT
from social.messages.services import conversation_create, message_send

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous iterators"),
]


def _live_page(_browser, asgi_server, username, path):
    from conftest import browser_login

    context = _browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    browser_login(page, asgi_server, username)
    page.goto(f"{asgi_server.url}{path}")
    page.evaluate("window.__marker = 'never reloaded'")
    page.wait_for_function("() => document.body.dataset.liveState === 'open'")
    return context, page


def test_the_inbox_and_the_list_beside_a_conversation_update_live(_browser, redis_layer, asgi_server, alice, bob, charlie):
    for a, b in ((alice, bob), (bob, alice), (bob, charlie)):
        FollowFactory(follower=a, followee=b)
    talk, _ = conversation_create(sender=alice, recipients=[bob], text="first")

    context, page = _live_page(_browser, asgi_server, "bob", "/direct/")
    assert page.locator("#threads .thread").count() == 1
    from_charlie, _ = conversation_create(sender=charlie, recipients=[bob], text="hello from charlie")
    row = page.locator("#threads .thread", has_text="hello from charlie")
    row.wait_for(timeout=5_000)
    assert "thread--unread" in row.get_attribute("class")
    assert page.locator("#threads .thread").first.get_attribute("id") == f"thread-{from_charlie.pk}"  # newest first
    assert page.evaluate("window.__marker") == "never reloaded"

    page.goto(f"{asgi_server.url}/direct/t/{talk.pk}/")
    page.evaluate("window.__marker = 'never reloaded'")
    page.wait_for_function("() => document.body.dataset.liveState === 'open'")
    aside = page.locator("#direct-aside-threads")
    assert aside.is_visible()
    message_send(sender=charlie, conversation=from_charlie, text="charlie again")
    aside.locator(".thread", has_text="charlie again").wait_for(timeout=5_000)
    message_send(sender=alice, conversation=talk, text="alice live")
    page.locator("#message-list .dm__bubble", has_text="alice live").wait_for(timeout=5_000)
    page.wait_for_timeout(800)  # the list beside it refreshed too: the open one is never bold
    assert "thread--unread" not in (aside.locator(f"#thread-{talk.pk}").get_attribute("class") or "")
    assert page.evaluate("window.__marker") == "never reloaded"
    context.close()


def test_a_conversation_catches_up_past_one_page_of_missed_messages(_browser, redis_layer, asgi_server, alice, bob):
    FollowFactory(follower=bob, followee=alice)
    FollowFactory(follower=alice, followee=bob)
    talk, _ = conversation_create(sender=alice, recipients=[bob], text="first")
    context, page = _live_page(_browser, asgi_server, "bob", f"/direct/t/{talk.pk}/")
    missed = AFTER_LIMIT + 30
    # written without events (as if sent while the page's socket was away), then one event
    Message.objects.bulk_create([Message(conversation=talk, sender=alice, text=f"missed {i}") for i in range(missed)])
    message_send(sender=alice, conversation=talk, text="the last one")
    page.locator("#message-list .dm__bubble", has_text="the last one").wait_for(timeout=10_000)
    texts = page.locator("#message-list li[data-message-id] .dm__bubble").all_inner_texts()
    assert texts == ["first", *[f"missed {i}" for i in range(missed)], "the last one"]
    assert page.evaluate("window.__marker") == "never reloaded"
    context.close()
