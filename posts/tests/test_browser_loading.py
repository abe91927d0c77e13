"""Loading states on the post page, in Chromium: "Load more comments" shows comment skeletons while
the next page is fetched (CSS only, on htmx's `htmx-request` class), gone when it arrives."""

from __future__ import annotations

import pytest

from posts.selectors import COMMENTS_PAGE_SIZE

from .factories import CommentFactory, PostRowsFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_load_more_comments_shows_a_skeleton_while_the_page_loads(page, live_server, alice, bob):
    post = PostRowsFactory(author=bob)
    for i in range(COMMENTS_PAGE_SIZE + 1):
        CommentFactory(author=alice, post=post, body=f"comment {i}")
    held = []
    page.goto(f"{live_server.url}/p/{post.pk}/")
    more = page.get_by_role("link", name="Load more comments")
    assert page.locator(".comments__more .skeleton").is_hidden()
    page.route("**/comments/?cursor=*", lambda route: held.append(route))
    more.click()
    page.locator(".comments__more a.htmx-request").wait_for()
    assert page.locator(".comments__more .skeleton").is_visible()
    label = page.locator(".comments__more .skeleton-label")
    assert label.count() == 1 and label.is_hidden()
    held[0].continue_()
    page.locator(".comment__body", has_text=f"comment {COMMENTS_PAGE_SIZE}").wait_for()
    assert page.locator(".skeleton:visible").count() == 0
