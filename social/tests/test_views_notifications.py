import pytest
from django.urls import reverse

from accounts.models import User
from accounts.services import graph
from instaclone.testing import make_user
from posts import services as posts_services
from posts.tests.factories import PostFactory
from social import services
from social.models import Notification

from .factories import make_private

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


def kinds(user):
    return sorted(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


def test_like_notifies_the_author_and_unlike_removes_it(alice, bob):
    post = PostFactory(author=alice)
    posts_services.like_create(user=bob, post_id=post.pk)
    assert kinds(alice) == ["like"]
    posts_services.like_delete(user=bob, post_id=post.pk)
    assert kinds(alice) == []


def test_liking_your_own_post_notifies_nobody(alice):
    post = PostFactory(author=alice)
    posts_services.like_create(user=alice, post_id=post.pk)
    assert not Notification.objects.exists()


def test_comment_notifies_author_and_mentions(alice, bob, charlie):
    post = PostFactory(author=alice)
    posts_services.comment_create(user=bob, post_id=post.pk, body="nice @charlie and @alice")
    assert kinds(alice) == ["comment"]
    assert kinds(charlie) == ["mention"]


def test_caption_mention_notifies_the_mentioned(alice, bob):
    PostFactory(author=alice, caption="hello @bob")
    assert kinds(bob) == ["mention"]


def test_mention_of_someone_who_cannot_see_the_post_is_not_notified(alice, bob):
    make_private(alice)
    PostFactory(author=alice, caption="hello @bob")
    assert kinds(bob) == []


def test_deleted_post_takes_its_notifications_along(alice, bob):
    post = PostFactory(author=alice)
    posts_services.like_create(user=bob, post_id=post.pk)
    post.delete()
    assert not Notification.objects.exists()


def test_it_lists_notifications_and_marks_them_read(client, alice, bob):
    post = PostFactory(author=alice)
    posts_services.like_create(user=bob, post_id=post.pk)
    graph.follow_create(follower=bob, followee=alice)
    client.force_login(alice)
    r = client.get("/")
    assert b'id="nav-unread"' in r.content and b'aria-label="2 unread"' in r.content
    r = client.get(reverse("social:notifications"))
    assert r.status_code == 200
    body = r.content.decode()
    assert "liked your" in body and "started following you" in body
    assert body.count("notification--unread") == 2
    assert not Notification.objects.filter(recipient=alice, read_at__isnull=True).exists()
    r = client.get("/")
    assert b'id="nav-unread"' not in r.content


def test_hidden_post_notifications_disappear_on_read(client, alice, bob):
    from posts.models import Post

    post = PostFactory(author=alice)
    posts_services.like_create(user=bob, post_id=post.pk)
    Post.objects.filter(pk=post.pk).update(is_hidden=True)
    client.force_login(alice)
    assert client.get(reverse("social:notifications")).context["page"].items == []


def test_suspended_actor_notifications_disappear_on_read(client, alice, bob):
    graph.follow_create(follower=bob, followee=alice)
    User.objects.filter(pk=bob.pk).update(is_active=False)
    client.force_login(alice)
    assert client.get(reverse("social:notifications")).context["page"].items == []


def test_blocking_removes_notifications_between_the_two(client, alice, bob):
    graph.follow_create(follower=bob, followee=alice)
    graph.block_create(blocker=alice, blocked=bob)
    client.force_login(alice)
    assert client.get(reverse("social:notifications")).context["page"].items == []


def test_request_notification_offers_accept_and_decline_while_pending(client, alice, bob):
    make_private(alice)
    graph.follow_create(follower=bob, followee=alice)
    client.force_login(alice)
    r = client.get(reverse("social:notifications"))
    assert b"requested to follow you" in r.content
    assert reverse("social:request_accept", args=["bob"]).encode() in r.content
    assert b"Follow requests" in r.content
    r = client.post(reverse("social:request_accept", args=["bob"]), **HX)
    assert b"now follows you" in r.content
    r = client.get(reverse("social:notifications"))
    assert reverse("social:request_accept", args=["bob"]).encode() not in r.content
    assert b"started following you" in r.content


def test_requester_is_told_when_accepted(client, alice, bob):
    make_private(alice)
    graph.follow_create(follower=bob, followee=alice)
    graph.follow_request_accept(target=alice, requester=bob)
    client.force_login(bob)
    assert b"accepted your follow request" in client.get(reverse("social:notifications")).content


def test_notifications_page_requires_login(client):
    r = client.get(reverse("social:notifications"))
    assert r.status_code == 302 and reverse("account_login") in r["Location"]


@pytest.mark.parametrize("n", [1, 20])
def test_notifications_query_count_is_constant(client, alice, django_assert_num_queries, n):
    post = PostFactory(author=alice)
    make_private(alice)
    for i in range(n):
        u = make_user(f"u{i}")
        graph.follow_create(follower=u, followee=alice)  # a request
        posts_services.comment_create(user=alice, post_id=post.pk, body=f"hi @u{i}")
        services.notification_create(recipient=alice, actor=u, kind="like", post=post)
    client.force_login(alice)
    # 1 session, 2 user, 3 notifications page with actor/post/comment joined (LIMIT size + 1),
    # 4 the like group's true totals (one aggregate), 5 requests still pending among the page's
    # requesters, 6 the liked post's media (its thumbnail), 7 pending requests count (the "Follow
    # requests" link), 8 mark all read (UPDATE), 9 the nav's Direct badge (cache cold: conversations with unread messages); the notifications badge
    # itself costs nothing here: marking all read leaves it 0 in the cache
    with django_assert_num_queries(9):
        client.get(reverse("social:notifications"))


def test_notifications_paginate_with_htmx_partial(client, alice):
    from social.selectors import NOTIFICATIONS_PAGE_SIZE

    for i in range(NOTIFICATIONS_PAGE_SIZE + 2):
        services.notification_create(recipient=alice, actor=make_user(f"n{i}"), kind="follow")
    client.force_login(alice)
    r = client.get(reverse("social:notifications"))
    page = r.context["page"]
    assert len(page.items) == NOTIFICATIONS_PAGE_SIZE and page.next_cursor
    assert b'hx-trigger="revealed"' in r.content
    r = client.get(reverse("social:notifications") + f"?cursor={page.next_cursor}", **HX)
    assert b"<html" not in r.content
    body = r.content.decode()
    assert body.count('<li class="notification"') == 2  # (the test client does not capture a partial's context)
    assert body.index("/n1/") < body.index("/n0/")


def test_notifications_broken_cursor_is_400(client, alice):
    client.force_login(alice)
    assert client.get(reverse("social:notifications") + "?cursor=%%%").status_code == 400


def test_unread_badge_caps_at_99_plus(client, alice):
    bob = make_user("bobx")
    post = PostFactory(author=alice)
    Notification.objects.bulk_create(  # rows only, in one INSERT (NotificationFactory makes one at a time)
        [Notification(recipient=alice, actor=bob, kind="like", post=post) for _ in range(120)]
    )
    client.force_login(alice)
    assert b"99+" in client.get("/").content


def test_notifications_show_times_as_the_feed_does(client, alice, bob):
    """One time format everywhere ({% timeago %}): 'now' with the full date as tooltip, not '0 minutes ago'."""
    post = PostFactory(author=alice)
    posts_services.like_create(user=bob, post_id=post.pk)
    client.force_login(alice)
    html = client.get(reverse("social:notifications")).content.decode()
    assert ">now</time>" in html and " ago<" not in html
