"""People away for longer than FEED_ACTIVE_DAYS: fan-out skips them; `User.last_active` is stamped
at most once a day (sign-in, social.middleware.FeedActivityMiddleware); someone who comes back gets
their feed rebuilt by a task and, until it is done, a correct feed from the read-time merge. Also
the bulk seed's feed rows follow the pull rule."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks import default_task_backend

from accounts.models import Follow, User
from accounts.services import graph
from accounts.tests.factories import UserFactory
from posts.models import Post
from posts.tests.factories import PostFactory
from social import tasks
from social.models import FeedItem, FeedPullAuthor, FeedStale
from social.selectors import feed_page

pytestmark = pytest.mark.django_db


def ago(days: int):
    return timezone.localdate() - timedelta(days=days)


def run_queue():
    while default_task_backend.results:
        result = default_task_backend.results.pop(0)
        result.task.call(*result.args, **result.kwargs)


def set_last_active(user, day):
    User.objects.filter(pk=user.pk).update(last_active=day)
    return User.objects.get(pk=user.pk)


def updates_of_users(ctx) -> list[str]:
    return [q["sql"] for q in ctx.captured_queries if q["sql"].startswith('UPDATE "accounts_user"')]


def test_signing_in_stamps_today(client, alice):
    alice = set_last_active(alice, ago(3))
    client.force_login(alice)
    assert User.objects.get(pk=alice.pk).last_active == timezone.localdate()


def test_the_middleware_stamps_once_a_day_and_costs_no_query_after(client, alice):
    client.force_login(alice)
    set_last_active(alice, ago(1))  # a session from yesterday
    with CaptureQueriesContext(connection) as first:
        assert client.get("/").status_code == 200
    assert len(updates_of_users(first)) == 1
    assert User.objects.get(pk=alice.pk).last_active == timezone.localdate()
    with CaptureQueriesContext(connection) as second:
        client.get("/")
        client.get(f"/{alice.username}/")
    assert updates_of_users(second) == []


def test_a_request_that_does_not_load_the_user_is_not_charged(client, alice):
    client.force_login(alice)
    set_last_active(alice, ago(1))
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/favicon.ico")  # a redirect to the logo: no template, no request.user
    assert response.status_code == 301
    assert updates_of_users(ctx) == []


def test_the_badge_poll_is_not_activity(client, alice):
    from django.urls import reverse

    client.force_login(alice)
    set_last_active(alice, ago(1))
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("social:notifications_badge"), headers={"X-Background": "1", "HX-Request": "true"})
    assert response.status_code == 200
    assert updates_of_users(ctx) == []  # an open tab polling is not the person coming back
    client.get("/")
    assert User.objects.get(pk=alice.pk).last_active == timezone.localdate()


def test_someone_back_after_feed_active_days_sees_a_correct_feed_before_and_after_the_rebuild(settings, client, alice, bob):
    settings.FEED_ACTIVE_DAYS = 30
    graph.follow_create(follower=alice, followee=bob)
    old = PostFactory(author=bob)
    alice = set_last_active(alice, ago(31))
    missed = PostFactory(author=bob)  # fan-out skips alice: she is away
    assert not FeedItem.objects.filter(owner=alice, post=missed).exists()
    # still away (not signed in yet): her page merges her followees' posts at read time
    assert [p.pk for p in feed_page(alice)] == [missed.pk, old.pk]

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    default_task_backend.clear()
    client.force_login(alice)  # back: a rebuild is asked for (once), she still reads as away
    assert FeedStale.objects.filter(owner=alice).exists()
    r = client.get("/")
    assert [p.pk for p in r.context["page"].items] == [missed.pk, old.pk]  # merged until rebuilt
    assert [r.args for r in default_task_backend.results if r.task.func is tasks.feed_rebuild.func] == [[alice.pk]]
    assert User.objects.get(pk=alice.pk).last_active == ago(31)

    run_queue()
    assert not FeedStale.objects.exists()
    assert User.objects.get(pk=alice.pk).last_active == timezone.localdate()  # stamped by the rebuild
    assert FeedItem.objects.filter(owner=alice, post=missed).exists()
    assert [p.pk for p in client.get("/").context["page"].items] == [missed.pk, old.pk]
    # and she is fanned out to again
    new = PostFactory(author=bob)
    run_queue()
    assert FeedItem.objects.filter(owner=alice, post=new).exists()


def test_a_lost_rebuild_is_asked_for_again_after_feed_rebuild_retry(settings, client, alice):
    from social.services import FEED_REBUILD_RETRY

    settings.FEED_ACTIVE_DAYS = 30
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    default_task_backend.clear()
    alice = set_last_active(alice, ago(40))
    client.force_login(alice)
    client.get("/")
    client.get("/")
    rebuilds = [r for r in default_task_backend.results if r.task.func is tasks.feed_rebuild.func]
    assert len(rebuilds) == 1  # asked once, not per request
    FeedStale.objects.update(since=timezone.now() - FEED_REBUILD_RETRY - timedelta(seconds=1))
    client.get("/")
    rebuilds = [r for r in default_task_backend.results if r.task.func is tasks.feed_rebuild.func]
    assert len(rebuilds) == 2


def test_a_post_whose_fan_out_skipped_a_returning_person_is_caught_up(settings, monkeypatch, alice, bob):
    """A fan-out batch that read her as away just before the rebuild committed: the rebuild's
    catch-up copies the post anyway (here the post is older than her latest-60 backfill window
    would keep, so only the catch-up can bring it)."""
    from social import services

    settings.FEED_ACTIVE_DAYS = 30
    graph.follow_create(follower=alice, followee=bob)
    set_last_active(alice, ago(40))
    post = PostFactory(author=bob)
    for _ in range(3):
        PostFactory(author=bob)
    FeedStale.objects.create(owner=alice)
    real_backfill = services.feed_backfill
    monkeypatch.setattr(services, "feed_backfill", lambda **kw: real_backfill(**{**kw, "limit": 1}))
    tasks.feed_rebuild.call(alice.pk)
    assert FeedItem.objects.filter(owner=alice, post=post).exists()


def test_coming_back_within_feed_active_days_rebuilds_nothing(settings, client, alice):
    settings.FEED_ACTIVE_DAYS = 30
    alice = set_last_active(alice, ago(30))
    client.force_login(alice)
    assert not FeedStale.objects.exists()


def test_the_rebuild_task_runs_twice_without_harm(alice, bob):
    graph.follow_create(follower=alice, followee=bob)
    posts = [PostFactory(author=bob) for _ in range(3)]
    FeedStale.objects.create(owner=alice)
    tasks.feed_rebuild.call(alice.pk)
    tasks.feed_rebuild.call(alice.pk)
    assert sorted(FeedItem.objects.filter(owner=alice).values_list("post_id", flat=True)) == [p.pk for p in posts]
    assert not FeedStale.objects.exists()


def test_feed_rebuild_command_still_rebuilds(alice, bob):
    graph.follow_create(follower=alice, followee=bob)
    post = PostFactory(author=bob)
    FeedItem.objects.all().delete()
    out = StringIO()
    call_command("feed_rebuild", "alice", stdout=out)
    assert "Rebuilt 1 feed(s)." in out.getvalue()
    assert FeedItem.objects.filter(owner=alice, post=post).exists()


def test_the_seed_writes_no_rows_for_authors_in_pull_mode(settings, media_root):
    settings.FEED_FANOUT_MAX_FOLLOWERS = 3
    call_command("seed_demo", stdout=StringIO(), users=30, posts_per_user=2, likes=50, comments=10, saves=5, media_pool=4)
    pull = set(FeedPullAuthor.objects.values_list("author_id", flat=True))
    assert pull == set(User.objects.filter(follower_count__gt=3).values_list("pk", flat=True)) != set()
    # their posts have rows only in their own feed; everyone's feed reads what the services would give
    assert not FeedItem.objects.filter(author_id__in=pull).exclude(owner_id__in=pull).exists()
    assert not FeedItem.objects.filter(author_id__in=pull).exclude(owner_id=F("author_id")).exists()
    for user in User.objects.order_by("pk")[:15]:
        authors = {user.pk, *Follow.objects.filter(follower=user).values_list("followee_id", flat=True)}
        expected = list(
            Post.objects.visible_to(user).filter(author_id__in=authors).order_by("-created", "-id").values_list("pk", flat=True)[:12]
        )
        assert [p.pk for p in feed_page(user)] == expected, user
    out = StringIO()
    call_command("check_counters", stdout=out)
    assert "All counters match their rows" in out.getvalue()


def test_signing_in_is_not_charged_for_unknown_activity(client):
    person = UserFactory()
    assert person.last_active is None  # unknown: counted as active, nothing to rebuild
    client.force_login(person)
    assert not FeedStale.objects.exists()
