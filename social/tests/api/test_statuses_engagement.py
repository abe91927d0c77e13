"""The client API's favourites and bookmarks: the likes and saves services, the viewer's lists
(keyset pages with Link headers and Mastodon's max_id / since_id / min_id), who favourited a post,
and the query budgets of every read."""

from __future__ import annotations

import re

import pytest

from instaclone.testing import api_token
from posts.models import Like, Save
from posts.tests.factories import CommentFactory, LikeFactory, PostRowsFactory, SaveFactory
from social.api.serializers import comment_status_id

from ..factories import UserFactory

pytestmark = pytest.mark.django_db

STATUSES = "/api/v1/statuses"


def auth(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def links(response) -> dict[str, str]:
    """rel -> path and query of the Link header's URLs."""
    return {rel: "/" + url.split("://", 1)[1].split("/", 1)[1]
            for url, rel in re.findall(r'<([^>]+)>; rel="(\w+)"', response.get("Link", ""))}


def ids(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()]


@pytest.fixture
def token(alice):
    return api_token(alice)


# --- favourite / bookmark ------------------------------------------------------------------------


def test_favourite_and_unfavourite_a_post(client, token, alice, bob):
    post = PostRowsFactory(author=bob)
    liked = client.post(f"{STATUSES}/{post.pk}/favourite", **auth(token))
    assert liked.status_code == 200
    assert (liked.json()["favourited"], liked.json()["favourites_count"]) == (True, 1)
    again = client.post(f"{STATUSES}/{post.pk}/favourite", **auth(token))  # idempotent
    assert again.json()["favourites_count"] == 1 and Like.objects.count() == 1
    unliked = client.post(f"{STATUSES}/{post.pk}/unfavourite", **auth(token))
    assert (unliked.json()["favourited"], unliked.json()["favourites_count"]) == (False, 0)
    assert not Like.objects.exists()


def test_bookmark_and_unbookmark_a_post(client, token, alice, bob):
    post = PostRowsFactory(author=bob)
    saved = client.post(f"{STATUSES}/{post.pk}/bookmark", **auth(token))
    assert saved.status_code == 200 and saved.json()["bookmarked"] is True
    assert Save.objects.filter(user=alice, post=post).exists()
    unsaved = client.post(f"{STATUSES}/{post.pk}/unbookmark", **auth(token))
    assert unsaved.json()["bookmarked"] is False and not Save.objects.exists()


def test_comments_cannot_be_favourited_or_bookmarked(client, token, bob):
    post = PostRowsFactory(author=bob)
    comment = CommentFactory(author=bob, post=post)
    hidden_post = PostRowsFactory(author=bob, hidden=True)
    invisible = CommentFactory(author=bob, post=PostRowsFactory(author=bob))
    from posts.models import Comment

    Comment.objects.filter(pk=invisible.pk).update(post=hidden_post)
    for action in ("favourite", "unfavourite", "bookmark", "unbookmark"):
        refused = client.post(f"{STATUSES}/{comment_status_id(comment.pk)}/{action}", **auth(token))
        assert refused.status_code == 422, action
        assert "only posts" in refused.json()["error"]
        # a comment the caller may not see is not told to exist
        assert client.post(f"{STATUSES}/{comment_status_id(invisible.pk)}/{action}", **auth(token)).status_code == 404
    assert client.get(f"{STATUSES}/{comment_status_id(comment.pk)}/favourited_by", **auth(token)).json() == []
    assert not Like.objects.exists() and not Save.objects.exists()


def test_reposts_do_not_exist_here(client, token, bob):
    post = PostRowsFactory(author=bob)
    comment = CommentFactory(author=bob, post=post)
    for sid in (str(post.pk), comment_status_id(comment.pk)):
        for action in ("reblog", "unreblog"):
            refused = client.post(f"{STATUSES}/{sid}/{action}", **auth(token))
            assert refused.status_code == 422 and refused.json() == {"error": "Reposting isn't available here."}
        assert client.get(f"{STATUSES}/{sid}/reblogged_by").json() == []
    hidden = PostRowsFactory(author=bob, hidden=True)
    assert client.post(f"{STATUSES}/{hidden.pk}/reblog", **auth(token)).status_code == 404
    assert client.get(f"{STATUSES}/{hidden.pk}/reblogged_by", **auth(token)).status_code == 404


# --- lists ---------------------------------------------------------------------------------------


@pytest.fixture
def three_liked_and_saved(alice, bob):
    """Three posts of bob's, liked and saved by alice in the order oldest, middle, newest."""
    posts = [PostRowsFactory(author=bob, caption=f"p{i}") for i in range(3)]
    for post in posts:
        LikeFactory(user=alice, post=post)
        SaveFactory(user=alice, post=post)
    return posts


@pytest.mark.parametrize(("path", "flag"), [("/api/v1/favourites", "favourited"), ("/api/v1/bookmarks", "bookmarked")])
def test_lists_are_newest_first_and_paged_by_link_headers(client, token, three_liked_and_saved, path, flag):
    posts = three_liked_and_saved
    newest_first = [str(p.pk) for p in reversed(posts)]
    full = client.get(path, **auth(token))
    assert ids(full) == newest_first
    assert all(status[flag] for status in full.json())

    first = client.get(path, {"limit": 2}, **auth(token))
    assert ids(first) == newest_first[:2]
    second = client.get(links(first)["next"], **auth(token))
    assert ids(second) == newest_first[2:]
    assert "next" not in links(second)
    back = client.get(links(second)["prev"], **auth(token))  # min_id: the ones just newer
    assert ids(back) == newest_first[:2]


@pytest.mark.parametrize("path", ["/api/v1/favourites", "/api/v1/bookmarks"])
def test_numeric_bounds_are_status_ids(client, token, three_liked_and_saved, path):
    oldest, middle, newest = three_liked_and_saved
    assert ids(client.get(path, {"max_id": newest.pk}, **auth(token))) == [str(middle.pk), str(oldest.pk)]
    assert ids(client.get(path, {"since_id": oldest.pk}, **auth(token))) == [str(newest.pk), str(middle.pk)]
    assert ids(client.get(path, {"min_id": oldest.pk, "limit": 1}, **auth(token))) == [str(middle.pk)]
    unknown = client.get(path, {"max_id": 999999}, **auth(token))  # no such status: an empty page
    assert unknown.status_code == 200 and unknown.json() == []
    assert client.get(path, {"max_id": "not-a-cursor"}, **auth(token)).status_code == 400


def test_favourites_are_the_callers_own(client, alice, bob, charlie):
    post = PostRowsFactory(author=charlie)
    LikeFactory(user=bob, post=post)
    SaveFactory(user=bob, post=post)
    token = api_token(alice)
    assert client.get("/api/v1/favourites", **auth(token)).json() == []
    assert client.get("/api/v1/bookmarks", **auth(token)).json() == []


def test_favourited_by_lists_visible_likers_newest_first(client, token, alice, bob, charlie):
    post = PostRowsFactory(author=bob)
    dave = UserFactory(username="dave")
    for user in (charlie, dave, alice):
        LikeFactory(user=user, post=post)
    suspended = UserFactory(username="gone")
    LikeFactory(user=suspended, post=post)
    suspended.is_active = False
    suspended.save(update_fields=["is_active"])

    url = f"{STATUSES}/{post.pk}/favourited_by"
    anonymous = client.get(url)
    assert [a["username"] for a in anonymous.json()] == ["alice", "dave", "charlie"]
    page = client.get(url, {"limit": 2}, **auth(token))
    assert [a["username"] for a in page.json()] == ["alice", "dave"]
    rest = client.get(links(page)["next"], **auth(token))
    assert [a["username"] for a in rest.json()] == ["charlie"]
    by_account = client.get(url, {"max_id": dave.pk}, **auth(token))  # numeric bounds are account ids
    assert [a["username"] for a in by_account.json()] == ["charlie"]


# --- query budgets -------------------------------------------------------------------------------
#
# Every request with a user's token first runs the plumbing's own queries (instaclone.api: the
# token by its checksum, with its user; whatever the confirmed-email check of accounts needs). They
# are measured once per test on a request that runs a single query of its own, after a warm-up
# request (the first request of the day also stamps `last_active`), so each budget below names
# only the endpoint's queries on top of them.


@pytest.fixture
def plumbing_queries(client, token):
    """How many queries the plumbing runs for a user token (measured, see above)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get("/api/v1/media/999999999", **auth(token))  # warm-up
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/api/v1/media/999999999", **auth(token))  # the plumbing, then the draft
    assert response.status_code == 404
    return len(ctx.captured_queries) - 1


@pytest.fixture(params=[1, 4], ids=["one", "many"])
def n(request):
    return request.param


def test_get_a_status_costs_the_same_for_any_number_of_media_and_tags(
    client, token, alice, bob, n, plumbing_queries, django_assert_num_queries
):
    from posts.models import Hashtag, PostHashtag

    post = PostRowsFactory(author=bob, media=n, caption="hi @alice")
    for i in range(n):
        tag = Hashtag.objects.create(name=f"t{i}")
        PostHashtag.objects.create(post=post, hashtag=tag, created=post.created)
    # the post with its author and the viewer's liked/saved flags, its media, its mentions, its tags
    with django_assert_num_queries(plumbing_queries + 4):
        response = client.get(f"{STATUSES}/{post.pk}", **auth(token))
    assert len(response.json()["media_attachments"]) == n and len(response.json()["tags"]) == n


def test_get_a_comment_costs_two_queries(client, token, bob, plumbing_queries, django_assert_num_queries):
    comment = CommentFactory(author=bob, post=PostRowsFactory(author=bob), body="hi @bob")
    # the comment with its author, post and post author; the mentioned names it may link
    with django_assert_num_queries(plumbing_queries + 2):
        assert client.get(f"{STATUSES}/{comment_status_id(comment.pk)}", **auth(token)).status_code == 200


def test_context_costs_the_same_for_one_or_many_comments(
    client, token, bob, charlie, n, plumbing_queries, django_assert_num_queries
):
    post = PostRowsFactory(author=bob)
    for i in range(n):
        CommentFactory(author=charlie if i % 2 else bob, post=post, body=f"@bob {i}")
    # the post (the rule); its comments with their authors; the names their @mentions may link
    with django_assert_num_queries(plumbing_queries + 3):
        response = client.get(f"{STATUSES}/{post.pk}/context", **auth(token))
    assert len(response.json()["descendants"]) == n


@pytest.mark.parametrize(
    ("path", "queries"),
    [
        # the likes with their posts, authors and saved flags; the posts' media; mentions; tags
        ("/api/v1/favourites", 4),
        # the saves with their posts and authors (saved_page); media; the viewer's liked ids; saved
        # ids; mentions; tags
        ("/api/v1/bookmarks", 6),
    ],
)
def test_lists_cost_the_same_for_one_or_many(
    client, token, alice, bob, charlie, n, path, queries, plumbing_queries, django_assert_num_queries
):
    for i in range(n):
        post = PostRowsFactory(author=bob if i % 2 else charlie, media=2)
        LikeFactory(user=alice, post=post)
        SaveFactory(user=alice, post=post)
    with django_assert_num_queries(plumbing_queries + queries):
        response = client.get(path, **auth(token))
    assert len(response.json()) == n


def test_favourites_carry_the_callers_bookmark_flags(client, token, alice, bob):
    saved, unsaved = PostRowsFactory(author=bob), PostRowsFactory(author=bob)
    for post in (saved, unsaved):
        LikeFactory(user=alice, post=post)
    SaveFactory(user=alice, post=saved)
    LikeFactory(user=bob, post=unsaved)
    flags = {s["id"]: (s["favourited"], s["bookmarked"]) for s in client.get("/api/v1/favourites", **auth(token)).json()}
    assert flags == {str(saved.pk): (True, True), str(unsaved.pk): (True, False)}


def test_favourited_by_costs_the_same_for_one_or_many(
    client, token, bob, n, plumbing_queries, django_assert_num_queries
):
    post = PostRowsFactory(author=bob)
    for i in range(n):
        LikeFactory(user=UserFactory(username=f"fan{i}"), post=post)
    # the post (the rule); the likes with their users
    with django_assert_num_queries(plumbing_queries + 2):
        response = client.get(f"{STATUSES}/{post.pk}/favourited_by", **auth(token))
    assert len(response.json()) == n
