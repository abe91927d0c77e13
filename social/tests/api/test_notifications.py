"""GET /api/v1/notifications (+ /:id), POST /api/v1/notifications/clear and /:id/dismiss
(issue 14): Mastodon's v1 list over the web's notifications, one entry per row."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache

from accounts.services import graph
from accounts.tests.factories import BlockFactory
from instaclone.testing import api_token
from posts.models import PostMedia
from posts.services import comment_create, like_create, photo_tag_add
from posts.tests.factories import PostRowsFactory
from social.models import Notification
from social.selectors import unread_badge_count, unread_cache_key

from ..factories import NotificationFactory, make_private

pytestmark = pytest.mark.django_db

URL = "/api/v1/notifications"


def auth(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def next_link(response) -> str | None:
    match = re.search(r'<https?://[^/]+([^>]+)>; rel="next"', response.get("Link", ""))
    return match.group(1) if match else None


@pytest.fixture
def token(alice):
    return auth(api_token(alice, "read write"))


def get(client, url, token):
    r = client.get(url, **token)
    assert r.status_code == 200, r.content
    return r.json()


def test_each_kind_as_mastodons_type(client, alice, bob, charlie, token):
    post = PostRowsFactory(author=alice, caption="mine")
    like_create(user=bob, post_id=post.pk)
    like_create(user=charlie, post_id=post.pk)  # the web groups these two; the API lists both
    comment = comment_create(user=bob, post_id=post.pk, body="nice @alice")
    graph.follow_create(follower=charlie, followee=alice)
    tagged = PostRowsFactory(author=bob, caption="look")
    photo_tag_add(author=bob, media=PostMedia.objects.get(post=tagged), user=alice, x=0.5, y=0.5)
    NotificationFactory(recipient=alice, actor=bob, kind=Notification.Kind.FOLLOW_ACCEPTED)

    data = get(client, URL, token)
    got = [(n["type"], n["account"]["username"], (n.get("status") or {}).get("id")) for n in data]
    assert got == [
        ("mention", "bob", str(tagged.pk)),  # the photo tag: the post
        ("follow", "charlie", None),
        ("mention", "bob", str(10**15 + comment.pk)),  # the comment (one row, though it mentions
        # alice too), a reply to the post
        ("favourite", "charlie", str(post.pk)),
        ("favourite", "bob", str(post.pk)),
    ]  # follow_accepted has no Mastodon type: not listed
    reply = data[2]["status"]
    assert reply["in_reply_to_id"] == str(post.pk) and "nice" in reply["content"]
    assert '<a href="/alice/"' in reply["content"] or "/alice/" in reply["content"]
    assert set(data[0]) == {"id", "type", "created_at", "group_key", "account", "status"}
    assert "status" not in data[1]


def test_follow_request_type(client, alice, bob, token):
    make_private(alice)
    graph.follow_create(follower=bob, followee=alice)
    assert [n["type"] for n in get(client, URL, token)] == ["follow_request"]


def test_types_exclude_types_and_account_id_filter(client, alice, bob, charlie, token):
    post = PostRowsFactory(author=alice)
    like_create(user=bob, post_id=post.pk)
    graph.follow_create(follower=bob, followee=alice)
    graph.follow_create(follower=charlie, followee=alice)
    types = lambda q: [n["type"] for n in get(client, f"{URL}?{q}", token)]  # noqa: E731
    assert types("types[]=favourite") == ["favourite"]
    assert types("types[]=follow&types[]=favourite") == ["follow", "follow", "favourite"]
    assert types("exclude_types[]=follow") == ["favourite"]
    assert types("types[]=reblog") == []
    assert types(f"account_id={bob.pk}") == ["follow", "favourite"]
    assert types(f"account_id={bob.pk}&exclude_types[]=favourite") == ["follow"]


def test_pages_by_link_headers_and_numeric_ids(client, alice, token):
    people = []
    for i in range(5):
        from instaclone.testing import make_user

        person = make_user(f"fan{i}")
        graph.follow_create(follower=person, followee=alice)
        people.append(person)
    seen, url = [], f"{URL}?limit=2"
    while url:
        r = client.get(url, **token)
        seen += [n["account"]["username"] for n in r.json()]
        url = next_link(r)
    assert seen == [f"fan{i}" for i in reversed(range(5))]
    rows = list(Notification.objects.filter(recipient=alice).order_by("-id"))
    newer = get(client, f"{URL}?min_id={rows[2].pk}&limit=1", token)
    assert [n["id"] for n in newer] == [str(rows[1].pk)]  # just newer than min_id
    assert [n["id"] for n in get(client, f"{URL}?max_id={rows[1].pk}&limit=1", token)] == [str(rows[2].pk)]


def test_blocked_and_suspended_actors_and_invisible_posts_are_not_listed(client, alice, bob, charlie, token):
    NotificationFactory(recipient=alice, actor=bob, kind="follow")
    NotificationFactory(recipient=alice, actor=charlie, kind="follow")
    hidden = PostRowsFactory(author=alice, hidden=True)
    NotificationFactory(recipient=alice, actor=charlie, kind="like", post=hidden)
    BlockFactory(blocker=alice, blocked=bob)
    assert [n["account"]["username"] for n in get(client, URL, token)] == ["charlie"]
    charlie.is_active = False
    charlie.save(update_fields=["is_active"])
    assert get(client, URL, token) == []


def test_one_notification_and_404_for_someone_elses(client, alice, bob, token):
    mine = NotificationFactory(recipient=alice, actor=bob, kind="follow")
    theirs = NotificationFactory(recipient=bob, actor=alice, kind="follow")
    accepted = NotificationFactory(recipient=alice, actor=bob, kind="follow_accepted")
    assert get(client, f"{URL}/{mine.pk}", token)["type"] == "follow"
    for pk in (theirs.pk, accepted.pk, "x", 10**20):
        r = client.get(f"{URL}/{pk}", **token)
        assert r.status_code == 404 and r.json() == {"error": "Record not found"}


def test_dismiss_and_clear_delete_and_forget_the_badge(client, alice, bob, charlie, token):
    one = NotificationFactory(recipient=alice, actor=bob, kind="follow")
    NotificationFactory(recipient=alice, actor=charlie, kind="follow")
    theirs = NotificationFactory(recipient=bob, actor=alice, kind="follow")
    assert unread_badge_count(alice) == 2  # cached
    r = client.post(f"{URL}/{one.pk}/dismiss", **token)
    assert r.status_code == 200 and r.json() == {}
    assert cache.get(unread_cache_key(alice.pk)) is None
    assert unread_badge_count(alice) == 1
    assert client.post(f"{URL}/{one.pk}/dismiss", **token).status_code == 404
    assert client.post(f"{URL}/{theirs.pk}/dismiss", **token).status_code == 404
    assert client.post(f"{URL}/clear", **token).status_code == 200
    assert not Notification.objects.filter(recipient=alice).exists()
    assert Notification.objects.filter(pk=theirs.pk).exists()
    assert unread_badge_count(alice) == 0


def test_scopes(client, alice, bob):
    n = NotificationFactory(recipient=alice, actor=bob, kind="follow")
    read = auth(api_token(alice, "read"))
    write = auth(api_token(alice, "write:notifications"))
    assert client.get(URL).status_code == 401
    assert client.get(URL, **auth(api_token(None, "read"))).status_code == 422
    assert client.get(URL, **auth(api_token(alice, "read:statuses"))).status_code == 403
    assert client.get(URL, **write).status_code == 403
    assert client.get(f"{URL}/{n.pk}", **write).status_code == 403
    assert client.get(URL, **auth(api_token(alice, "read:notifications"))).status_code == 200
    assert client.post(f"{URL}/{n.pk}/dismiss", **read).status_code == 403
    assert client.post(f"{URL}/clear", **read).status_code == 403
    assert Notification.objects.filter(pk=n.pk).exists()
    assert client.get(f"{URL}/clear", **write).status_code == 405
    assert client.post(f"{URL}/{n.pk}/dismiss", **write).status_code == 200


@pytest.mark.parametrize("n_each", [1, 6])
def test_query_count_is_constant(client, alice, bob, charlie, token, django_assert_num_queries, n_each):
    """One like, comment and follow (3 entries) or six likes and comments (13 entries): the same
    count. (A page without comments skips query 8, one without posts 3-7: the count depends on
    which kinds a page holds, never on how many.)"""
    for i in range(n_each):
        post = PostRowsFactory(author=alice, caption=f"p{i} @bob #tag")
        like_create(user=bob, post_id=post.pk)
        comment_create(user=charlie, post_id=post.pk, body=f"hi @alice {i}")
    graph.follow_create(follower=bob, followee=alice)
    client.get(URL, **token)  # the day's first request stamps alice active
    # 1 token, 2 the page with actors, posts, their authors and comments, 3 the posts' media,
    # 4 favourited and 5 bookmarked flags, 6 mentions, 7 hashtags of the posts, 8 the people the
    # comments mention
    with django_assert_num_queries(8):
        data = get(client, URL, token)
    assert len(data) == 2 * n_each + 1


def test_a_mention_in_a_comment_is_that_comment(client, alice, bob, charlie, token):
    post = PostRowsFactory(author=bob)
    comment = comment_create(user=charlie, post_id=post.pk, body="look @alice")
    (n,) = get(client, URL, token)
    assert (n["type"], n["account"]["username"]) == ("mention", "charlie")
    assert n["status"]["id"] == str(10**15 + comment.pk) and n["status"]["in_reply_to_id"] == str(post.pk)
    assert n["status"]["account"]["username"] == "charlie"


def test_a_single_favourite_costs_seven_queries(client, alice, bob, token, django_assert_num_queries):
    like_create(user=bob, post_id=PostRowsFactory(author=alice).pk)
    client.get(URL, **token)
    # 1 token, 2 page, 3 media, 4 favourited, 5 bookmarked, 6 mentions, 7 hashtags (no comment: no 8)
    with django_assert_num_queries(7):
        assert len(get(client, URL, token)) == 1
