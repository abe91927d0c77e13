"""GET /api/v1/follow_requests and POST /api/v1/follow_requests/:id/authorize|reject (issue 14): the
requests page's list and the graph services' accept/decline, with Link headers, scopes and 404s."""

from __future__ import annotations

import re

import pytest

from accounts.models import Follow, FollowRequest, User
from accounts.tests.factories import BlockFactory, FollowFactory, UserFactory, fresh, make_private
from instaclone.testing import api_token

pytestmark = pytest.mark.django_db

REQUESTS = "/api/v1/follow_requests"


def auth(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def next_link(response) -> str | None:
    found = re.search(r'<([^>]+)>; rel="next"', response.get("Link", ""))
    return "/" + found.group(1).split("://", 1)[1].split("/", 1)[1] if found else None


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [int(item["id"]) for item in response.json()]


@pytest.fixture
def private_alice(alice):
    return make_private(alice)


@pytest.fixture
def token(private_alice):
    return api_token(private_alice)


def ask(requester, target):
    return FollowFactory(follower=requester, followee=target, accept=False)


def test_it_lists_waiting_requests_newest_first_as_accounts(client, private_alice, bob, charlie, token):
    ask(bob, private_alice)
    ask(charlie, private_alice)
    response = client.get(REQUESTS, **auth(token))
    assert ids(response) == [charlie.pk, bob.pk]
    assert response.json()[0]["username"] == "charlie"


def test_it_pages_by_link_headers(client, private_alice, token):
    people = [UserFactory() for _ in range(5)]
    for person in people:
        ask(person, private_alice)
    newest_first = [p.pk for p in reversed(people)]
    first = client.get(REQUESTS, {"limit": 2}, **auth(token))
    assert ids(first) == newest_first[:2]
    second = client.get(next_link(first), **auth(token))
    assert ids(second) == newest_first[2:4]
    third = client.get(next_link(second), **auth(token))
    assert ids(third) == newest_first[4:] and next_link(third) is None


def test_requests_from_people_the_owner_may_not_see_are_left_out(client, private_alice, bob, charlie, token):
    ask(bob, private_alice)
    ask(charlie, private_alice)
    User.objects.filter(pk=charlie.pk).update(is_active=False)
    assert ids(client.get(REQUESTS, **auth(token))) == [bob.pk]


def test_authorize_makes_the_follow_and_returns_the_relationship(client, private_alice, bob, token):
    ask(bob, private_alice)
    response = client.post(f"{REQUESTS}/{bob.pk}/authorize", **auth(token))
    assert response.status_code == 200
    data = response.json()
    assert data["id"] == str(bob.pk) and data["followed_by"] is True and data["requested_by"] is False
    assert Follow.objects.filter(follower=bob, followee=private_alice).exists()
    assert fresh(private_alice).follower_count == 1
    assert client.get(REQUESTS, **auth(token)).json() == []


def test_reject_drops_the_request(client, private_alice, bob, token):
    ask(bob, private_alice)
    response = client.post(f"{REQUESTS}/{bob.pk}/reject", **auth(token))
    assert response.status_code == 200
    assert response.json()["followed_by"] is False and response.json()["requested_by"] is False
    assert not FollowRequest.objects.exists() and not Follow.objects.exists()


@pytest.mark.parametrize("action", ["authorize", "reject"])
def test_answering_a_request_that_is_not_there_is_a_404(client, private_alice, bob, token, action):
    assert client.post(f"{REQUESTS}/{bob.pk}/{action}", **auth(token)).status_code == 404
    ask(bob, private_alice)
    assert client.post(f"{REQUESTS}/{bob.pk}/{action}", **auth(token)).status_code == 200
    assert client.post(f"{REQUESTS}/{bob.pk}/{action}", **auth(token)).status_code == 404  # answered already
    assert client.post(f"{REQUESTS}/987654/{action}", **auth(token)).status_code == 404
    assert client.post(f"{REQUESTS}/x/{action}", **auth(token)).status_code == 404


def test_a_block_withdraws_the_request(client, private_alice, bob, token):
    ask(bob, private_alice)
    BlockFactory(blocker=private_alice, blocked=bob)
    assert client.get(REQUESTS, **auth(token)).json() == []
    assert client.post(f"{REQUESTS}/{bob.pk}/authorize", **auth(token)).status_code == 404
    assert not Follow.objects.exists()


def test_scopes(client, private_alice, bob):
    ask(bob, private_alice)
    read = api_token(private_alice, "read")
    assert client.get(REQUESTS, **auth(read)).status_code == 200
    assert client.get(REQUESTS, **auth(api_token(private_alice, "read:accounts"))).status_code == 403
    for action in ("authorize", "reject"):
        response = client.post(f"{REQUESTS}/{bob.pk}/{action}", **auth(read))
        assert response.status_code == 403
    assert FollowRequest.objects.count() == 1
    follow_scope = api_token(private_alice, "follow")
    assert client.get(REQUESTS, **auth(follow_scope)).status_code == 200
    assert client.post(f"{REQUESTS}/{bob.pk}/authorize", **auth(follow_scope)).status_code == 200
