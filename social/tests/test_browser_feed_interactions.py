"""Browser journeys for likes and comments in the home feed (Playwright driving Debian's Chromium).

The feed is a social page and needs a follow (the post page's journeys are posts/tests/test_browser_saves_comments.py),
so the journeys live in the layer that owns both (social tests may use the posts factories)."""

from __future__ import annotations

import re

import pytest

from posts.models import Like
from posts.tests.factories import PostFactory
from social.tests.factories import follow

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_like_by_button_and_by_double_tap_in_the_feed_without_navigating(page, login, live_server, alice, bob):
    follow(alice, bob)
    older = PostFactory(author=bob, caption="older post")
    newer = PostFactory(author=bob, caption="newer post")
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    login(page, "alice")
    page.goto(f"{live_server.url}/")
    page.evaluate("window.__marker = 'still here'")

    # the button: the heart swaps itself and the count appears, the page does not navigate
    card = page.locator(f"#post-{newer.pk}")
    card.locator("form.like-form button").click()
    page.wait_for_selector(f"#post-{newer.pk} form.like-form[data-liked=true]")
    assert card.locator(f"#like-count-{newer.pk}").inner_text() == "1 like"
    assert page.evaluate("window.__marker") == "still here"
    assert Like.objects.filter(user=alice, post=newer).count() == 1

    # double-tap on the other post's photo likes it
    other = page.locator(f"#post-{older.pk}")
    other.locator("[data-double-tap-like]").dblclick()
    page.wait_for_selector(f"#post-{older.pk} form.like-form[data-liked=true]")
    assert other.locator(f"#like-count-{older.pk}").inner_text() == "1 like"
    # a second double-tap never unlikes
    other.locator("[data-double-tap-like]").dblclick()
    page.wait_for_timeout(300)
    assert page.locator(f"#post-{older.pk} form.like-form[data-liked=true]").count() == 1
    assert page.evaluate("window.__marker") == "still here"
    assert Like.objects.filter(user=alice, post=older).count() == 1

    # a comment from the card appears under it without a reload, and the count follows
    page.locator(f"#comment-form-{newer.pk} textarea").fill("first!")
    page.locator(f"#comment-form-{newer.pk} button[type=submit]").click()
    page.wait_for_selector(f"#comments-{newer.pk} .comment")
    assert page.locator(f"#comments-{newer.pk} .comment__body").inner_text() == "first!"
    assert page.locator(f"#comment-count-{newer.pk}").inner_text() == "1 comment"
    assert page.evaluate("window.__marker") == "still here"
    assert errors == []


def test_like_works_with_javascript_disabled(_browser, live_server, alice, bob):
    """A plain form POST and a redirect back to the same place in the feed."""
    from conftest import browser_login

    follow(alice, bob)
    post = PostFactory(author=bob, caption="no js")
    context = _browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        browser_login(page, live_server, "alice")
        page.goto(f"{live_server.url}/")
        page.locator(f"#post-{post.pk} form.like-form button").click()
        page.wait_for_url(re.compile(rf".*/#post-{post.pk}$"))
        assert page.locator(f"#post-{post.pk} form.like-form").get_attribute("data-liked") == "true"
        assert page.locator(f"#like-count-{post.pk}").inner_text() == "1 like"
        assert Like.objects.filter(user=alice, post=post).count() == 1
    finally:
        context.close()
