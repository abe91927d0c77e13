"""Mentions and look-alike usernames (issue 9, item 1): a mention of @alice reaches only alice, even
when a look-alike row `alıce` (dotless ı, which PostgreSQL upper-cases to ALICE) exists. Moved from
accounts/tests/test_usernames.py: comments and mentions are the posts layer's."""

import pytest
from django.db import connection

from accounts.models import User
from posts.services import comment_create
from posts.signals import comment_created
from posts.tests.factories import PostFactory

on_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="only PostgreSQL upper-cases ı to I")


@pytest.fixture
def mallory(alice):
    """alice, then a look-alike `alıce` inserted behind the validator's back (as an old release or a
    raw SQL import might have)."""
    [user] = User.objects.bulk_create([User(username="al\u0131ce", email="mallory@example.com", password="!")])
    return user


@pytest.mark.django_db
@pytest.mark.postgres
@on_postgres
def test_mention_of_alice_tells_only_alice(alice, mallory, bob, charlie):
    post = PostFactory(author=charlie)
    seen = []

    def _spy(sender, comment, mentioned, **kwargs):
        seen.extend(mentioned)

    comment_created.connect(_spy, dispatch_uid="test_mention_spy")
    try:
        comment_create(user=bob, post_id=post.pk, body="look @alice and @ALICE")
    finally:
        comment_created.disconnect(dispatch_uid="test_mention_spy")
    assert [u.pk for u in seen] == [alice.pk]
