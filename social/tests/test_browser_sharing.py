"""Sharing and linked text on social pages, in Chromium: a feed card's ••• menu copies the post's
link; a profile's bio links #tags and the @mentions of people who exist (an unknown name is plain
text)."""

from __future__ import annotations

import pytest

from accounts.models import User
from posts.tests.factories import PostFactory
from social.tests.factories import follow

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_feed_card_menu_copies_the_post_link(_browser, live_server, login, alice, bob):
    follow(alice, bob)
    post = PostFactory(author=bob, caption="from the feed")
    context = _browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = context.new_page()
    try:
        login(page, "alice")
        card = page.locator(f"#post-{post.pk}")
        card.locator(".post-menu summary").click()
        card.get_by_role("button", name="Copy link").click()
        page.locator("#toasts .message", has_text="Link copied").wait_for()
        assert page.evaluate("navigator.clipboard.readText()") == f"{live_server.url}/p/{post.pk}/"
    finally:
        context.close()


def test_bio_links_tags_and_known_people_only(page, live_server, alice, bob):
    User.objects.filter(pk=alice.pk).update(bio="Boats #sailing with @bob and @nobody_known")
    page.goto(f"{live_server.url}/alice/")
    bio = page.locator(".profile__bio")
    assert bio.get_by_role("link", name="#sailing").get_attribute("href") == "/explore/tags/sailing/"
    bio.get_by_role("link", name="@bob").click()
    page.wait_for_url(f"{live_server.url}/bob/")
    page.go_back()
    assert page.locator(".profile__bio").get_by_role("link", name="@nobody_known").count() == 0
    assert "@nobody_known" in page.locator(".profile__bio").inner_text()
