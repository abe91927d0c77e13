"""Grouped notifications ("ana and 12 others liked your post"), the post's thumbnail, "Follow back",
and the nav badge's polled fragment."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.services import graph
from accounts.tests.factories import UserFactory
from posts import services as posts_services
from posts.tests.factories import PostFactory, PostRowsFactory
from social import selectors
from social.models import Notification

from .factories import NotificationFactory, follow

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


def likers(n, post):
    users = [UserFactory(username=f"liker{i}") for i in range(n)]
    for u in users:
        posts_services.like_create(user=u, post_id=post.pk)
    return users


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split()).replace(" .", ".")


def rows_of(page):
    """(kind, post id, names of the group's actors) for each entry of a page."""
    return [(n.kind, n.post_id, [a.username for a in n.group_actors]) for n in page.items]


def test_likes_of_one_post_fold_into_one_entry_named_after_the_newest_liker(client, alice):
    post = PostFactory(author=alice)
    likers(13, post)
    client.force_login(alice)
    body = client.get(reverse("social:notifications")).content.decode()
    assert body.count('data-kind="like"') == 1
    text = text_of(body)
    assert "liker12 and 12 others liked your post." in text
    assert 'data-group-size="13"' in body


def test_two_likers_are_both_named(client, alice):
    post = PostFactory(author=alice)
    likers(2, post)
    client.force_login(alice)
    text = text_of(client.get(reverse("social:notifications")).content.decode())
    assert "liker1 and liker0 liked your post." in text


def test_likes_of_different_posts_or_days_stay_apart(alice, bob, charlie):
    p1, p2 = PostFactory(author=alice), PostFactory(author=alice)
    for u in (bob, charlie):
        posts_services.like_create(user=u, post_id=p1.pk)
    posts_services.like_create(user=bob, post_id=p2.pk)
    old = NotificationFactory(recipient=alice, actor=UserFactory(), kind=Notification.Kind.LIKE, post=p1)
    Notification.objects.filter(pk=old.pk).update(created=timezone.now() - timedelta(days=3))
    entries = rows_of(selectors.notifications_page(alice))
    assert [(k, p, len(a)) for k, p, a in entries] == [("like", p2.pk, 1), ("like", p1.pk, 2), ("like", p1.pk, 1)]


def test_comments_are_not_grouped(alice, bob, charlie):
    post = PostFactory(author=alice)
    posts_services.comment_create(user=bob, post_id=post.pk, body="one")
    posts_services.comment_create(user=charlie, post_id=post.pk, body="two")
    assert [k for k, _, _ in rows_of(selectors.notifications_page(alice))] == ["comment", "comment"]


@pytest.mark.parametrize("size", [1, 3, 7])
def test_paging_shows_each_group_once_with_its_true_count_and_every_other_row_once(alice, size):
    posts = [PostRowsFactory(author=alice) for _ in range(3)]
    people = [UserFactory() for _ in range(5)]
    likes, follows = {}, set()
    for i, u in enumerate(people):
        for p in posts[: 1 + i % 3]:
            posts_services.like_create(user=u, post_id=p.pk)
            likes[p.pk] = likes.get(p.pk, 0) + 1
        graph.follow_create(follower=u, followee=alice)
        follows.add(u.pk)
    seen_groups, seen_follows, cursor = [], [], None
    while True:
        page = selectors.notifications_page(alice, cursor, size=size)
        assert len(page.items) <= size
        for n in page.items:
            if n.kind == Notification.Kind.LIKE:
                seen_groups.append((n.post_id, n.group_size, n.group_actor_count))
            else:
                seen_follows.append(n.actor_id)
        cursor = page.next_cursor
        if not cursor:
            break
    assert sorted(seen_groups) == sorted((p, c, c) for p, c in likes.items())  # each group once, whole
    assert sorted(seen_follows) == sorted(follows)  # every other row once, none twice


def test_a_group_larger_than_a_page_shows_its_true_count_once(alice):
    post = PostRowsFactory(author=alice)
    likers(26, post)
    bob = UserFactory(username="bobby")
    graph.follow_create(follower=bob, followee=alice)
    Notification.objects.filter(kind=Notification.Kind.FOLLOW).update(created=timezone.now() - timedelta(hours=1))
    entries, cursor = [], None
    while True:
        page = selectors.notifications_page(alice, cursor, size=10)
        entries += page.items
        cursor = page.next_cursor
        if not cursor:
            break
    assert [n.kind for n in entries] == ["like", "follow"]
    (group,) = [n for n in entries if n.kind == "like"]
    assert group.actor.username == "liker25" and group.others == 25 and group.group_size == 26


def test_a_like_arriving_between_pages_does_not_show_its_group_again(alice):
    post = PostRowsFactory(author=alice)
    likers(3, post)
    for i in range(3):
        graph.follow_create(follower=UserFactory(username=f"fan{i}"), followee=alice)
    Notification.objects.filter(kind=Notification.Kind.LIKE).update(created=timezone.now() - timedelta(hours=1))
    Notification.objects.filter(kind=Notification.Kind.FOLLOW).update(created=timezone.now() - timedelta(hours=2))
    first = selectors.notifications_page(alice, size=2)
    assert first.items[0].kind == "like" and first.items[0].group_size == 3
    posts_services.like_create(user=UserFactory(username="late"), post_id=post.pk)  # the group's new head
    second = selectors.notifications_page(alice, first.next_cursor, size=2)
    assert [n.kind for n in second.items] == ["follow", "follow"]


def test_a_post_with_more_likes_in_a_day_than_a_page_holds_is_one_entry(client, alice):
    posts = [PostRowsFactory(author=alice) for _ in range(2)]
    likers(35, posts[0])
    posts_services.like_create(user=UserFactory(username="late"), post_id=posts[1].pk)
    client.force_login(alice)
    text = text_of(client.get(reverse("social:notifications")).content.decode())
    assert text.count("liked your post") == 2
    assert "liker34 and 34 others liked your post." in text and "late liked your post." in text


def test_group_is_unread_while_any_of_its_rows_is(alice, bob, charlie):
    post = PostFactory(author=alice)
    posts_services.like_create(user=bob, post_id=post.pk)
    Notification.objects.update(read_at=timezone.now())
    posts_services.like_create(user=charlie, post_id=post.pk)
    (entry,) = selectors.notifications_page(alice).items
    assert entry.group_unread and entry.group_size == 2


def test_entries_show_the_posts_thumbnail(client, alice, bob):
    post = PostFactory(author=alice)
    posts_services.like_create(user=bob, post_id=post.pk)
    client.force_login(alice)
    body = client.get(reverse("social:notifications")).content.decode()
    thumb = re.search(r'<a class="notification__thumb" href="([^"]+)"><img class="notification__thumb-img" src="([^"]+)"', body)
    assert thumb and thumb.group(1) == post.get_absolute_url()


def test_follow_notification_offers_follow_back_until_you_follow(client, alice, bob):
    graph.follow_create(follower=bob, followee=alice)
    client.force_login(alice)
    body = client.get(reverse("social:notifications")).content.decode()
    assert "Follow back" in body and reverse("social:follow", args=["bob"]) in body
    follow(alice, bob)
    body = client.get(reverse("social:notifications")).content.decode()
    assert "Follow back" not in body and "started following you" in body


def test_follow_back_posts_the_follow_and_swaps_the_button(client, alice, bob):
    graph.follow_create(follower=bob, followee=alice)
    client.force_login(alice)
    r = client.post(reverse("social:follow", args=["bob"]), **HX)
    assert r.status_code == 200 and "Following" in r.content.decode()
    assert bob.follower_rows.filter(follower=alice).exists()


def _mixed_notifications(alice, n):
    for _ in range(n):
        post = PostRowsFactory(author=alice)
        for _liker in range(2):
            u = UserFactory()
            posts_services.like_create(user=u, post_id=post.pk)
        f = UserFactory()
        graph.follow_create(follower=f, followee=alice)
        posts_services.comment_create(user=f, post_id=post.pk, body="hey")
        r = UserFactory(is_private=False)
        NotificationFactory(recipient=alice, actor=r, kind=Notification.Kind.FOLLOW_REQUEST)


@pytest.mark.parametrize("n", [1, 6])
def test_notifications_page_queries_are_constant(alice, n, django_assert_num_queries):
    _mixed_notifications(alice, n)
    # 1 the page (actor, post, post author, comment joined; groups' heads only); 2 the groups' totals
    # (one aggregate); 3 the second people of two-person groups; 4 pending requests among
    # requesters; 5 the posts' media (compiled); 6 follow states of the followers (one UNION)
    with django_assert_num_queries(6):
        page = selectors.notifications_page(alice)
    assert len(page.items) == 4 * n


@pytest.mark.parametrize("n", [1, 6])
def test_notifications_view_queries_are_constant(client, alice, n, django_assert_num_queries):
    _mixed_notifications(alice, n)
    client.force_login(alice)
    client.get("/")  # the day's last-active stamp, out of the way
    # session, user, the page's 6 (above), the pending-requests count, mark read; the badge's
    # count is known to be zero after marking, so it costs nothing
    with django_assert_num_queries(10):
        r = client.get(reverse("social:notifications"))
    assert r.status_code == 200


# --- the nav badge --------------------------------------------------------------------------


def test_the_nav_badge_polls_its_own_fragment(client, alice, settings):
    settings.NOTIFICATIONS_POLL_SECONDS = 7
    client.force_login(alice)
    body = client.get("/").content.decode()
    # ... and refetches it on a live badge event (static/js/live.js, which holds the poll while live)
    assert f'hx-get="{reverse("social:notifications_badge")}" hx-trigger="every 7s, live-refresh"' in body


def test_the_badge_fragment_shows_the_unread_count_and_drops_after_a_visit(client, alice, bob):
    post = PostFactory(author=alice)
    client.force_login(alice)
    r = client.get(reverse("social:notifications_badge"), **HX)
    assert r.status_code == 200 and 'id="nav-unread-poll"' in r.content.decode() and 'id="nav-unread"' not in r.content.decode()
    posts_services.like_create(user=bob, post_id=post.pk)
    r = client.get(reverse("social:notifications_badge"), **HX)
    assert 'aria-label="1 unread"' in r.content.decode()
    assert "<html" not in r.content.decode()
    client.get(reverse("social:notifications"))
    r = client.get(reverse("social:notifications_badge"), **HX)
    assert 'id="nav-unread"' not in r.content.decode()


def test_the_badge_fragment_reads_no_table_while_cached(client, alice, bob, django_assert_num_queries):
    post = PostFactory(author=alice)
    posts_services.like_create(user=bob, post_id=post.pk)
    client.force_login(alice)
    client.get(reverse("social:notifications_badge"), **HX)  # counts once and caches
    with django_assert_num_queries(2):  # the session and the user: the count comes from the cache
        r = client.get(reverse("social:notifications_badge"), **HX)
    assert 'aria-label="1 unread"' in r.content.decode()


def test_the_badge_fragment_signed_out_stops_polling(client):
    r = client.get(reverse("social:notifications_badge"), **HX)
    assert r.status_code == 286 and r.content == b""


def test_the_badge_poll_is_marked_as_a_background_request(client, alice):
    client.force_login(alice)
    body = client.get("/").content.decode()
    assert 'data-background-request' in body and """hx-headers='{"X-Background": "1"}'""" in body


def test_a_session_that_only_polls_the_badge_expires(client, alice, settings):
    from freezegun import freeze_time

    settings.SESSION_IDLE_TIMEOUT = 3600
    poll = {"HTTP_HX_REQUEST": "true", "HTTP_X_BACKGROUND": "1"}
    with freeze_time() as frozen:
        client.force_login(alice)
        client.get("/")  # a page view: seen now
        for _ in range(4):
            frozen.tick(timedelta(minutes=20))
            r = client.get(reverse("social:notifications_badge"), **poll)
        assert r.status_code == 286 and r.content == b"" and "HX-Redirect" not in r  # signed out, no redirect
        assert client.get("/settings/").status_code == 302


def test_the_badge_fragment_answers_only_get(client, alice):
    client.force_login(alice)
    assert client.post(reverse("social:notifications_badge")).status_code == 405
