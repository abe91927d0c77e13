"""posts.services.tags: who may tag whom, where, how many, and who may remove a tag."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from accounts.tests.factories import BlockFactory, FollowFactory, UserFactory, make_private
from posts.models import PhotoTag, PostMedia
from posts.services import MAX_TAGS_PER_MEDIA, PhotoTagError, photo_tag_add, photo_tag_remove
from posts.signals import photo_tag_added, photo_tag_removed

from .factories import PostRowsFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def photo(alice):
    return PostRowsFactory(author=alice, media=2).media.order_by("position").first()


@pytest.fixture
def events():
    seen = {"added": [], "removed": []}

    def added(sender, tag, first_in_post, **kw):
        seen["added"].append((tag.user_id, first_in_post))

    def removed(sender, post_id, user_id, author_id, last_in_post, **kw):
        seen["removed"].append((user_id, last_in_post))

    photo_tag_added.connect(added, dispatch_uid="t-tag-added")
    photo_tag_removed.connect(removed, dispatch_uid="t-tag-removed")
    yield seen
    photo_tag_added.disconnect(dispatch_uid="t-tag-added")
    photo_tag_removed.disconnect(dispatch_uid="t-tag-removed")


def test_author_tags_a_person_at_a_spot(alice, bob, photo, events):
    tag = photo_tag_add(author=alice, media=photo, user=bob, x="0.25", y=0.75)
    stored = PhotoTag.objects.get(pk=tag.pk)
    assert (stored.user_id, stored.post_id, stored.x, stored.y) == (bob.pk, photo.post_id, 0.25, 0.75)
    assert events["added"] == [(bob.pk, True)]


def test_tagging_twice_moves_the_tag_and_sends_no_second_event(alice, bob, photo, events):
    photo_tag_add(author=alice, media=photo, user=bob, x=0.1, y=0.1)
    photo_tag_add(author=alice, media=photo, user=bob, x=0.9, y=0.8)
    assert list(PhotoTag.objects.values_list("x", "y")) == [(0.9, 0.8)]
    assert events["added"] == [(bob.pk, True)]


def test_second_photo_of_the_same_post_is_not_first_in_post(alice, bob, photo, events):
    other = PostMedia.objects.get(post_id=photo.post_id, position=1)
    photo_tag_add(author=alice, media=photo, user=bob, x=0.5, y=0.5)
    photo_tag_add(author=alice, media=other, user=bob, x=0.5, y=0.5)
    assert events["added"] == [(bob.pk, True), (bob.pk, False)]


def test_only_the_author_may_tag(bob, charlie, photo):
    with pytest.raises(PermissionDenied):
        photo_tag_add(author=bob, media=photo, user=charlie, x=0.5, y=0.5)
    assert not PhotoTag.objects.exists()


@pytest.mark.parametrize("direction", ["author_blocks", "person_blocks"])
def test_blocked_either_way_is_refused(alice, bob, photo, direction):
    if direction == "author_blocks":
        BlockFactory(blocker=alice, blocked=bob)
    else:
        BlockFactory(blocker=bob, blocked=alice)
    with pytest.raises(PhotoTagError) as exc:
        photo_tag_add(author=alice, media=photo, user=bob, x=0.5, y=0.5)
    assert exc.value.code == "not_taggable" and not PhotoTag.objects.exists()


def test_inactive_person_is_refused(alice, photo):
    gone = UserFactory(username="gone", is_active=False)
    with pytest.raises(PhotoTagError):
        photo_tag_add(author=alice, media=photo, user=gone, x=0.5, y=0.5)


def test_private_author_may_tag_only_people_who_see_the_post(alice, bob, photo):
    make_private(alice)
    with pytest.raises(PhotoTagError):
        photo_tag_add(author=alice, media=photo, user=bob, x=0.5, y=0.5)
    FollowFactory(follower=bob, followee=alice)
    assert photo_tag_add(author=alice, media=photo, user=bob, x=0.5, y=0.5).user_id == bob.pk


@pytest.mark.parametrize("x, y", [(-0.01, 0.5), (0.5, 1.01), ("nan", 0.5), ("inf", 0.5), ("abc", 0.5), (None, 0.5), ("1e400", 0)])
def test_spot_outside_the_photo_is_refused(alice, bob, photo, x, y):
    with pytest.raises(PhotoTagError) as exc:
        photo_tag_add(author=alice, media=photo, user=bob, x=x, y=y)
    assert exc.value.code == "bad_spot" and not PhotoTag.objects.exists()


def test_video_cannot_be_tagged(alice, bob, photo):
    PostMedia.objects.filter(pk=photo.pk).update(kind=PostMedia.Kind.VIDEO)
    with pytest.raises(PhotoTagError) as exc:
        photo_tag_add(author=alice, media=photo, user=bob, x=0.5, y=0.5)
    assert exc.value.code == "not_a_photo"


def test_a_photo_holds_at_most_max_tags(alice, photo):
    people = UserFactory.create_batch(MAX_TAGS_PER_MEDIA + 1)
    for person in people[:MAX_TAGS_PER_MEDIA]:
        photo_tag_add(author=alice, media=photo, user=person, x=0.5, y=0.5)
    with pytest.raises(PhotoTagError) as exc:
        photo_tag_add(author=alice, media=photo, user=people[-1], x=0.5, y=0.5)
    assert exc.value.code == "too_many" and PhotoTag.objects.count() == MAX_TAGS_PER_MEDIA


def test_tagged_person_removes_their_tag(alice, bob, photo, events):
    tag = photo_tag_add(author=alice, media=photo, user=bob, x=0.5, y=0.5)
    photo_tag_remove(by=bob, tag=tag)
    assert not PhotoTag.objects.exists()
    assert events["removed"] == [(bob.pk, True)]


def test_author_removes_any_tag_and_last_in_post_is_told(alice, bob, photo, events):
    other = PostMedia.objects.get(post_id=photo.post_id, position=1)
    first = photo_tag_add(author=alice, media=photo, user=bob, x=0.5, y=0.5)
    second = photo_tag_add(author=alice, media=other, user=bob, x=0.5, y=0.5)
    photo_tag_remove(by=alice, tag=first)
    photo_tag_remove(by=alice, tag=second)
    assert events["removed"] == [(bob.pk, False), (bob.pk, True)]


def test_someone_else_cannot_remove_a_tag(alice, bob, charlie, photo):
    tag = photo_tag_add(author=alice, media=photo, user=bob, x=0.5, y=0.5)
    with pytest.raises(PermissionDenied):
        photo_tag_remove(by=charlie, tag=tag)
    assert PhotoTag.objects.filter(pk=tag.pk).exists()


def test_removing_a_removed_tag_does_nothing(alice, bob, photo, events):
    tag = photo_tag_add(author=alice, media=photo, user=bob, x=0.5, y=0.5)
    photo_tag_remove(by=bob, tag=tag)
    photo_tag_remove(by=bob, tag=tag)
    assert events["removed"] == [(bob.pk, True)]
