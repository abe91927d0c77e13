"""The home feed's writes as background tasks (social/tasks.py): fan-out of a new post in batches,
the follow backfill and the removal of rows. Most tests hold the queue (django-tasks' DummyBackend)
to look at what is enqueued, then run the tasks by hand; the suite's immediate backend runs them at
commit otherwise."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from django_tasks import default_task_backend

from accounts.models import User
from accounts.services import graph
from accounts.tests.factories import FollowFactory, UserFactory, make_private
from posts.tests.factories import PostFactory
from social import tasks
from social.models import FeedItem
from social.selectors import feed_page

pytestmark = pytest.mark.django_db

DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def held(settings):
    """Enqueued tasks wait in a list (DummyBackend) instead of running."""
    settings.TASKS = DUMMY
    default_task_backend.clear()
    return default_task_backend


def queued(backend, the_task) -> list[list]:
    return [r.args for r in backend.results if r.task.func is the_task.func]


def take(backend, the_task):
    """Remove from the queue and return the first queued run of `the_task` (None if none)."""
    for i, result in enumerate(backend.results):
        if result.task.func is the_task.func:
            return backend.results.pop(i)
    return None


def run_queue(backend) -> int:
    """Run what is queued, oldest first, including what the tasks enqueue; how many ran."""
    ran = 0
    while backend.results:
        result = backend.results.pop(0)
        result.task.call(*result.args, **result.kwargs)
        ran += 1
    return ran


def owners(post) -> list[int]:
    return sorted(FeedItem.objects.filter(post=post).values_list("owner_id", flat=True))


def followers_of(author, n: int) -> list[User]:
    people = [UserFactory() for _ in range(n)]
    for person in people:
        FollowFactory(follower=person, followee=author)
    return people


def test_the_author_sees_the_post_at_once_and_followers_get_it_from_the_task(held, alice, bob, charlie):
    FollowFactory(follower=bob, followee=alice)
    FollowFactory(follower=charlie, followee=alice)
    run_queue(held)  # the follows' backfills
    post = PostFactory(author=alice)
    assert owners(post) == [alice.pk]  # written in the request: O(1) whatever the follower count
    assert queued(held, tasks.feed_fan_out) == [[post.pk]]
    run_queue(held)
    assert owners(post) == sorted([alice.pk, bob.pk, charlie.pk])


def test_fan_out_runs_in_batches_each_enqueueing_the_next(held, settings, alice):
    settings.FEED_FANOUT_BATCH = 2
    people = followers_of(alice, 5)
    run_queue(held)
    post = PostFactory(author=alice)
    batches = 0
    while (result := take(held, tasks.feed_fan_out)) is not None:
        written = result.task.call(*result.args)
        batches += 1
        assert written == (2 if batches < 3 else 1)
        # every batch but the last queued exactly one successor
        assert len(queued(held, tasks.feed_fan_out)) == (1 if batches < 3 else 0)
    assert batches == 3
    assert owners(post) == sorted([alice.pk, *(p.pk for p in people)])


def test_a_batch_run_twice_changes_nothing_twice(held, settings, alice):
    settings.FEED_FANOUT_BATCH = 2
    followers_of(alice, 3)
    run_queue(held)
    post = PostFactory(author=alice)
    first = take(held, tasks.feed_fan_out)
    assert first.task.call(*first.args) == 2
    assert first.task.call(*first.args) == 0  # again: (owner, post) is unique, conflicts ignored
    run_queue(held)
    assert FeedItem.objects.filter(post=post).count() == 4
    assert len(set(owners(post))) == 4


def test_the_task_is_enqueued_only_when_the_post_is_committed(held, alice, bob):
    FollowFactory(follower=bob, followee=alice)
    run_queue(held)
    with transaction.atomic():
        post = PostFactory(author=alice)
        assert queued(held, tasks.feed_fan_out) == []  # the post row is not committed yet
    assert queued(held, tasks.feed_fan_out) == [[post.pk]]


def test_a_rolled_back_post_enqueues_nothing(held, alice, bob):
    FollowFactory(follower=bob, followee=alice)
    run_queue(held)
    with pytest.raises(RuntimeError), transaction.atomic():
        PostFactory(author=alice)
        raise RuntimeError
    assert queued(held, tasks.feed_fan_out) == []


def test_a_post_deleted_before_its_fan_out_writes_nothing(held, alice, bob):
    from posts.services import post_delete

    FollowFactory(follower=bob, followee=alice)
    run_queue(held)
    post = PostFactory(author=alice)
    post_id = post.pk
    post_delete(post=post)
    run_queue(held)
    assert not FeedItem.objects.filter(post_id=post_id).exists()


def test_an_author_without_followers_enqueues_no_fan_out(held, alice):
    post = PostFactory(author=alice)
    assert queued(held, tasks.feed_fan_out) == []
    assert owners(post) == [alice.pk]


def test_fan_out_skips_people_away_longer_than_feed_active_days(settings, alice):
    settings.FEED_ACTIVE_DAYS = 30
    today = timezone.localdate()
    away, recent, unknown = UserFactory(), UserFactory(), UserFactory()
    for person in (away, recent, unknown):
        FollowFactory(follower=person, followee=alice)
    User.objects.filter(pk=away.pk).update(last_active=today - timedelta(days=31))
    User.objects.filter(pk=recent.pk).update(last_active=today - timedelta(days=30))
    post = PostFactory(author=alice)  # immediate backend: the fan-out ran at commit
    assert owners(post) == sorted([alice.pk, recent.pk, unknown.pk])


# --- follow backfill and removal ----------------------------------------------------------------


def test_a_follow_backfills_through_a_task(held, alice, bob):
    post = PostFactory(author=bob)
    graph.follow_create(follower=alice, followee=bob)
    assert queued(held, tasks.feed_follow_backfill) == [[alice.pk, bob.pk]]
    assert not FeedItem.objects.filter(owner=alice, post=post).exists()
    run_queue(held)
    assert FeedItem.objects.filter(owner=alice, post=post).exists()


def test_a_backfill_that_runs_after_an_unfollow_copies_nothing(held, alice, bob):
    PostFactory(author=bob)
    graph.follow_create(follower=alice, followee=bob)
    graph.follow_delete(follower=alice, followee=bob)
    run_queue(held)  # backfill then removal, in order; and again in the other order below
    graph.follow_create(follower=alice, followee=bob)
    graph.follow_delete(follower=alice, followee=bob)
    held.results.reverse()
    run_queue(held)
    assert not FeedItem.objects.filter(owner=alice, author=bob).exists()


def test_a_removal_that_runs_after_a_new_follow_keeps_the_rows(held, alice, bob):
    post = PostFactory(author=bob)
    graph.follow_create(follower=alice, followee=bob)
    graph.follow_delete(follower=alice, followee=bob)
    graph.follow_create(follower=alice, followee=bob)
    # the removal of the unfollow runs last
    removal = [r for r in held.results if r.task.func is tasks.feed_follow_remove.func]
    others = [r for r in held.results if r.task.func is not tasks.feed_follow_remove.func]
    held.results[:] = others + removal
    run_queue(held)
    assert FeedItem.objects.filter(owner=alice, post=post).exists()


def test_unfollow_removes_the_rows_through_a_task(held, alice, bob):
    graph.follow_create(follower=alice, followee=bob)
    run_queue(held)
    post = PostFactory(author=bob)
    run_queue(held)
    graph.follow_delete(follower=alice, followee=bob)
    assert queued(held, tasks.feed_follow_remove) == [[alice.pk, bob.pk]]
    assert FeedItem.objects.filter(owner=alice, post=post).exists()
    run_queue(held)
    assert not FeedItem.objects.filter(owner=alice, author=bob).exists()


def test_a_private_account_removing_a_follower_leaks_nothing_before_the_task_runs(held, alice, bob):
    make_private(bob)
    graph.follow_create(follower=alice, followee=bob)
    graph.follow_request_accept(target=bob, requester=alice)
    run_queue(held)
    post = PostFactory(author=bob, caption="followers only")
    run_queue(held)
    assert post.pk in [p.pk for p in feed_page(alice)]
    graph.follower_remove(owner=bob, follower=alice)
    # the row is still there (its removal is queued), and the read path already hides the post
    assert FeedItem.objects.filter(owner=alice, post=post).exists()
    assert post.pk not in [p.pk for p in feed_page(alice)]
    run_queue(held)
    assert not FeedItem.objects.filter(owner=alice, author=bob).exists()


def test_a_block_removes_rows_both_ways_through_tasks(held, alice, bob):
    graph.follow_create(follower=alice, followee=bob)
    graph.follow_create(follower=bob, followee=alice)
    run_queue(held)
    a, b = PostFactory(author=alice), PostFactory(author=bob)
    run_queue(held)
    graph.block_create(blocker=alice, blocked=bob)
    assert a.pk not in [p.pk for p in feed_page(bob)] and b.pk not in [p.pk for p in feed_page(alice)]
    run_queue(held)
    assert not FeedItem.objects.filter(owner=alice, author=bob).exists()
    assert not FeedItem.objects.filter(owner=bob, author=alice).exists()
    assert FeedItem.objects.filter(owner=alice, post=a).exists()  # own rows stay


def test_a_hidden_post_keeps_its_rows_and_is_filtered_on_read(alice, bob):
    from posts.models import Post

    graph.follow_create(follower=alice, followee=bob)
    post = PostFactory(author=bob)
    Post.objects.filter(pk=post.pk).update(is_hidden=True)
    assert FeedItem.objects.filter(owner=alice, post=post).exists()
    assert post.pk not in [p.pk for p in feed_page(alice)]
    Post.objects.filter(pk=post.pk).update(is_hidden=False)  # restored: back without a refill
    assert post.pk in [p.pk for p in feed_page(alice)]
