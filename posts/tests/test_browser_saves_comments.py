"""Browser journeys for saves and comments on the post page (Playwright driving Debian's Chromium).
The feed journeys (likes by button, double-tap, without JavaScript) are social pages: see
social/tests/test_browser_feed_interactions.py."""

from __future__ import annotations

import re

import pytest

from posts.models import Comment, Save
from posts.tests.factories import PostFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_save_then_find_it_under_saved_and_comment_without_reload(page, login, live_server, alice, bob):
    post = PostFactory(author=bob, caption="save me")
    login(page, "alice")
    page.goto(f"{live_server.url}{post.get_absolute_url()}")
    page.evaluate("window.__marker = 'still here'")

    page.locator("form.save-form button").click()
    page.wait_for_selector("form.save-form[data-saved=true]")
    assert Save.objects.filter(user=alice, post=post).exists()

    box = page.locator(f"#comment-form-{post.pk} textarea")
    box.fill("What a view <b>!</b>")
    page.locator(f"#comment-form-{post.pk} button[type=submit]").click()
    page.wait_for_selector(f"#comments-{post.pk} .comment")
    comment = Comment.objects.get()
    text = page.locator(f"#comment-{comment.pk} .comment__body").inner_text()
    assert text == "What a view <b>!</b>"  # shown as text, not markup
    assert page.locator(f"#comment-count-{post.pk}").inner_text() == "1 comment"
    assert page.locator(f"#comment-form-{post.pk} textarea").input_value() == ""  # a fresh form
    assert page.evaluate("window.__marker") == "still here"

    page.goto(f"{live_server.url}/saved/")
    page.locator(f"#saved-{post.pk}").click()
    page.wait_for_url(re.compile(rf".*/p/{post.pk}/$"))


def test_enter_posts_a_comment_and_shift_enter_adds_a_line(page, login, live_server, alice, bob):
    """engagement.js: Enter posts (once, not one request per key), Shift+Enter is a new line, an empty
    box posts nothing."""
    post = PostFactory(author=bob, caption="say something")
    login(page, "alice")
    page.goto(f"{live_server.url}{post.get_absolute_url()}")
    box = page.locator(f"#comment-form-{post.pk} textarea")
    box.press("Enter")
    page.wait_for_timeout(300)
    assert not Comment.objects.exists()
    box.type("first line")
    box.press("Shift+Enter")
    box.type("second")
    assert not Comment.objects.exists()  # typing posts nothing
    box.press("Enter")
    page.wait_for_selector(f"#comments-{post.pk} .comment")
    assert list(Comment.objects.values_list("body", flat=True)) == ["first line\nsecond"]
    assert page.locator(f"#comment-form-{post.pk} textarea").input_value() == ""


def test_double_tap_on_the_post_page_bursts_the_templates_heart_and_likes(page, login, live_server, alice, bob):
    from posts.models import Like

    post = PostFactory(author=bob)
    login(page, "alice")
    page.goto(f"{live_server.url}{post.get_absolute_url()}")
    media = page.locator(".post-detail__media")
    assert media.locator(".double-tap-heart svg").count() == 1  # server-rendered, not built by a script
    media.locator("img").first.dblclick()
    page.wait_for_selector("form.like-form[data-liked=true]")
    assert media.locator(".double-tap-heart.is-on").count() == 1
    assert Like.objects.filter(user=alice, post=post).exists()
