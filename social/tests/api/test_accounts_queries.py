"""Query budgets of the client API's accounts lists (issue 14): the same number of queries for one
item as for many, each query named."""

from __future__ import annotations

import pytest
from django.utils import timezone

from accounts.models import User
from accounts.tests.factories import BlockFactory, FollowFactory, UserFactory, make_private
from instaclone.testing import api_token
from posts.tests.factories import PostRowsFactory

pytestmark = pytest.mark.django_db

MANY = [1, 6]


def auth(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


@pytest.fixture
def token(alice):
    # active today already: social's activity middleware writes last_active once a day, not here
    User.objects.filter(pk=alice.pk).update(last_active=timezone.localdate())
    return api_token(alice, "read write follow")


def ok(response, n: int):
    assert response.status_code == 200, response.content
    assert len(response.json()) == n
    return response


@pytest.mark.parametrize("n", MANY)
def test_statuses_first_and_later_page(client, django_assert_num_queries, alice, bob, token, n):
    posts = [PostRowsFactory(author=bob, caption=f"#tag{i} @alice") for i in range(n + 1)]
    url = f"/api/v1/accounts/{bob.pk}/statuses"
    # 1 the token with its user (select_related)
    # 2 the owner through User.objects.visible_to, with content_visible
    # 3 the page of posts (the profile grid's, through Post.objects.visible_to)
    # 4 their media
    # 5 the viewer's likes among them, 6 the viewer's saves
    # 7 the mentioned people the viewer may see, 8 the hashtags
    with django_assert_num_queries(8):
        ok(client.get(url, {"limit": n}, **auth(token)), n)
    # a later page, by a status id: one more query to find that post's cursor
    with django_assert_num_queries(9):
        ok(client.get(url, {"max_id": posts[-1].pk, "limit": n}, **auth(token)), n)


@pytest.mark.parametrize("which", ["followers", "following"])
@pytest.mark.parametrize("n", MANY)
def test_followers_and_following(client, django_assert_num_queries, alice, bob, token, which, n):
    make_private(bob)
    FollowFactory(follower=alice, followee=bob)  # a private account's lists: for its followers
    for _ in range(n):
        other = UserFactory()
        if which == "followers":
            FollowFactory(follower=other, followee=bob)
        else:
            FollowFactory(follower=bob, followee=other)
        FollowFactory(follower=alice, followee=other)
    expected = n + 1 if which == "followers" else n  # alice is one of bob's followers
    # 1 the token with its user
    # 2 the owner through User.objects.visible_to, with content_visible
    # 3 the follow rows with the people, through visible_profiles_q
    # 4 the viewer's follow states towards them (follows UNION requests)
    with django_assert_num_queries(4):
        ok(client.get(f"/api/v1/accounts/{bob.pk}/{which}", {"limit": 40}, **auth(token)), expected)


@pytest.mark.parametrize("n", MANY)
def test_relationships(client, django_assert_num_queries, alice, token, n):
    people = [UserFactory() for _ in range(n)]
    FollowFactory(follower=alice, followee=people[0])
    BlockFactory(blocker=alice, blocked=people[-1])
    # 1 the token with its user
    # 2 every relationship: visible people UNION ALL the people the viewer blocked, flags as EXISTS
    with django_assert_num_queries(2):
        ok(client.get("/api/v1/accounts/relationships", {"id[]": [p.pk for p in people]}, **auth(token)), n)


@pytest.mark.parametrize("n", MANY)
def test_follow_requests(client, django_assert_num_queries, alice, token, n):
    make_private(alice)
    for _ in range(n):
        FollowFactory(follower=UserFactory(), followee=alice, accept=False)
    # 1 the token with its user
    # 2 the request rows with their requesters, through visible_profiles_q
    with django_assert_num_queries(2):
        ok(client.get("/api/v1/follow_requests", **auth(token)), n)


@pytest.mark.parametrize("n", MANY)
def test_search(client, django_assert_num_queries, alice, token, n):
    for i in range(n):
        person = UserFactory(username=f"seeker{i}")
        FollowFactory(follower=alice, followee=person)
    # 1 the token with its user
    # 2 the people, through User.objects.visible_to
    # 3 the viewer's follow states towards them
    with django_assert_num_queries(3):
        ok(client.get("/api/v1/accounts/search", {"q": "seek"}, **auth(token)), n)


@pytest.mark.parametrize("n", MANY)
def test_blocks(client, django_assert_num_queries, alice, token, n):
    for _ in range(n):
        BlockFactory(blocker=alice, blocked=UserFactory())
    # 1 the token with its user
    # 2 the block rows with the people blocked
    with django_assert_num_queries(2):
        ok(client.get("/api/v1/blocks", **auth(token)), n)


def test_an_account_and_verify_credentials(client, django_assert_num_queries, bob, token):
    # 1 the token with its user, 2 the account through User.objects.visible_to
    with django_assert_num_queries(2):
        assert client.get(f"/api/v1/accounts/{bob.pk}", **auth(token)).status_code == 200
    # 1 the token with its user, 2 the follow requests waiting (source.follow_requests_count)
    with django_assert_num_queries(2):
        assert client.get("/api/v1/accounts/verify_credentials", **auth(token)).status_code == 200
