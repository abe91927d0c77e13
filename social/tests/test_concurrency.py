"""Parallel requests on PostgreSQL: every stored counter equals the rows it counts, no duplicates.

Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/instaclone_social .venv/bin/python -m pytest social -m postgres
"""

import threading

import pytest
from django.db import connection, connections
from django.db.models import Count
from django.test import Client

from accounts.models import Follow, User
from instaclone.testing import make_user
from posts.models import Comment, Like, Post
from posts.tests.factories import PostFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks and real concurrency"),
]

HX = {"HTTP_HX_REQUEST": "true"}


def run_parallel(jobs):
    """Run callables in threads, released together; each thread has its own DB connection."""
    barrier = threading.Barrier(len(jobs))
    errors = []

    def wrap(job):
        try:
            barrier.wait()
            job()
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=wrap, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []


def client_for(user):
    c = Client()
    c.force_login(user)
    return c


def assert_graph_counters_match():
    for u in User.objects.annotate(fr=Count("follower_rows", distinct=True), fg=Count("following_rows", distinct=True)):
        assert (u.follower_count, u.following_count) == (u.fr, u.fg), u.username


def test_parallel_follow_unfollow_keeps_counters_equal_to_rows():
    make_user("target")
    people = [make_user(f"p{i}") for i in range(6)]
    clients = [client_for(p) for p in people]
    jobs = []
    for c in clients:
        jobs += [lambda c=c: c.post("/social/follow/target/", **HX)] * 3  # double clicks
        jobs.append(lambda c=c: c.post("/social/unfollow/target/", **HX))
    run_parallel(jobs)
    assert Follow.objects.values("follower", "followee").annotate(n=Count("id")).filter(n__gt=1).count() == 0
    assert_graph_counters_match()


def test_parallel_mutual_follow_and_block_do_not_deadlock_or_drift():
    a, b = make_user("aa"), make_user("bb")
    ca, cb = client_for(a), client_for(b)
    jobs = [
        lambda: ca.post("/social/follow/bb/"),
        lambda: cb.post("/social/follow/aa/"),
        lambda: ca.post("/social/block/bb/"),
        lambda: cb.post("/social/follow/aa/"),
        lambda: ca.post("/social/follow/bb/"),
    ]
    run_parallel(jobs)
    assert_graph_counters_match()
    assert not Follow.objects.filter(follower=b, followee=a).exists()  # the block won in the end or was first


def test_parallel_like_unlike_keeps_like_count_equal_to_rows():
    author = make_user("author")
    post = PostFactory(author=author)
    people = [make_user(f"l{i}") for i in range(6)]
    jobs = []
    for p in people:
        c = client_for(p)
        jobs += [lambda c=c: c.post(f"/p/{post.pk}/like/", **HX)] * 3
        if p.username in ("l0", "l1"):
            jobs.append(lambda c=c: c.post(f"/p/{post.pk}/unlike/", **HX))
    run_parallel(jobs)
    post = Post.objects.get(pk=post.pk)
    assert post.like_count == Like.objects.filter(post=post).count()
    assert Like.objects.values("user", "post").annotate(n=Count("id")).filter(n__gt=1).count() == 0


def test_parallel_comments_keep_comment_count_equal_to_rows():
    author = make_user("author")
    post = PostFactory(author=author)
    people = [make_user(f"c{i}") for i in range(5)]
    jobs = []
    for p in people:
        c = client_for(p)
        jobs += [lambda c=c, i=i: c.post(f"/p/{post.pk}/comments/", {"body": f"hi {i}"}, **HX) for i in range(2)]
    run_parallel(jobs)
    post = Post.objects.get(pk=post.pk)
    assert post.comment_count == Comment.objects.filter(post=post).count() == 10
