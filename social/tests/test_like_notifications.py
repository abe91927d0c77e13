"""The "liked your post" notification follows the like (posts' post_liked / post_unliked events):
one per like, none for a replay or one's own post, taken back by the unlike, the author's badge
forgotten each time; a like's statements include no block check (the like passed the visibility
rule, which excludes blocks either way)."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import BlockFactory
from posts import services as posts_services
from posts.tests.factories import PostRowsFactory
from social.models import Notification
from social.selectors import unread_cache_key

pytestmark = pytest.mark.django_db


def test_like_notifies_the_author_once_and_unlike_takes_it_back_with_the_badge(alice, bob):
    post = PostRowsFactory(author=bob)
    cache.set(unread_cache_key(bob.pk), 0)
    posts_services.like_create(user=alice, post_id=post.pk)
    posts_services.like_create(user=alice, post_id=post.pk)  # a replay notifies nobody again
    assert list(Notification.objects.values_list("recipient_id", "actor_id", "kind", "post_id")) == [
        (bob.pk, alice.pk, "like", post.pk)
    ]
    assert cache.get(unread_cache_key(bob.pk)) is None
    cache.set(unread_cache_key(bob.pk), 1)
    posts_services.like_delete(user=alice, post_id=post.pk)
    assert not Notification.objects.exists()
    assert cache.get(unread_cache_key(bob.pk)) is None


def test_unlike_takes_back_only_that_likers_notification(alice, bob, charlie):
    post = PostRowsFactory(author=bob)
    for user in (alice, charlie):
        posts_services.like_create(user=user, post_id=post.pk)
    posts_services.like_delete(user=alice, post_id=post.pk)
    assert list(Notification.objects.values_list("actor_id", flat=True)) == [charlie.pk]


def test_a_like_reads_no_block_rows_after_the_write_and_a_blocked_like_writes_nothing(alice, bob):
    post = PostRowsFactory(author=bob)
    with CaptureQueriesContext(connection) as ctx:
        posts_services.like_create(user=alice, post_id=post.pk)
    after_insert = [q["sql"] for q in ctx.captured_queries][2:]  # SAVEPOINT, the guarded INSERT
    assert not any("accounts_block" in sql for sql in after_insert)
    posts_services.like_delete(user=alice, post_id=post.pk)
    BlockFactory(blocker=bob, blocked=alice)
    with pytest.raises(Http404):
        posts_services.like_create(user=alice, post_id=post.pk)
    assert not Notification.objects.exists()
