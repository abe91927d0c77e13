"""The "tagged you in a post" notification: written with the tag, taken back with the last one."""

from __future__ import annotations

import pytest

from posts.models import PostMedia
from posts.services import photo_tag_add, photo_tag_remove
from posts.tests.factories import PostRowsFactory
from social.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def items(alice):
    post = PostRowsFactory(author=alice, media=2)
    return list(PostMedia.objects.filter(post=post).order_by("position"))


def _tag_notifications(user):
    return list(Notification.objects.filter(recipient=user, kind=Notification.Kind.PHOTO_TAG))


def test_tag_notifies_the_tagged_person_once_per_post(alice, bob, items):
    photo_tag_add(author=alice, media=items[0], user=bob, x=0.5, y=0.5)
    photo_tag_add(author=alice, media=items[1], user=bob, x=0.5, y=0.5)
    (notification,) = _tag_notifications(bob)
    assert (notification.actor_id, notification.post_id) == (alice.pk, items[0].post_id)


def test_removing_the_last_tag_takes_the_notification_back(alice, bob, items):
    first = photo_tag_add(author=alice, media=items[0], user=bob, x=0.5, y=0.5)
    second = photo_tag_add(author=alice, media=items[1], user=bob, x=0.5, y=0.5)
    photo_tag_remove(by=bob, tag=first)
    assert len(_tag_notifications(bob)) == 1
    photo_tag_remove(by=alice, tag=second)
    assert _tag_notifications(bob) == []


def test_tagging_oneself_notifies_nobody(alice, items):
    photo_tag_add(author=alice, media=items[0], user=alice, x=0.5, y=0.5)
    assert not Notification.objects.exists()


def test_notifications_page_shows_the_tag(client, alice, bob, items):
    photo_tag_add(author=alice, media=items[0], user=bob, x=0.5, y=0.5)
    client.force_login(bob)
    html = client.get("/notifications/").content.decode()
    assert 'data-kind="photo_tag"' in html
    assert f'tagged you in a <a href="/p/{items[0].post_id}/">post</a>' in html
