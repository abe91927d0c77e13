"""GET /api/v2/search (issue 14): people and hashtags through the web search's selectors, a post
only for a pasted link to a post the reader may see."""

from __future__ import annotations

import pytest

from accounts.tests.factories import BlockFactory
from instaclone.testing import api_token, make_user
from posts.tests.factories import PostFactory, PostRowsFactory

from ..factories import make_private

pytestmark = pytest.mark.django_db

URL = "/api/v2/search"


def auth(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


@pytest.fixture
def token(bob):
    return auth(api_token(bob, "read"))


def search(client, token, **params):
    r = client.get(URL, params, **token)
    assert r.status_code == 200, r.content
    return r.json()


def test_it_finds_people_and_hashtags(client, alice, bob, token):
    make_user("alina")
    PostFactory(author=alice, caption="#alpine")
    data = search(client, token, q="al")
    assert sorted(a["username"] for a in data["accounts"]) == ["alice", "alina"]
    assert [h["name"] for h in data["hashtags"]] == ["alpine"]
    assert data["statuses"] == []
    assert data["accounts"][0]["url"].startswith("http://testserver/")


def test_type_and_limit(client, alice, bob, token):
    make_user("alina")
    PostFactory(author=alice, caption="#alpine")
    assert search(client, token, q="al", type="hashtags")["accounts"] == []
    assert search(client, token, q="al", type="accounts")["hashtags"] == []
    assert len(search(client, token, q="al", type="accounts", limit=1)["accounts"]) == 1
    assert search(client, token, q="al", offset=20) == {"accounts": [], "statuses": [], "hashtags": []}
    assert client.get(URL, {"q": "al", "type": "reblogs"}, **token).status_code == 400
    assert client.get(URL, **token).status_code == 400


def test_blocked_people_and_private_only_hashtags_are_not_found(client, alice, bob, charlie, token):
    BlockFactory(blocker=alice, blocked=bob)
    make_private(charlie)
    PostFactory(author=charlie, caption="#chsecret")
    assert search(client, token, q="ali")["accounts"] == []
    assert search(client, token, q="chs")["hashtags"] == []
    assert [h["name"] for h in search(client, auth(api_token(charlie, "read")), q="chs")["hashtags"]] == ["chsecret"]


def test_a_post_link_finds_the_post_only_when_visible(client, alice, bob, charlie, token):
    public = PostRowsFactory(author=alice, caption="hello")
    make_private(charlie)
    private = PostRowsFactory(author=charlie, caption="hidden")
    found = search(client, token, q=f"http://testserver/p/{public.pk}/")
    assert [s["id"] for s in found["statuses"]] == [str(public.pk)]
    assert search(client, token, q=f"http://testserver/p/{private.pk}/")["statuses"] == []
    assert search(client, token, q=f"http://elsewhere.example/p/{public.pk}/")["statuses"] == []
    assert search(client, token, q="http://testserver/alice/")["statuses"] == []


def test_signed_out_search_works_and_a_token_needs_read_search(client, alice, bob):
    assert [a["username"] for a in search(client, {}, q="ali")["accounts"]] == ["alice"]
    assert client.get(URL, {"q": "ali"}, **auth(api_token(bob, "write"))).status_code == 403
    assert client.get(URL, {"q": "ali"}, **auth(api_token(bob, "read:search"))).status_code == 200
