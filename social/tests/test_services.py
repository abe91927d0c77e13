"""The feed rows, notifications and unread badges that change with the follow graph (accounts'
events, social/receivers.py), the fan-out, the rebuild and notification rules."""

import pytest
from django.db.models import Count

from accounts.follow_state import FollowState
from accounts.models import Follow, FollowRequest, User
from accounts.services import graph
from accounts.tests.factories import BlockFactory
from posts.tests.factories import PostFactory
from social import services
from social.models import FeedItem, Notification

from .factories import fresh, make_private

pytestmark = pytest.mark.django_db


def counts_match_rows():
    for u in User.objects.annotate(fr=Count("follower_rows", distinct=True), fg=Count("following_rows", distinct=True)):
        assert (u.follower_count, u.following_count) == (u.fr, u.fg), u.username


def test_follow_public_account_creates_follow_and_counters(alice, bob):
    assert graph.follow_create(follower=alice, followee=bob) == FollowState.FOLLOWING
    assert Follow.objects.filter(follower=alice, followee=bob).exists()
    assert fresh(alice).following_count == 1
    assert fresh(bob).follower_count == 1
    assert Notification.objects.filter(recipient=bob, actor=alice, kind="follow").count() == 1


def test_follow_twice_keeps_one_follow_and_one_notification(alice, bob):
    graph.follow_create(follower=alice, followee=bob)
    graph.follow_create(follower=alice, followee=bob)
    assert Follow.objects.count() == 1
    assert fresh(bob).follower_count == 1
    assert Notification.objects.filter(kind="follow").count() == 1


def test_follow_private_account_creates_request_not_follow(alice, bob):
    make_private(bob)
    assert graph.follow_create(follower=alice, followee=bob) == FollowState.REQUESTED
    assert graph.follow_create(follower=alice, followee=bob) == FollowState.REQUESTED
    assert not Follow.objects.exists()
    assert FollowRequest.objects.filter(requester=alice, target=bob).count() == 1
    assert fresh(bob).follower_count == 0
    assert Notification.objects.filter(recipient=bob, kind="follow_request").count() == 1


def test_unfollow_removes_follow_counters_feed_and_notification(alice, bob):
    graph.follow_create(follower=alice, followee=bob)
    PostFactory(author=bob)
    assert FeedItem.objects.filter(owner=alice, author=bob).count() == 1
    graph.follow_delete(follower=alice, followee=bob)
    graph.follow_delete(follower=alice, followee=bob)  # replay: nothing more changes
    assert not Follow.objects.exists()
    assert (fresh(alice).following_count, fresh(bob).follower_count) == (0, 0)
    assert not FeedItem.objects.filter(owner=alice, author=bob).exists()
    assert not Notification.objects.filter(kind="follow").exists()


def test_cancel_request_removes_request_and_its_notification(alice, bob):
    make_private(bob)
    graph.follow_create(follower=alice, followee=bob)
    graph.follow_delete(follower=alice, followee=bob)
    assert not FollowRequest.objects.exists()
    assert not Notification.objects.exists()


def test_accept_request_creates_follow_backfills_feed_and_notifies_requester(alice, bob):
    make_private(bob)
    post = PostFactory(author=bob)
    graph.follow_create(follower=alice, followee=bob)
    assert graph.follow_request_accept(target=bob, requester=alice) is True
    assert graph.follow_request_accept(target=bob, requester=alice) is False  # replay
    assert Follow.objects.filter(follower=alice, followee=bob).count() == 1
    assert (fresh(alice).following_count, fresh(bob).follower_count) == (1, 1)
    assert FeedItem.objects.filter(owner=alice, post=post).exists()
    assert Notification.objects.filter(recipient=alice, actor=bob, kind="follow_accepted").count() == 1
    # bob's "requested" notification became "started following you"
    assert list(Notification.objects.filter(recipient=bob).values_list("kind", flat=True)) == ["follow"]


def test_decline_request_deletes_it_without_follow(alice, bob):
    make_private(bob)
    graph.follow_create(follower=alice, followee=bob)
    assert graph.follow_request_decline(target=bob, requester=alice) is True
    assert not FollowRequest.objects.exists() and not Follow.objects.exists()
    assert not Notification.objects.exists()


def test_block_removes_follows_both_ways_requests_and_fixes_counters(alice, bob, charlie):
    graph.follow_create(follower=alice, followee=bob)
    graph.follow_create(follower=bob, followee=alice)
    graph.follow_create(follower=charlie, followee=alice)
    make_private(alice)
    PostFactory(author=alice)
    assert graph.block_create(blocker=alice, blocked=bob) is True
    assert graph.block_create(blocker=alice, blocked=bob) is False
    assert not Follow.objects.filter(follower__in=[alice, bob], followee__in=[alice, bob]).exists()
    assert (fresh(alice).follower_count, fresh(alice).following_count) == (1, 0)
    assert (fresh(bob).follower_count, fresh(bob).following_count) == (0, 0)
    assert not FeedItem.objects.filter(owner=bob, author=alice).exists()
    assert not Notification.objects.filter(recipient__in=[alice, bob], actor__in=[alice, bob]).exists()
    counts_match_rows()


def test_new_post_fans_out_to_author_and_followers_only(alice, bob, charlie):
    graph.follow_create(follower=bob, followee=alice)
    post = PostFactory(author=alice)
    assert set(FeedItem.objects.filter(post=post).values_list("owner__username", flat=True)) == {"alice", "bob"}


def test_deleted_post_leaves_feeds_by_cascade(alice, bob):
    graph.follow_create(follower=bob, followee=alice)
    post = PostFactory(author=alice)
    post.delete()
    assert not FeedItem.objects.exists()


def test_feed_rebuild_restores_rows(alice, bob):
    graph.follow_create(follower=bob, followee=alice)
    PostFactory(author=alice)
    PostFactory(author=bob)
    FeedItem.objects.all().delete()
    services.feed_rebuild(owner=bob)
    assert FeedItem.objects.filter(owner=bob).count() == 2


def test_notification_to_yourself_is_not_created(alice):
    assert services.notification_create(recipient=alice, actor=alice, kind="like") is None


def test_notification_between_blocked_people_is_not_created(alice, bob):
    BlockFactory(blocker=bob, blocked=alice)
    assert services.notification_create(recipient=alice, actor=bob, kind="follow") is None
    assert services.notification_create(recipient=bob, actor=alice, kind="follow") is None


def test_feed_rebuild_command_rebuilds_everyone(alice, bob):
    from django.core.management import call_command

    graph.follow_create(follower=bob, followee=alice)
    PostFactory(author=alice)
    FeedItem.objects.all().delete()
    call_command("feed_rebuild", verbosity=0)
    assert set(FeedItem.objects.values_list("owner__username", flat=True)) == {"alice", "bob"}


def test_block_removes_every_notification_and_feed_row_between_the_two(alice, bob):
    """Not only those of the follows it removes: likes, comments, mentions and leftover feed rows go
    too, both ways (social's block_created receiver)."""
    from posts import services as posts_services

    alice_post, bob_post = PostFactory(author=alice), PostFactory(author=bob)
    posts_services.like_create(user=bob, post_id=alice_post.pk)
    posts_services.like_create(user=alice, post_id=bob_post.pk)
    FeedItem.objects.create(owner=alice, post=bob_post, author=bob, created=bob_post.created)  # a leftover
    assert Notification.objects.filter(kind="like").count() == 2
    graph.block_create(blocker=alice, blocked=bob)
    assert not Notification.objects.filter(recipient__in=[alice, bob], actor__in=[alice, bob]).exists()
    assert not FeedItem.objects.filter(owner=alice, author=bob).exists()
