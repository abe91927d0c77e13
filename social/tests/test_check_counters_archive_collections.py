"""check_counters agrees with the archive and collection services: archived posts are not counted in
User.post_count, Collection.item_count equals its items, through archive, restore, delete, saving
into collections, unsaving and deleting posts."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from accounts.models import User
from posts import services
from posts.models import Collection
from posts.tests.factories import PostFactory
from social.management.commands.check_counters import counter_mismatches

pytestmark = pytest.mark.django_db


def test_counters_stay_right_through_archive_restore_and_delete(alice):
    posts = [PostFactory(author=alice) for _ in range(3)]
    services.post_archive(post=posts[0], by=alice)
    services.post_archive(post=posts[1], by=alice)
    assert counter_mismatches() == [] and User.objects.get(pk=alice.pk).post_count == 1
    services.post_unarchive(post=posts[1], by=alice)
    assert counter_mismatches() == [] and User.objects.get(pk=alice.pk).post_count == 2
    services.post_delete(post=posts[0])  # archived: not counted, so not decremented
    services.post_delete(post=posts[1])
    assert counter_mismatches() == [] and User.objects.get(pk=alice.pk).post_count == 1
    call_command("check_counters")  # raises CommandError on a mismatch


def test_collection_item_counts_are_checked(alice, bob):
    post, other = PostFactory(author=bob), PostFactory(author=bob)
    a = services.collection_create(owner=alice, name="A")
    b = services.collection_create(owner=alice, name="B")
    for collection in (a, b):
        services.collection_add_post(collection=collection, by=alice, post_id=post.pk)
    services.collection_add_post(collection=a, by=alice, post_id=other.pk)
    assert counter_mismatches() == []
    services.save_delete(user=alice, post_id=post.pk)
    assert counter_mismatches() == []
    services.post_delete(post=other)
    assert counter_mismatches() == [] and Collection.objects.get(pk=a.pk).item_count == 0
    Collection.objects.filter(pk=b.pk).update(item_count=7)
    assert counter_mismatches() == [("Collection.item_count", b.pk, 7, 0)]
