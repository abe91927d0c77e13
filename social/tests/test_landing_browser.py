"""Signed out, in a real browser: the landing page shows recent public posts' images beside the
sign-up box, on a laptop and on a phone (issue 13)."""

import pytest

from accounts.tests.factories import make_private
from posts.tests.factories import PostFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _loaded_images(page):
    return page.evaluate(
        "[...document.querySelectorAll('.landing__posts img')].filter(i => i.complete && i.naturalWidth > 0).length"
    )


def test_signed_out_landing_shows_public_posts_images(page, live_server, alice, bob, media_root):
    public = [PostFactory(author=alice, caption=f"public {i}") for i in range(3)]
    private = PostFactory(author=bob)
    make_private(bob)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{live_server.url}/")
    page.locator(".landing__posts .tile").first.wait_for()
    assert page.locator(".landing__posts .tile").count() == 3
    page.wait_for_function("n => [...document.querySelectorAll('.landing__posts img')].every(i => i.complete && i.naturalWidth > 0)", arg=3)
    assert _loaded_images(page) == 3
    assert page.locator(f'a.tile[href="/p/{private.pk}/"]').count() == 0
    grid, card = page.locator(".landing__posts").bounding_box(), page.locator(".landing__card").bounding_box()
    assert grid["x"] + grid["width"] <= card["x"]  # side by side: the grid beside the sign-up box
    assert page.locator(".landing__card").get_by_role("link", name="Sign up").is_visible()
    page.locator(f'a.tile[href="/p/{public[0].pk}/"]').click()
    page.wait_for_url(f"**/p/{public[0].pk}/")


def test_signed_out_landing_on_a_phone(_browser, live_server, alice, media_root):
    PostFactory(author=alice)
    context = _browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True)
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/")
        page.locator(".landing__posts .tile").first.wait_for()
        assert page.locator(".landing__card").get_by_role("link", name="Sign up").is_visible()
        card, grid = page.locator(".landing__card").bounding_box(), page.locator(".landing__posts").bounding_box()
        assert card["y"] + card["height"] <= grid["y"]  # the sign-up box first, the posts below
        assert page.locator(".landing__posts .tile").first.is_visible()
        assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    finally:
        context.close()
