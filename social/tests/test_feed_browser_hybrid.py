"""In a browser: a follower of an author in pull mode (more than FEED_FANOUT_MAX_FOLLOWERS
followers) sees that author's posts merged into their home feed, in order, and infinite scroll
(HTMX, keyset cursor) brings the older ones without repeating any."""

import pytest

from accounts.tests.factories import FollowFactory, UserFactory
from posts.tests.factories import PostFactory
from social.models import FeedItem, FeedPullAuthor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_pulled_authors_posts_are_merged_and_scroll_without_repeats(settings, page, live_server, login, alice):
    settings.FEED_FANOUT_MAX_FOLLOWERS = 2
    settings.FEED_FANOUT_MIN_FOLLOWERS = 1
    star = UserFactory(username="star")
    for person in (alice, UserFactory(), UserFactory()):
        FollowFactory(follower=person, followee=star)
    posts = []
    for i in range(8):
        posts.append(PostFactory(author=star, caption=f"star {i}"))
        posts.append(PostFactory(author=alice, caption=f"mine {i}"))
    assert FeedPullAuthor.objects.filter(author=star).exists()
    assert not FeedItem.objects.filter(author=star).exclude(owner=star).exists()  # nothing fanned out
    login(page, "alice")
    assert page.locator(".post-card").count() == 12
    page.locator(".feed__more").scroll_into_view_if_needed()
    page.wait_for_function("() => document.querySelectorAll('.post-card').length === 16")
    ids = page.locator(".post-card").evaluate_all("cards => cards.map(c => c.closest('[id^=post-]')?.id || c.id)")
    assert ids == [f"post-{p.pk}" for p in reversed(posts)]
