"""The like and save write path: exact statements per request (pinned, each named), what runs
inside the like's transaction on PostgreSQL, the compiled visibility rule the writes embed, and what
a like returns (the like notification's tests are social's: social/tests/test_like_notifications.py)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from instaclone.testing import make_user
from posts import services
from posts.models import Like, Post, Save
from posts.services import engagement

from .factories import HX, LikeFactory, PostRowsFactory, post_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def warm(alice_client, post):
    """One request first: the activity stamp's once-a-day write is not a like's."""
    alice_client.get(post_url("liked_by", post))
    return alice_client


def likers(post, n):
    for i in range(n):
        LikeFactory(user=make_user(f"liker{i}"), post=post)


# --- statements per request ------------------------------------------------------------------


@pytest.mark.parametrize("n", [0, 20])
def test_like_request_runs_the_same_seven_statements_however_many_likes(
    warm, post, n, django_assert_num_queries
):
    likers(post, n)
    # 1 session, 2 user, 3 SAVEPOINT (the service's transaction: BEGIN outside a test), 4 INSERT the
    # like if the post is visible (the rule compiled inside it) ON CONFLICT DO NOTHING RETURNING id,
    # 5 UPDATE like_count RETURNING the count and author, 6 INSERT the author's notification,
    # 7 RELEASE SAVEPOINT (COMMIT)
    with django_assert_num_queries(7):
        response = warm.post(post_url("like", post), **HX)
    assert f"{n + 1} like" in response.content.decode()


@pytest.mark.parametrize("n", [0, 20])
def test_unlike_request_runs_the_same_seven_statements_however_many_likes(
    warm, alice, post, n, django_assert_num_queries
):
    likers(post, n)
    services.like_create(user=alice, post_id=post.pk)
    # 1 session, 2 user, 3 SAVEPOINT, 4 DELETE the like if the post is visible, 5 UPDATE like_count
    # RETURNING the count and author, 6 DELETE the author's notification, 7 RELEASE SAVEPOINT
    with django_assert_num_queries(7):
        response = warm.post(post_url("unlike", post), **HX)
    assert (f"{n} like" if n else "Be the first") in response.content.decode()


def test_a_like_that_changes_nothing_reads_the_count_once(warm, alice, post, django_assert_num_queries):
    services.like_create(user=alice, post_id=post.pk)
    # 1 session, 2 user, 3 SAVEPOINT, 4 INSERT (conflict: no row), 5 the access-checked read of
    # like_count, 6 RELEASE SAVEPOINT
    with django_assert_num_queries(6):
        response = warm.post(post_url("like", post), **HX)
    assert "1 like<" in response.content.decode()


def test_a_like_of_an_invisible_post_is_404_after_the_same_read(warm, bob, django_assert_num_queries):
    post = PostRowsFactory(author=bob, hidden=True)
    # 1 session, 2 user, 3 SAVEPOINT, 4 INSERT (not visible: no row), 5 the access-checked read
    # (nothing), 6 ROLLBACK TO SAVEPOINT, 7 RELEASE SAVEPOINT
    with django_assert_num_queries(7):
        response = warm.post(post_url("like", post), **HX)
    assert response.status_code == 404
    assert not Like.objects.exists()


def test_no_js_like_costs_the_same_and_redirects_back(warm, post, django_assert_num_queries):
    # 1 session, 2 user, 3 SAVEPOINT, 4 INSERT, 5 UPDATE RETURNING, 6 INSERT notification, 7 RELEASE
    with django_assert_num_queries(7):
        response = warm.post(post_url("like", post), {"next": "/explore/"})
    assert response.status_code == 302 and response["Location"] == f"/explore/#post-{post.pk}"


@pytest.mark.parametrize("view", ["save", "unsave"])
def test_save_and_unsave_are_one_statement(warm, alice, post, view, django_assert_num_queries):
    if view == "unsave":
        services.save_create(user=alice, post_id=post.pk)
    # 1 session, 2 user, 3 INSERT the save if the post is visible ON CONFLICT DO NOTHING RETURNING id:
    # one statement, its own transaction (no counter, no notification). An unsave: 3 SAVEPOINT,
    # 4 DELETE it if visible, 5 the user's collection items of the post FOR UPDATE (none here), 6 RELEASE
    with django_assert_num_queries(3 if view == "save" else 6):
        response = warm.post(post_url(view, post), **HX)
    assert response.status_code == 200
    assert Save.objects.filter(user=alice, post=post).exists() == (view == "save")


def test_a_save_that_changes_nothing_reads_once(warm, alice, post, django_assert_num_queries):
    services.save_create(user=alice, post_id=post.pk)
    # 1 session, 2 user, 3 INSERT (conflict: no row), 4 the access-checked read
    with django_assert_num_queries(4):
        warm.post(post_url("save", post), **HX)
    assert Save.objects.filter(user=alice, post=post).count() == 1


# --- PostgreSQL: the statements inside the like's transaction ----------------------------------


def statements_in_transaction(queries) -> list[str]:
    """The statements between the service's SAVEPOINT and its RELEASE (BEGIN and COMMIT outside a
    test)."""
    sql = [q["sql"] for q in queries]
    start = next(i for i, s in enumerate(sql) if s.startswith("SAVEPOINT"))
    end = next(i for i, s in enumerate(sql) if s.startswith("RELEASE SAVEPOINT"))
    return sql[start + 1 : end]


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the issue's budget is PostgreSQL's")
@pytest.mark.parametrize("view", ["like", "unlike"])
def test_like_is_at_most_five_statements_in_its_transaction_on_postgresql(warm, alice, post, view):
    if view == "unlike":
        services.like_create(user=alice, post_id=post.pk)
    with CaptureQueriesContext(connection) as ctx:
        response = warm.post(post_url(view, post), **HX)
    assert response.status_code == 200
    inside = statements_in_transaction(ctx.captured_queries)
    assert len(inside) <= 5, inside
    assert len(inside) <= 5, inside  # the budget
    write, update, notification = inside  # nothing else: no read of the post before or after
    if view == "like":
        assert write.startswith('INSERT INTO "posts_like"') and "ON CONFLICT DO NOTHING RETURNING" in write
        assert notification.startswith('INSERT INTO "social_notification"')
    else:
        assert write.startswith('DELETE FROM "posts_like"')
        assert notification.startswith('DELETE FROM "social_notification"')
    assert '"accounts_block"' in write and '"accounts_follow"' in write  # the visibility rule, in the write
    assert update.startswith('UPDATE "posts_post"') and '"like_count" + ' in update
    assert update.endswith('RETURNING "like_count", "author_id"')


# --- the compiled rule ---------------------------------------------------------------------------


@pytest.mark.parametrize("is_staff", [False, True])
def test_the_cached_compiled_rule_equals_the_rule_compiled_for_the_viewer(alice, bob, is_staff):
    alice.is_staff = is_staff
    for post_id in (alice.pk, bob.pk, 987654):  # the viewer's own id as a post id too
        cached = engagement.visible_post(alice, post_id)
        qs = Post.objects.visible_to(alice).filter(pk=post_id).values_list("like_count", "author_id")
        sql, params = qs.query.get_compiler(using=cached.using).as_sql()
        assert (cached.sql, cached.params) == (sql, tuple(params))


def test_staff_may_like_a_hidden_post_others_may_not(alice, bob):
    staff = make_user("staffer", is_staff=True)
    post = PostRowsFactory(author=bob, hidden=True)
    with pytest.raises(Http404):
        services.like_create(user=alice, post_id=post.pk)
    assert services.like_create(user=staff, post_id=post.pk).like_count == 1
    with pytest.raises(Http404):
        services.like_delete(user=alice, post_id=post.pk)


# --- results and notifications -------------------------------------------------------------------


def test_like_returns_the_new_count_without_reading_the_post(alice, bob, post):
    services.like_create(user=bob, post_id=post.pk)
    liked = services.like_create(user=alice, post_id=post.pk)
    assert (liked.pk, liked.like_count) == (post.pk, 2)
    assert liked.get_deferred_fields() >= {"caption", "author_id"}
    unliked = services.like_delete(user=alice, post_id=post.pk)
    assert unliked.like_count == 1


def test_unlike_never_takes_the_count_below_zero(alice, post):
    Like.objects.create(user=alice, post=post)  # a row the counter missed (like_count is 0)
    assert services.like_delete(user=alice, post_id=post.pk).like_count == 0
    post.refresh_from_db()
    assert post.like_count == 0


@pytest.mark.parametrize("service", ["like_create", "like_delete", "save_create", "save_delete"])
def test_an_id_no_row_can_have_is_404_not_an_overflow(alice, service):
    with pytest.raises(Http404):
        getattr(services, service)(user=alice, post_id=2**63)
