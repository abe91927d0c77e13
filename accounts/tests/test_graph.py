"""The follow graph's writes (accounts/services/graph.py): rows, counters, refusals, idempotency, and
the domain events they send inside their transaction. What the feed and the notifications do with
those events is social's, tested in social/tests/test_services.py."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import Count

from accounts import signals
from accounts.follow_state import FollowState
from accounts.models import Block, Follow, FollowRequest, User
from accounts.services import graph, profile_update
from accounts.tests.factories import BlockFactory, fresh, make_private

pytestmark = pytest.mark.django_db


def counts_match_rows():
    for u in User.objects.annotate(
        fr=Count("follower_rows", distinct=True), fg=Count("following_rows", distinct=True)
    ):
        assert (u.follower_count, u.following_count) == (u.fr, u.fg), u.username


@pytest.fixture
def events():
    """Every graph event sent, as (name, kwargs, inside a transaction?)."""
    sent = []
    names = [
        "follow_added",
        "follow_removed",
        "followed",
        "follow_requested",
        "follow_request_removed",
        "follow_request_accepted",
        "block_created",
    ]
    receivers = {}
    for name in names:

        def receiver(sender, _name=name, **kwargs):
            kwargs.pop("signal", None)
            sent.append((_name, kwargs, connection.in_atomic_block))

        receivers[name] = receiver
        getattr(signals, name).connect(receiver, weak=False, dispatch_uid=f"test.{name}")
    yield sent
    for name in names:
        getattr(signals, name).disconnect(dispatch_uid=f"test.{name}")


def names(sent):
    return [name for name, _, _ in sent]


def test_follow_public_account_creates_follow_and_counters(alice, bob, events):
    assert graph.follow_create(follower=alice, followee=bob) == FollowState.FOLLOWING
    assert graph.follow_create(follower=alice, followee=bob) == FollowState.FOLLOWING  # replay
    assert Follow.objects.filter(follower=alice, followee=bob).count() == 1
    assert (fresh(alice).following_count, fresh(bob).follower_count) == (1, 1)
    assert names(events) == ["follow_added", "followed"]
    assert events[0][1] == {"follower_id": alice.pk, "followee_id": bob.pk}
    assert events[1][1]["follower"] == alice and events[1][1]["followee"] == bob
    assert all(inside for _, _, inside in events)


def test_follow_private_account_creates_request_not_follow(alice, bob, events):
    make_private(bob)
    assert graph.follow_create(follower=alice, followee=bob) == FollowState.REQUESTED
    assert graph.follow_create(follower=alice, followee=bob) == FollowState.REQUESTED
    assert not Follow.objects.exists()
    assert FollowRequest.objects.filter(requester=alice, target=bob).count() == 1
    assert fresh(bob).follower_count == 0
    assert names(events) == ["follow_requested"]  # once: the replay found the request


def test_unfollow_and_cancel_send_their_events_and_fix_counters(alice, bob, events):
    graph.follow_create(follower=alice, followee=bob)
    events.clear()
    assert graph.follow_delete(follower=alice, followee=bob) == FollowState.NONE
    assert names(events) == ["follow_removed", "follow_request_removed"]
    events.clear()
    graph.follow_delete(follower=alice, followee=bob)  # replay: no follow to remove
    assert names(events) == ["follow_request_removed"]
    assert (fresh(alice).following_count, fresh(bob).follower_count) == (0, 0)
    counts_match_rows()


def test_accept_request_creates_the_follow_and_says_so(alice, bob, events):
    make_private(bob)
    graph.follow_create(follower=alice, followee=bob)
    events.clear()
    assert graph.follow_request_accept(target=bob, requester=alice) is True
    assert graph.follow_request_accept(target=bob, requester=alice) is False  # replay
    assert Follow.objects.filter(follower=alice, followee=bob).count() == 1
    assert (fresh(alice).following_count, fresh(bob).follower_count) == (1, 1)
    assert names(events) == ["follow_added", "follow_request_accepted"]
    assert events[1][1] == {"target": bob, "requester_id": alice.pk}
    assert all(inside for _, _, inside in events)


def test_decline_request_deletes_it_without_follow(alice, bob):
    make_private(bob)
    graph.follow_create(follower=alice, followee=bob)
    assert graph.follow_request_decline(target=bob, requester=alice) is True
    assert graph.follow_request_decline(target=bob, requester=alice) is False
    assert not FollowRequest.objects.exists() and not Follow.objects.exists()


def test_block_removes_follows_both_ways_and_fixes_counters(alice, bob, charlie, events):
    graph.follow_create(follower=alice, followee=bob)
    graph.follow_create(follower=bob, followee=alice)
    graph.follow_create(follower=charlie, followee=alice)
    events.clear()
    assert graph.block_create(blocker=alice, blocked=bob) is True
    assert graph.block_create(blocker=alice, blocked=bob) is False
    assert not Follow.objects.filter(follower__in=[alice, bob], followee__in=[alice, bob]).exists()
    assert (fresh(alice).follower_count, fresh(alice).following_count) == (1, 0)
    assert (fresh(bob).follower_count, fresh(bob).following_count) == (0, 0)
    assert names(events).count("follow_removed") == 2
    assert names(events).count("block_created") == 2  # the replay re-confirms it
    assert ("block_created", {"blocker_id": alice.pk, "blocked_id": bob.pk}, True) in events
    counts_match_rows()


def test_the_graph_sends_nothing_when_a_refusal_stops_it(alice, bob, events):
    BlockFactory(blocker=bob, blocked=alice)
    events.clear()
    with pytest.raises(graph.NotVisibleError):
        graph.follow_create(follower=alice, followee=bob)
    assert events == []


def test_follow_yourself_is_refused(alice):
    with pytest.raises(graph.SelfActionError):
        graph.follow_create(follower=alice, followee=alice)


@pytest.mark.parametrize("direction", ["blocker", "blocked"])
def test_follow_across_a_block_is_not_found(alice, bob, direction):
    a, b = (alice, bob) if direction == "blocker" else (bob, alice)
    BlockFactory(blocker=a, blocked=b)
    with pytest.raises(graph.NotVisibleError):
        graph.follow_create(follower=alice, followee=bob)
    assert not Follow.objects.exists() and not FollowRequest.objects.exists()


def test_block_removes_pending_request(alice, bob):
    make_private(alice)
    graph.follow_create(follower=bob, followee=alice)
    graph.block_create(blocker=alice, blocked=bob)
    assert not FollowRequest.objects.exists()


def test_unblock_deletes_the_block_only(alice, bob):
    graph.block_create(blocker=alice, blocked=bob)
    assert graph.block_delete(blocker=alice, blocked=bob) is True
    assert not Block.objects.exists()
    assert graph.follow_create(follower=bob, followee=alice) == FollowState.FOLLOWING


def test_remove_follower_deletes_follow_and_counters(alice, bob):
    graph.follow_create(follower=bob, followee=alice)
    assert graph.follower_remove(owner=alice, follower=bob) is True
    assert not Follow.objects.exists()
    assert (fresh(alice).follower_count, fresh(bob).following_count) == (0, 0)


def test_going_public_accepts_pending_requests(alice, bob, charlie):
    make_private(alice)
    graph.follow_create(follower=bob, followee=alice)
    graph.follow_create(follower=charlie, followee=alice)
    profile_update(user=alice, display_name="A", bio="", website="", is_private=False)
    assert set(Follow.objects.filter(followee=alice).values_list("follower__username", flat=True)) == {
        "bob",
        "charlie",
    }
    assert not FollowRequest.objects.exists()
    assert fresh(alice).follower_count == 2
    counts_match_rows()


def test_follow_on_a_now_public_account_turns_a_leftover_request_into_the_follow(alice, bob):
    FollowRequest.objects.create(requester=bob, target=alice)  # e.g. raced with going public
    assert graph.follow_create(follower=bob, followee=alice) == FollowState.FOLLOWING
    assert not FollowRequest.objects.exists()
    assert fresh(alice).follower_count == 1
    counts_match_rows()
