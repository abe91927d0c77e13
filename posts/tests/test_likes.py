"""Likes: the services (idempotent, counters with F()), the like/unlike views (HTMX swaps, no-JS
redirects) and the liked-by page."""

from __future__ import annotations

import pytest

from accounts.tests.factories import BlockFactory
from posts import selectors, services
from posts.models import Like

from .factories import HX, PostRowsFactory, post_url

pytestmark = pytest.mark.django_db


def test_like_twice_keeps_one_like_and_count_one(alice, bob, catch):
    post = PostRowsFactory(author=bob)
    services.like_create(user=alice, post_id=post.pk)
    result = services.like_create(user=alice, post_id=post.pk)
    assert result.like_count == 1
    assert Like.objects.filter(post=post).count() == 1
    post.refresh_from_db()
    assert post.like_count == 1
    assert len(catch["liked"]) == 1  # a replay sends nothing


def test_unlike_twice_leaves_zero_and_never_negative(alice, bob, catch):
    post = PostRowsFactory(author=bob)
    services.like_create(user=alice, post_id=post.pk)
    services.like_delete(user=alice, post_id=post.pk)
    result = services.like_delete(user=alice, post_id=post.pk)
    assert result.like_count == 0
    assert not Like.objects.filter(post=post).exists()
    assert catch["unliked"] == [(alice.pk, post.pk)]


def test_htmx_like_swaps_the_button_and_updates_the_count(alice_client, alice, post):
    response = alice_client.post(post_url("like", post), **HX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert 'aria-pressed="true"' in html and post_url("unlike", post) in html  # the button is now "Unlike"
    assert f'id="like-count-{post.pk}" hx-swap-oob="true"' in html
    assert "1 like<" in html
    assert Like.objects.filter(user=alice, post=post).count() == 1


def test_like_twice_over_http_keeps_one_like(alice_client, post):
    alice_client.post(post_url("like", post), **HX)
    response = alice_client.post(post_url("like", post), **HX)
    assert "1 like<" in response.content.decode()
    post.refresh_from_db()
    assert post.like_count == 1 == Like.objects.count()


def test_htmx_unlike_swaps_back(alice_client, alice, post):
    services.like_create(user=alice, post_id=post.pk)
    response = alice_client.post(post_url("unlike", post), **HX)
    html = response.content.decode()
    assert 'aria-pressed="false"' in html and post_url("like", post) in html
    assert not Like.objects.exists()


def test_no_js_like_redirects_back_to_next(alice_client, post):
    response = alice_client.post(post_url("like", post), {"next": "/explore/?x=1"})
    assert response.status_code == 302
    assert response["Location"] == f"/explore/?x=1#post-{post.pk}"
    assert Like.objects.count() == 1


@pytest.mark.parametrize("evil", ["https://evil.example/", "//evil.example/", "javascript:alert(1)"])
def test_no_js_like_ignores_a_next_off_site(alice_client, post, evil):
    response = alice_client.post(post_url("like", post), {"next": evil})
    assert response["Location"] == f"{post.get_absolute_url()}#post-{post.pk}"


def test_liked_by_lists_likers_newest_first_without_blocked_people(client, alice, bob, charlie, post):
    for user in (bob, charlie):
        services.like_create(user=user, post_id=post.pk)
    BlockFactory(blocker=alice, blocked=charlie)
    client.force_login(alice)
    html = client.get(post_url("liked_by", post)).content.decode().split('id="likers"')[1]
    assert 'href="/bob/"' in html and 'href="/charlie/"' not in html
    client.force_login(bob)
    html = client.get(post_url("liked_by", post)).content.decode().split('id="likers"')[1]
    assert html.index('href="/charlie/"') < html.index('href="/bob/"')


def test_liked_by_pages_newest_first_with_more_link(client, alice, post, monkeypatch):
    from instaclone.testing import make_user

    monkeypatch.setattr(selectors, "LIKERS_PAGE_SIZE", 2)
    for i in range(3):
        services.like_create(user=make_user(f"liker{i}"), post_id=post.pk)
    client.force_login(alice)
    first = client.get(post_url("liked_by", post)).content.decode()
    assert "liker2" in first and "liker1" in first and "liker0" not in first
    cursor = selectors.likers_page(alice, post).next_cursor
    assert f"?cursor={cursor}" in first
    more = client.get(post_url("liked_by", post) + f"?cursor={cursor}", **HX).content.decode()
    assert "<html" not in more and "liker0" in more and "liker1" not in more and "likers-more" not in more
