"""Test helpers for the social app (posts come from posts.tests.factories.PostFactory)."""

from __future__ import annotations

from accounts.tests.factories import fresh, make_private  # noqa: F401 - re-exported for social's tests


def follow(a, b):
    """a follows b (accepting the request at once if b is private)."""
    from accounts.follow_state import FollowState
    from accounts.services import graph

    if graph.follow_create(follower=a, followee=b) == FollowState.REQUESTED:
        graph.follow_request_accept(target=b, requester=a)



