"""Loading states in Chromium: while the feed's next page is being fetched, a post-card skeleton
stands where the "Older posts" link was (CSS only, on htmx's `htmx-request` class), and it goes
with the link when the page arrives."""

from __future__ import annotations

import pytest

from posts.tests.factories import PostRowsFactory
from social.selectors import FEED_PAGE_SIZE
from social.tests.factories import follow

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _held(page, pattern):
    """Hold requests matching `pattern` until released: returns the list of held routes."""
    held = []
    page.route(pattern, lambda route: held.append(route))
    return held


def test_feed_more_shows_a_card_skeleton_while_the_next_page_loads(page, live_server, login, alice, bob):
    from social.models import FeedItem

    follow(alice, bob)
    posts = [PostRowsFactory(author=bob, caption=f"post {i}") for i in range(FEED_PAGE_SIZE + 1)]
    FeedItem.objects.bulk_create([FeedItem(owner=alice, post=p, author=bob, created=p.created) for p in posts],
                                 ignore_conflicts=True)
    login(page, "alice")
    more = page.locator("a.feed__more")
    assert more.locator(".skeleton").is_hidden()  # not loading: the link's label only
    held = _held(page, "**/?cursor=*")
    more.scroll_into_view_if_needed()
    page.locator("a.feed__more.htmx-request").wait_for()  # the request is in flight (and held)
    assert more.locator(".skeleton").is_visible()
    assert more.locator(".skeleton__media").is_visible()  # a card's shape
    assert more.locator(".skeleton-label").is_hidden()
    held[0].continue_()
    page.locator(f"#post-{posts[0].pk}").wait_for()
    assert page.locator(".skeleton:visible").count() == 0


def test_notifications_older_shows_row_skeletons_while_the_next_page_loads(page, live_server, login, alice):
    from accounts.tests.factories import UserFactory
    from social.models import Notification
    from social.selectors import NOTIFICATIONS_PAGE_SIZE

    actors = [UserFactory() for _ in range(NOTIFICATIONS_PAGE_SIZE + 1)]
    Notification.objects.bulk_create(
        [Notification(recipient=alice, actor=actor, kind=Notification.Kind.FOLLOW) for actor in actors]
    )
    login(page, "alice")
    page.goto(f"{live_server.url}/notifications/")
    more = page.locator(".notification-list__more a")
    assert more.locator(".skeleton").is_hidden()
    held = _held(page, "**/notifications/?cursor=*")
    more.scroll_into_view_if_needed()
    page.locator(".notification-list__more a.htmx-request").wait_for()
    assert more.locator(".skeleton").is_visible()
    assert more.locator(".skeleton__media").is_hidden()  # a row's shape: avatar and lines
    held[0].continue_()
    page.locator(".notification-list__more").wait_for(state="detached")
    assert page.locator(".skeleton:visible").count() == 0
