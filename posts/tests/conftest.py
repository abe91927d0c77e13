"""Fixtures shared by the posts tests (helpers that are not fixtures live in factories.py)."""

from __future__ import annotations

import pytest

from posts.signals import comment_created, post_liked, post_unliked

from .factories import PostRowsFactory


@pytest.fixture
def post(bob):
    """Bob's public post (rows only, see factories.PostRowsFactory)."""
    return PostRowsFactory(author=bob, caption="bob's photo")


@pytest.fixture
def catch():
    """Record domain signals sent during a test: {"liked": [...], "unliked": [...], "comment": [...]}"""
    seen = {"liked": [], "unliked": [], "comment": []}

    def liked(sender, like_user_id, post_id, author_id, **kw):
        seen["liked"].append((like_user_id, post_id))

    def unliked(sender, like_user_id, post_id, author_id, **kw):
        seen["unliked"].append((like_user_id, post_id))

    def commented(sender, comment, mentioned, **kw):
        seen["comment"].append((comment, mentioned))

    post_liked.connect(liked, dispatch_uid="t-liked")
    post_unliked.connect(unliked, dispatch_uid="t-unliked")
    comment_created.connect(commented, dispatch_uid="t-comment")
    yield seen
    post_liked.disconnect(dispatch_uid="t-liked")
    post_unliked.disconnect(dispatch_uid="t-unliked")
    comment_created.disconnect(dispatch_uid="t-comment")
