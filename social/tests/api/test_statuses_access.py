"""Who may do what through the client API's statuses and media endpoints: a token without the
write scope is refused every write; a post the caller may not see (a private account they do not
follow, a block either way, hidden by moderators, archived by its author) and its comments are a
404 on every endpoint and never listed."""

from __future__ import annotations

import pytest
from django.utils import timezone

from accounts.tests.factories import BlockFactory, make_private
from instaclone.testing import api_token, image_bytes
from posts.models import Comment, Like, MediaDraft, Post, Save
from posts.tests.factories import CommentFactory, LikeFactory, PostRowsFactory, SaveFactory, upload
from social.api.serializers import comment_status_id

from ..factories import UserFactory

pytestmark = pytest.mark.django_db

STATUSES = "/api/v1/statuses"


def auth(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


# --- scopes --------------------------------------------------------------------------------------


def write_calls(post_id: int, comment_id: str, media_id: str):
    """(method, path, data) of every write endpoint of statuses and media."""
    return [
        ("post", "/api/v2/media", {"file": upload("p.jpg", image_bytes(), "image/jpeg")}),
        ("post", "/api/v1/media", {"file": upload("p.jpg", image_bytes(), "image/jpeg")}),
        ("put", f"/api/v1/media/{media_id}", {"description": "x"}),
        ("get", f"/api/v1/media/{media_id}", None),  # write:media on Mastodon too
        ("post", STATUSES, {"status": "x", "media_ids": [media_id]}),
        ("post", STATUSES, {"status": "x", "in_reply_to_id": str(post_id)}),
        ("delete", f"{STATUSES}/{post_id}", None),
        ("put", f"{STATUSES}/{post_id}", {"status": "edited"}),
        ("delete", f"{STATUSES}/{comment_id}", None),
        ("post", f"{STATUSES}/{post_id}/favourite", None),
        ("post", f"{STATUSES}/{post_id}/unfavourite", None),
        ("post", f"{STATUSES}/{post_id}/bookmark", None),
        ("post", f"{STATUSES}/{post_id}/unbookmark", None),
        ("post", f"{STATUSES}/{post_id}/reblog", None),
    ]


def call(client, method, path, data, token):
    if method in ("put",) or (method == "post" and data and "file" not in data):
        return getattr(client, method)(path, data, content_type="application/json", **auth(token))
    if data:
        return client.post(path, data, **auth(token))
    return getattr(client, method)(path, **auth(token))


@pytest.mark.parametrize("scope", ["read", "read:statuses read:favourites read:bookmarks", "follow", "push"])
def test_a_token_without_write_scopes_is_refused_every_write(client, alice, scope):
    post = PostRowsFactory(author=alice)
    comment = CommentFactory(author=alice, post=post)
    media = MediaDraft.objects.create(owner=alice, file="posts/drafts/x.jpg")
    reader = api_token(alice, scope=scope)
    for method, path, data in write_calls(post.pk, comment_status_id(comment.pk), str(media.pk)):
        response = call(client, method, path, data, reader)
        assert response.status_code == 403, (method, path, response.content)
        assert response.json() == {"error": "This action is outside the authorized scopes"}
    assert Post.objects.count() == 1 and Comment.objects.count() == 1 and MediaDraft.objects.count() == 1
    assert not Like.objects.exists() and not Save.objects.exists()


@pytest.mark.parametrize(
    ("scope", "method", "path"),
    [
        ("write:favourites", "post", "bookmark"),
        ("write:bookmarks", "post", "favourite"),
        ("write:media", "delete", ""),
        ("write:statuses", "post", "favourite"),
    ],
)
def test_each_write_needs_its_own_sub_scope(client, alice, bob, scope, method, path):
    post = PostRowsFactory(author=alice)
    url = f"{STATUSES}/{post.pk}/{path}" if path else f"{STATUSES}/{post.pk}"
    assert getattr(client, method)(url, **auth(api_token(alice, scope=scope))).status_code == 403
    assert Post.objects.exists() and not Like.objects.exists() and not Save.objects.exists()


def test_sub_scopes_allow_their_own_writes(client, alice, bob):
    post = PostRowsFactory(author=bob)
    assert client.post(f"{STATUSES}/{post.pk}/favourite", **auth(api_token(alice, "write:favourites"))).status_code == 200
    assert client.post(f"{STATUSES}/{post.pk}/bookmark", **auth(api_token(alice, "write:bookmarks"))).status_code == 200
    lists = api_token(alice, "read:favourites read:bookmarks")
    assert len(client.get("/api/v1/favourites", **auth(lists)).json()) == 1
    assert len(client.get("/api/v1/bookmarks", **auth(lists)).json()) == 1
    assert client.get("/api/v1/favourites", **auth(api_token(alice, "read:bookmarks"))).status_code == 403
    assert client.get("/api/v1/bookmarks", **auth(api_token(alice, "read:favourites"))).status_code == 403


def test_without_a_token_writes_and_personal_lists_are_401(client, alice):
    post = PostRowsFactory(author=alice)
    assert client.post(f"{STATUSES}/{post.pk}/favourite").status_code == 401
    assert client.post(STATUSES, {"status": "x"}).status_code == 401
    assert client.delete(f"{STATUSES}/{post.pk}").status_code == 401
    assert client.get("/api/v1/favourites").status_code == 401
    assert client.get("/api/v1/bookmarks").status_code == 401
    assert client.get(f"{STATUSES}/{post.pk}").status_code == 200  # public reads need none


def test_an_app_token_cannot_act_as_a_user(client, alice):
    post = PostRowsFactory(author=alice)
    app = api_token(None, scope="read write")
    assert client.post(f"{STATUSES}/{post.pk}/favourite", **auth(app)).status_code == 422
    assert client.get(f"{STATUSES}/{post.pk}", **auth(app)).status_code == 200  # a public read


# --- the visibility rule -------------------------------------------------------------------------


def invisible_posts(alice, bob, charlie) -> dict[str, Post]:
    """Posts alice may not see, each with a comment, a like and a save of someone else's."""
    carol = make_private(UserFactory(username="carol"))
    BlockFactory(blocker=bob, blocked=alice)
    BlockFactory(blocker=alice, blocked=charlie)
    dave = UserFactory(username="dave")
    posts = {
        "private account, not followed": PostRowsFactory(author=carol),
        "blocked by its author": PostRowsFactory(author=bob),
        "its author blocked": PostRowsFactory(author=charlie),
        "hidden by moderators": PostRowsFactory(author=dave, hidden=True),
        "archived": PostRowsFactory(author=dave, is_archived=True, archived_at=timezone.now()),
    }
    for post in posts.values():
        # rows only: the services themselves would refuse some of these (the blocked author's)
        Comment.objects.create(post=post, author=post.author, body="hi")
        Like.objects.create(user=dave, post=post)
        Save.objects.create(user=dave, post=post)
    return posts


def reads_and_writes(post: Post, comment: Comment):
    sid, cid = str(post.pk), comment_status_id(comment.pk)
    return [
        ("get", f"{STATUSES}/{sid}"),
        ("get", f"{STATUSES}/{cid}"),
        ("get", f"{STATUSES}/{sid}/context"),
        ("get", f"{STATUSES}/{cid}/context"),
        ("get", f"{STATUSES}/{sid}/favourited_by"),
        ("get", f"{STATUSES}/{cid}/favourited_by"),
        ("post", f"{STATUSES}/{sid}/favourite"),
        ("post", f"{STATUSES}/{sid}/unfavourite"),
        ("post", f"{STATUSES}/{sid}/bookmark"),
        ("post", f"{STATUSES}/{sid}/unbookmark"),
        ("post", f"{STATUSES}/{cid}/favourite"),
        ("post", f"{STATUSES}/{cid}/bookmark"),
        ("post", f"{STATUSES}/{sid}/reblog"),
        ("get", f"{STATUSES}/{sid}/reblogged_by"),
        ("get", f"{STATUSES}/{cid}/reblogged_by"),
        ("delete", f"{STATUSES}/{sid}"),
        ("delete", f"{STATUSES}/{cid}"),
        ("put", f"{STATUSES}/{sid}"),
        ("get", f"{STATUSES}/{sid}/source"),
        ("get", f"{STATUSES}/{cid}/source"),
    ]


def test_an_invisible_post_and_its_comments_are_404_everywhere_and_never_listed(client, alice, bob, charlie):
    posts = invisible_posts(alice, bob, charlie)
    token = api_token(alice)
    for why, post in posts.items():
        comment = Comment.objects.get(post=post)
        for method, path in reads_and_writes(post, comment):
            response = getattr(client, method)(path, **auth(token))
            assert response.status_code == 404, (why, method, path, response.content)
            assert response.json() == {"error": "Record not found"}
        reply = client.post(STATUSES, {"status": "hi", "in_reply_to_id": str(post.pk)}, content_type="application/json",
                            **auth(token))
        assert reply.status_code == 404, why
        reply = client.post(STATUSES, {"status": "hi", "in_reply_to_id": comment_status_id(comment.pk)},
                            content_type="application/json", **auth(token))
        assert reply.status_code == 404, why
    assert Comment.objects.count() == len(posts) and Post.objects.count() == len(posts)
    assert not Like.objects.filter(user=alice).exists() and not Save.objects.filter(user=alice).exists()


def test_anonymous_readers_get_404_for_private_hidden_and_archived_posts(client, alice, bob, charlie):
    posts = invisible_posts(alice, bob, charlie)
    for why in ("private account, not followed", "hidden by moderators", "archived"):
        post = posts[why]
        assert client.get(f"{STATUSES}/{post.pk}").status_code == 404, why
        assert client.get(f"{STATUSES}/{post.pk}/context").status_code == 404, why
        assert client.get(f"{STATUSES}/{post.pk}/favourited_by").status_code == 404, why


def test_posts_that_became_invisible_leave_the_lists(client, alice, bob, charlie):
    dave = UserFactory(username="dave")
    shown = PostRowsFactory(author=dave)
    going = {
        "private": PostRowsFactory(author=UserFactory(username="carol")),
        "blocked": PostRowsFactory(author=bob),
        "hidden": PostRowsFactory(author=dave),
        "archived": PostRowsFactory(author=dave),
    }
    for post in [shown, *going.values()]:
        LikeFactory(user=alice, post=post)
        SaveFactory(user=alice, post=post)
    make_private(going["private"].author)
    BlockFactory(blocker=bob, blocked=alice)
    Post.objects.filter(pk=going["hidden"].pk).update(is_hidden=True)
    Post.objects.filter(pk=going["archived"].pk).update(is_archived=True, archived_at=timezone.now())

    token = api_token(alice)
    for path in ("/api/v1/favourites", "/api/v1/bookmarks"):
        assert [s["id"] for s in client.get(path, **auth(token)).json()] == [str(shown.pk)], path


def test_likers_the_viewer_may_not_see_are_not_listed(client, alice, bob, charlie):
    post = PostRowsFactory(author=UserFactory(username="dave"))
    LikeFactory(user=bob, post=post)
    LikeFactory(user=charlie, post=post)
    BlockFactory(blocker=bob, blocked=alice)
    names = [a["username"] for a in client.get(f"{STATUSES}/{post.pk}/favourited_by", **auth(api_token(alice))).json()]
    assert names == ["charlie"]


def test_a_hidden_comment_is_404_even_for_its_author(client, alice, bob):
    post = PostRowsFactory(author=bob)
    comment = CommentFactory(author=alice, post=post)
    Comment.objects.filter(pk=comment.pk).update(is_hidden=True)
    token = api_token(alice)
    assert client.get(f"{STATUSES}/{comment_status_id(comment.pk)}", **auth(token)).status_code == 404
    assert client.get(f"{STATUSES}/{post.pk}/context", **auth(token)).json()["descendants"] == []
