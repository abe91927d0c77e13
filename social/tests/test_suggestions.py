""""Suggested for you" (selectors.suggestions_for), shown beside the feed and at its end; the
"You're all caught up" marker; explore's infinite scroll past the first 30 posts."""

import pytest
from django.urls import reverse

from accounts.models import User
from accounts.services import graph
from accounts.tests.factories import UserFactory
from posts.tests.factories import PostFactory, PostRowsFactory
from social import selectors

from .factories import follow, make_private

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


def names(users):
    return [u.username for u in users]


def test_people_followed_by_your_followees_come_first_most_shared_first(alice, bob, charlie):
    dave, erin, frank = (UserFactory(username=n) for n in ("dave", "erin", "frank"))
    popular = UserFactory(username="popular")
    for _ in range(5):
        follow(UserFactory(), popular)
    follow(alice, bob)
    follow(alice, charlie)
    follow(bob, dave)
    follow(charlie, dave)
    follow(bob, erin)
    assert frank
    got = selectors.suggestions_for(alice, 4)
    assert names(got)[:2] == ["dave", "erin"]
    assert [u.mutuals for u in got[:2]] == [2, 1]
    assert names(got)[2] == "popular"  # then the most-followed
    assert all(u.follow_state == "none" for u in got)


def test_suggestions_leave_out_you_followed_requested_blocked_and_invisible(alice, bob, charlie):
    dave = UserFactory(username="dave")
    private = make_private(UserFactory(username="priv"))
    blocker, blocked = UserFactory(username="blocker"), UserFactory(username="blocked")
    gone = UserFactory(username="gone")
    follow(alice, bob)
    graph.follow_create(follower=alice, followee=private)  # a request
    graph.block_create(blocker=blocker, blocked=alice)
    graph.block_create(blocker=alice, blocked=blocked)
    for u in (charlie, dave, blocker, blocked, gone):
        follow(bob, u)
    User.objects.filter(pk=gone.pk).update(is_active=False)
    got = names(selectors.suggestions_for(alice, 20))
    assert "alice" not in got and "bob" not in got and "priv" not in got
    assert "blocker" not in got and "blocked" not in got and "gone" not in got
    assert {"charlie", "dave"} <= set(got)


def test_suggestions_may_include_private_accounts(alice):
    make_private(UserFactory(username="quiet"))
    assert "quiet" in names(selectors.suggestions_for(alice, 20))


@pytest.mark.parametrize("n", [1, 8])
def test_suggestions_cost_two_queries_at_most(alice, bob, n, django_assert_num_queries):
    follow(alice, bob)
    for i in range(n):
        follow(bob, UserFactory(username=f"fof{i}"))
    UserFactory(username="someone")
    # 1 friends of friends with their count; 2 the most-followed to fill up
    with django_assert_num_queries(2):
        got = selectors.suggestions_for(alice, 10)
    assert len(got) == n + 1


def test_signed_out_gets_no_suggestions(django_assert_num_queries):
    from django.contrib.auth.models import AnonymousUser

    with django_assert_num_queries(0):
        assert selectors.suggestions_for(AnonymousUser()) == []


def test_the_feed_has_a_suggestions_column_and_its_fragment(client, alice, bob, charlie):
    PostFactory(author=alice)
    client.force_login(alice)
    body = client.get("/").content.decode()
    assert 'class="home__aside"' in body and 'hx-get="/explore/people/?place=aside"' in body
    r = client.get("/explore/people/?place=aside", **HX)
    frag = r.content.decode()
    assert "<html" not in frag and "Suggested for you" in frag and 'id="suggested-aside-' in frag
    assert reverse("social:follow", args=["bob"]) in frag


def test_the_suggestions_page_works_without_js(client, alice, bob):
    client.force_login(alice)
    r = client.get(reverse("social:suggested"))
    assert r.status_code == 200 and b"<h1" in r.content and b"bob" in r.content


def test_the_last_feed_page_says_you_are_all_caught_up(client, alice):
    PostFactory(author=alice)
    client.force_login(alice)
    body = client.get("/").content.decode()
    assert "You're all caught up" in body and 'hx-get="/explore/people/?place=end"' in body


def test_a_feed_with_more_pages_is_not_caught_up(client, alice):
    from social.selectors import FEED_PAGE_SIZE

    for _ in range(FEED_PAGE_SIZE + 1):
        PostRowsFactory(author=alice)
    from social.services import feed_rebuild

    feed_rebuild(owner=alice)
    client.force_login(alice)
    body = client.get("/").content.decode()
    assert "Older posts" in body and "You're all caught up" not in body


# --- explore --------------------------------------------------------------------------------


def _explore_posts(n):
    authors = [UserFactory() for _ in range(4)]
    return [PostRowsFactory(author=authors[i % 4], like_count=i % 5) for i in range(n)]


def test_explore_pages_past_the_first_thirty_without_loss_or_repeat(client, alice):
    posts = _explore_posts(65)
    client.force_login(alice)
    seen, cursor = [], None
    while True:
        page = selectors.explore_page(alice, cursor)
        seen += [p.pk for p in page.items]
        cursor = page.next_cursor
        if not cursor:
            break
    assert len(seen) == 65 and set(seen) == {p.pk for p in posts}
    likes = [p.like_count for p in sorted(posts, key=lambda p: seen.index(p.pk))]
    assert likes == sorted(likes, reverse=True)


def test_explore_more_link_and_htmx_page(client, alice):
    _explore_posts(35)
    client.force_login(alice)
    r = client.get(reverse("social:explore"))
    assert r.content.decode().count('class="tile"') == 30
    page = r.context["page"]
    assert page.next_cursor and f'hx-get="/explore/?cursor={page.next_cursor}"' in r.content.decode()
    r = client.get(f"/explore/?cursor={page.next_cursor}", **HX)
    assert "<html" not in r.content.decode() and r.content.decode().count('class="tile"') == 5
    # without JS the same link is the full page
    assert b"<html" in client.get(f"/explore/?cursor={page.next_cursor}").content


@pytest.mark.parametrize(
    "cursor", ["x", "3", "abc.def", "-1.MjAyNg", "9" * 30 + ".x", "5.", "7.5.", "7.5", "7..MjAyNg", "x.5.MjAyNg"]
)
def test_explore_refuses_a_cursor_it_did_not_make(client, alice, cursor):
    client.force_login(alice)
    assert client.get(f"/explore/?cursor={cursor}").status_code == 400


def test_explore_later_pages_rank_the_window_of_the_first(alice, monkeypatch):
    monkeypatch.setattr(selectors, "EXPLORE_WINDOW_POSTS", 6)
    posts = _explore_posts(6)
    page = selectors.explore_page(alice, None, 3)
    seen = [p.pk for p in page.items]
    author = posts[0].author
    for _ in range(6):  # posted while the person scrolls: newer than the window of page 1
        PostRowsFactory(author=author, like_count=0)
    page = selectors.explore_page(alice, page.next_cursor, 3)
    seen += [p.pk for p in page.items]
    assert sorted(seen) == sorted(p.pk for p in posts) and page.next_cursor is None


@pytest.mark.parametrize("n", [2, 40])
def test_explore_page_queries_are_constant(client, alice, n, django_assert_num_queries):
    _explore_posts(n)
    cursor = selectors.explore_page(alice, None, 1).next_cursor
    # 1 the window's ids, 2 the posts with authors, 3 their media
    with django_assert_num_queries(3):
        selectors.explore_page(alice, cursor)
