"""Test helpers for the social app."""

from __future__ import annotations

from instaclone.testing import image_upload


def make_post(author, caption: str = "", *, hidden: bool = False):
    """A real post through posts.services.post_create (media processed, post_created sent)."""
    from posts.models import Post
    from posts.services import post_create

    post = post_create(author=author, caption=caption, files=[(image_upload(), "")])
    if hidden:
        Post.objects.filter(pk=post.pk).update(is_hidden=True)
        post.is_hidden = True
    return post


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
