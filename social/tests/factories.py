"""Test helpers for the social app (posts come from posts.tests.factories.PostFactory)."""

from __future__ import annotations


def follow(a, b):
    """a follows b (accepting the request at once if b is private)."""
    from accounts.follow_state import FollowState
    from accounts.services import graph

    if graph.follow_create(follower=a, followee=b) == FollowState.REQUESTED:
        graph.follow_request_accept(target=b, requester=a)


def fresh(user):
    user.refresh_from_db()
    return user


def make_private(user, private: bool = True):
    """Flip the privacy flag without overwriting stored counters from a stale instance."""
    from accounts.models import User

    User.objects.filter(pk=user.pk).update(is_private=private)
    user.is_private = private
    return user
