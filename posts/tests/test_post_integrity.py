"""Rules of Post the database and the admin keep: User.post_count recounted under its meaning
(migration 0008), archived iff archived_at and the frame's bounds (CheckConstraints, 0009), and
the admin never edits the states the services move counters with."""

import importlib

import pytest
from django.apps import apps as django_apps
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from instaclone.testing import make_user
from posts.models import Post

from .factories import PostRowsFactory

pytestmark = pytest.mark.django_db


def test_migration_recounts_post_count_without_hidden_nor_archived_posts(alice, bob, charlie):
    PostRowsFactory(author=alice)
    hidden = PostRowsFactory(author=alice)
    archived = PostRowsFactory(author=bob)
    PostRowsFactory(author=bob)
    Post.objects.filter(pk=hidden.pk).update(is_hidden=True)
    Post.objects.filter(pk=archived.pk).update(is_archived=True, archived_at=timezone.now())
    User.objects.update(post_count=7)  # counts kept under the old meaning (or drifted)

    migration = importlib.import_module("posts.migrations.0008_user_post_count_recount")
    migration.recount_posts(django_apps, None)

    counts = dict(User.objects.values_list("username", "post_count"))
    assert (counts["alice"], counts["bob"], counts["charlie"]) == (1, 1, 0)


@pytest.mark.parametrize("fields", [{"is_archived": True}, {"archived_at": timezone.now()}])
def test_database_refuses_archived_without_time_and_time_without_archived(alice, fields):
    post = PostRowsFactory(author=alice)
    with pytest.raises(IntegrityError), transaction.atomic():
        Post.objects.filter(pk=post.pk).update(**fields)


@pytest.mark.parametrize("ratio", [0.5, 1.95])
def test_database_refuses_an_aspect_ratio_out_of_bounds(alice, ratio):
    post = PostRowsFactory(author=alice)
    with pytest.raises(IntegrityError), transaction.atomic():
        Post.objects.filter(pk=post.pk).update(aspect_ratio=ratio)


@pytest.mark.parametrize("ratio", [4 / 5, 1.91, round(4 / 5, 4)])
def test_database_keeps_the_bounds_themselves(alice, ratio):
    post = PostRowsFactory(author=alice)
    Post.objects.filter(pk=post.pk).update(aspect_ratio=ratio)
    assert Post.objects.get(pk=post.pk).aspect_ratio == pytest.approx(ratio)


def test_post_admin_shows_counter_states_and_frame_read_only(client, alice):
    client.force_login(make_user("root", is_staff=True, is_superuser=True))
    post = PostRowsFactory(author=alice)
    html = client.get(f"/admin/posts/post/{post.pk}/change/").content.decode()
    assert 'name="caption"' in html
    for field in ("is_hidden", "is_archived", "archived_at", "aspect", "aspect_ratio"):
        assert f'name="{field}"' not in html and f'name="{field}_0"' not in html
