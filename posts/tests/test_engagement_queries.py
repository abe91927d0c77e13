"""Query budgets: list pages and card context cost exactly the same for 1 item as for many
(pinned with django_assert_num_queries, each query named)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.tests.factories import FollowFactory
from instaclone.testing import make_user
from posts import selectors, services
from posts.selectors import post_queryset

from .factories import PostRowsFactory

pytestmark = pytest.mark.django_db


def count_queries(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


@pytest.fixture
def people(db):
    return [make_user(f"fan{i}") for i in range(20)]


@pytest.mark.parametrize("n", [1, 20])
def test_liked_by_page_query_count_does_not_grow(client, alice, bob, people, n, django_assert_num_queries):
    post = PostRowsFactory(author=bob)
    for user in people[:n]:
        services.like_create(user=user, post_id=post.pk)
    client.force_login(alice)
    # 1 session, 2 user, 3 post (visibility subqueries inlined), 4 likes page with the users
    # joined (LIMIT size + 1), 5 the nav's unread badge (cache cold), 6 the nav's Direct badge (cache cold: conversations with unread messages)
    with django_assert_num_queries(6):
        response = client.get(reverse("posts:liked_by", kwargs={"pk": post.pk}))
    assert response.content.decode().count('class="likers__item"') == n


@pytest.mark.parametrize("n", [1, 20])
def test_saved_page_query_count_does_not_grow(client, alice, bob, n, django_assert_num_queries):
    for _ in range(n):
        services.save_create(user=alice, post_id=PostRowsFactory(author=bob, media=2).pk)
    client.force_login(alice)
    # 1 session, 2 user, 3 saves + posts + authors (one join, LIMIT size + 1), 4 media prefetch,
    # 5 the collections (none: no cover queries; test_collections.py pins them), 6 the nav's unread
    # badge (cache cold), 7 the nav's Direct badge (cache cold: conversations with unread messages)
    with django_assert_num_queries(7):
        response = client.get("/saved/")
    assert response.content.decode().count('class="grid__item"') == n


@pytest.mark.parametrize("n", [1, 20])
def test_comments_page_query_count_does_not_grow(client, alice, bob, people, n, django_assert_num_queries):
    post = PostRowsFactory(author=bob)
    for user in people[:n]:
        services.comment_create(user=user, post_id=post.pk, body=f"hello @{bob.username} #{user.username}")
    client.force_login(alice)
    # 1 session, 2 user, 3 post (visibility inlined), 4 comments page with authors joined
    # (LIMIT size + 1), 5 the names the page's comments @mention that exist (posts.sharing.known_mentions:
    # one for any number of comments, none when no comment mentions anyone), 6 the nav's unread badge
    # (cache cold), 7 the nav's Direct badge (cache cold: conversations with unread messages)
    with django_assert_num_queries(7):
        response = client.get(reverse("posts:comments", kwargs={"pk": post.pk}))
    assert response.content.decode().count('class="comment"') == n


@pytest.mark.parametrize("n", [1, 20])
def test_cards_context_is_four_queries_for_any_page_size(alice, bob, people, n):
    FollowFactory(follower=alice, followee=bob)
    posts_made = [PostRowsFactory(author=bob, caption=f"post {i} #tag @alice") for i in range(n)]
    for post in posts_made:
        services.like_create(user=people[0], post_id=post.pk)
        services.like_create(user=alice, post_id=post.pk)
        for user in people[:3]:
            services.comment_create(user=user, post_id=post.pk, body="nice")
    posts = list(post_queryset(alice).filter(pk__in=[p.pk for p in posts_made]))
    # liked ids, saved ids, latest comments (window function), liked-by-a-friend (window function)
    assert count_queries(lambda: selectors.cards_context(alice, posts)) == 4
    assert all(len(p.card_comments) == 2 for p in posts)


@pytest.mark.parametrize("n", [1, 20])
def test_cards_context_of_posts_read_with_the_viewer_flags_is_two_queries(alice, bob, people, n):
    FollowFactory(follower=alice, followee=people[0])
    posts_made = [PostRowsFactory(author=bob) for _ in range(n)]
    for post in posts_made:
        services.like_create(user=people[0], post_id=post.pk)
        services.comment_create(user=people[1], post_id=post.pk, body="nice")
    services.like_create(user=alice, post_id=posts_made[0].pk)
    services.save_create(user=alice, post_id=posts_made[-1].pk)
    posts = list(
        selectors.with_viewer_flags(post_queryset(alice), alice).filter(pk__in=[p.pk for p in posts_made])
    )
    # latest comments, liked-by-a-friend (the liked/saved flags came with the posts)
    assert count_queries(lambda: selectors.cards_context(alice, posts)) == 2
    context = selectors.cards_context(alice, posts)
    assert context["liked_ids"] == {posts_made[0].pk} and context["saved_ids"] == {posts_made[-1].pk}
    assert all(p.card_liked_by == people[0] and len(p.card_comments) == 1 for p in posts)


@pytest.mark.parametrize("n", [1, 20])
def test_rendering_a_page_of_cards_runs_no_query(alice, bob, n):
    posts_made = [PostRowsFactory(author=bob, caption=f"caption {i} @alice") for i in range(n)]
    for post in posts_made:
        services.comment_create(user=alice, post_id=post.pk, body="<b>hi</b>")
        services.like_create(user=alice, post_id=post.pk)
    posts = list(post_queryset(alice).filter(pk__in=[p.pk for p in posts_made]).order_by("-created"))
    request = RequestFactory().get("/")
    request.user = alice
    context = selectors.cards_context(alice, posts)
    html = {}

    def render():
        html["out"] = "".join(render_to_string("posts/_card.html", {**context, "post": p}, request=request) for p in posts)

    render()  # warm the template cache and the default avatar file
    assert count_queries(render) == 0
    out = html["out"]
    assert out.count('class="post-card card"') == n
    assert out.count('aria-pressed="true" title="Unlike"') == n
    assert "&lt;b&gt;hi&lt;/b&gt;" in out and "<b>hi</b>" not in out


@pytest.mark.parametrize("n", [1, 20])
def test_post_detail_query_count_does_not_grow_with_comments_and_likes(
    client, alice, bob, people, n, django_assert_num_queries
):
    post = PostRowsFactory(author=bob, media=3)
    for user in people[:n]:
        services.like_create(user=user, post_id=post.pk)
        services.comment_create(user=user, post_id=post.pk, body="wow")
    client.force_login(alice)
    # 1 session, 2 user, 3 post + author with the viewer's liked and saved flags (two EXISTS),
    # 4 media prefetch, 5 the photos' tags with the people (selectors.with_photo_tags), 6 comments
    # page with authors joined (selectors.detail_context), 7 the nav's unread badge (cache cold),
    # 8 the nav's Direct badge (cache cold: conversations with unread messages)
    with django_assert_num_queries(8):
        response = client.get(post.get_absolute_url())
    assert response.status_code == 200


def test_viewer_state_and_cards_context(alice, bob, charlie):
    p1, p2 = PostRowsFactory(author=bob), PostRowsFactory(author=bob)
    services.like_create(user=alice, post_id=p1.pk)
    services.save_create(user=alice, post_id=p2.pk)
    services.like_create(user=charlie, post_id=p2.pk)
    FollowFactory(follower=alice, followee=charlie)
    posts = [p1, p2]
    ctx = selectors.cards_context(alice, posts)
    assert ctx["liked_ids"] == {p1.pk} and ctx["saved_ids"] == {p2.pk}
    assert p2.card_liked_by == charlie and p1.card_liked_by is None
    assert selectors.viewer_state(None, [p1.pk]) == (set(), set())
