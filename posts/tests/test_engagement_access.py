"""Who may like, save and comment: private, blocked and hidden posts are 404, state changes are
POST-only (405), need a signed-in person (HX-Redirect for htmx) and a CSRF token; counters equal rows."""

from __future__ import annotations

import pytest
from django.http import Http404
from django.test import Client
from django.urls import reverse

from accounts.tests.factories import BlockFactory, FollowFactory
from posts import services
from posts.models import Comment, Like, Save

from .factories import HX, PostRowsFactory, post_url

pytestmark = pytest.mark.django_db


def test_counters_equal_rows_after_mixed_likes_and_comments(alice, bob, charlie):
    post = PostRowsFactory(author=bob)
    for user in (alice, bob, charlie, alice, charlie):
        services.like_create(user=user, post_id=post.pk)
    services.like_delete(user=charlie, post_id=post.pk)
    first = services.comment_create(user=alice, post_id=post.pk, body="one")
    services.comment_create(user=charlie, post_id=post.pk, body="two")
    services.comment_delete(user=alice, post_id=post.pk, comment_id=first.pk)
    post.refresh_from_db()
    assert post.like_count == Like.objects.filter(post=post).count() == 2
    assert post.comment_count == Comment.objects.filter(post=post).count() == 1


@pytest.mark.parametrize("service", ["like_create", "like_delete", "save_create", "save_delete"])
def test_acting_on_a_private_post_of_someone_not_followed_is_404(alice, bob, service):
    bob.is_private = True
    bob.save()
    post = PostRowsFactory(author=bob)
    with pytest.raises(Http404):
        getattr(services, service)(user=alice, post_id=post.pk)
    FollowFactory(follower=alice, followee=bob)
    getattr(services, service)(user=alice, post_id=post.pk)  # now allowed


@pytest.mark.parametrize("blocker_is_author", [True, False])
def test_blocked_users_cannot_like_or_comment_each_others_posts(alice, bob, blocker_is_author):
    post = PostRowsFactory(author=bob)
    if blocker_is_author:
        BlockFactory(blocker=bob, blocked=alice)
    else:
        BlockFactory(blocker=alice, blocked=bob)
    with pytest.raises(Http404):
        services.like_create(user=alice, post_id=post.pk)
    with pytest.raises(Http404):
        services.comment_create(user=alice, post_id=post.pk, body="hi")
    assert not Like.objects.exists() and not Comment.objects.exists()


def test_hidden_post_cannot_be_liked_saved_or_commented(alice, bob):
    post = PostRowsFactory(author=bob, hidden=True)
    for call in (
        lambda: services.like_create(user=alice, post_id=post.pk),
        lambda: services.save_create(user=alice, post_id=post.pk),
        lambda: services.comment_create(user=alice, post_id=post.pk, body="x"),
    ):
        with pytest.raises(Http404):
            call()


def test_anonymous_htmx_post_gets_hx_redirect_to_login(client, post):
    response = client.post(post_url("like", post), HTTP_HX_CURRENT_URL="http://testserver/explore/", **HX)
    assert response.status_code == 200
    assert response["HX-Redirect"] == reverse("account_login") + "?next=/explore/"
    assert response.content == b""
    assert not Like.objects.exists()


def test_anonymous_plain_post_redirects_to_login(client, post):
    response = client.post(post_url("save", post), {"next": post.get_absolute_url()})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_login") + f"?next=/p/{post.pk}/"
    assert not Save.objects.exists()


@pytest.mark.parametrize("name", ["like", "unlike", "save", "unsave"])
def test_get_on_a_state_changing_url_is_405(alice_client, post, name):
    assert alice_client.get(post_url(name, post)).status_code == 405


def test_get_on_comment_delete_is_405(alice_client, alice, post):
    comment = services.comment_create(user=alice, post_id=post.pk, body="x")
    assert alice_client.get(post_url("comment_delete", post, comment_id=comment.pk)).status_code == 405


@pytest.mark.parametrize("case", ["private", "blocked_by_author", "blocking_author", "hidden", "missing"])
def test_acting_on_a_post_you_cannot_see_is_404(alice_client, alice, bob, case):
    post = PostRowsFactory(author=bob, hidden=(case == "hidden"))
    if case == "private":
        bob.is_private = True
        bob.save()
    elif case == "blocked_by_author":
        BlockFactory(blocker=bob, blocked=alice)
    elif case == "blocking_author":
        BlockFactory(blocker=alice, blocked=bob)
    pk = post.pk + 1000 if case == "missing" else post.pk
    for name in ("like", "unlike", "save", "unsave", "comments"):
        response = alice_client.post(reverse(f"posts:{name}", kwargs={"pk": pk}), {"body": "hi"}, **HX)
        assert response.status_code == 404, name
    assert alice_client.get(reverse("posts:liked_by", kwargs={"pk": pk})).status_code == 404
    assert alice_client.get(reverse("posts:comments", kwargs={"pk": pk})).status_code == 404
    assert not (Like.objects.exists() or Save.objects.exists() or Comment.objects.exists())


def test_private_post_of_someone_you_follow_can_be_liked(alice_client, alice, bob):
    bob.is_private = True
    bob.save()
    FollowFactory(follower=alice, followee=bob)
    post = PostRowsFactory(author=bob)
    assert alice_client.post(post_url("like", post), **HX).status_code == 200


def test_forged_csrf_is_403(alice, post):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    assert client.post(post_url("like", post), **HX).status_code == 403
    assert client.post(post_url("comments", post), {"body": "hi"}).status_code == 403
    assert not Like.objects.exists() and not Comment.objects.exists()


def test_anonymous_may_read_comments_and_likers_of_a_public_post(client, alice, post):
    services.comment_create(user=alice, post_id=post.pk, body="public words")
    services.like_create(user=alice, post_id=post.pk)
    assert "public words" in client.get(post_url("comments", post)).content.decode()
    assert 'href="/alice/"' in client.get(post_url("liked_by", post)).content.decode()
