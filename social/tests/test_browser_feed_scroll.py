"""The home feed loads older posts when the "Older posts" link scrolls into view (HTMX, revealed)."""

import pytest

from posts.tests.factories import PostFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_feed_loads_older_posts_on_scroll_without_navigating(page, live_server, login, alice):
    for i in range(15):
        PostFactory(author=alice, caption=f"p{i}")
    login(page, "alice")
    assert page.locator(".post-card").count() == 12
    page.locator(".feed__more").scroll_into_view_if_needed()
    page.wait_for_function("() => document.querySelectorAll('.post-card').length === 15")
    assert page.url == live_server.url + "/"
    assert page.locator(".feed__more").count() == 0
