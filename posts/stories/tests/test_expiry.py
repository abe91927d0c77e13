"""Stories last 24 hours: the hourly task deletes expired ones with their views and files. A receiver
of posts.signals.stories_expiry_hold may keep some for now (social keeps a story with an open report
for the moderators: social/tests/test_story_moderation.py, since reports are social's); those that go
are announced by stories_deleting first."""

from __future__ import annotations

import io

import pytest
from django.conf import settings
from django.core.management import call_command

from instaclone.testing import stored_files
from posts import signals
from posts.stories import services, tasks
from posts.stories.expiry import stories_expired_delete
from posts.stories.models import Story, StoryView
from posts.stories.services import story_create, story_views_record


def test_the_expiry_runs_every_hour():
    assert settings.TASKS_PERIODIC["posts.stories.tasks.stories_expire"] == 3600


@pytest.mark.django_db
def test_expired_stories_go_with_their_views_and_files(alice, bob, media_root, make_story, expire):
    old, other_old, current = make_story(alice), make_story(bob), make_story(alice)
    story_views_record(viewer=bob, story_ids=[old.pk, current.pk])
    expire(old, other_old)

    assert tasks.stories_expire.call() == "2 expired stories deleted"

    assert list(Story.objects.values_list("pk", flat=True)) == [current.pk]
    assert list(StoryView.objects.values_list("story_id", flat=True)) == [current.pk]
    assert stored_files(media_root) == [current.file]  # expired stories leave no file behind


@pytest.mark.django_db
def test_an_expired_story_is_invisible_before_the_task_runs(alice, bob, make_story, expire):
    story = make_story(alice)
    expire(story, hours=0.01)
    assert not Story.objects.visible_to(alice).exists() and not Story.objects.visible_to(bob).exists()


@pytest.mark.django_db
def test_a_video_story_leaves_no_file_when_it_expires(alice, media_root, video_of, expire):
    story = story_create(author=alice, upload=video_of(1))
    story.refresh_from_db()
    assert story.poster and len(stored_files(media_root)) == 2
    expire(story)

    assert stories_expired_delete() == 1
    assert stored_files(media_root) == []


@pytest.mark.django_db
def test_a_video_expiring_while_it_waits_for_its_task_leaves_no_file(alice, media_root, video_of, expire, monkeypatch):
    monkeypatch.setattr(services, "enqueue_on_commit", lambda *a, **k: None)
    story = story_create(author=alice, upload=video_of(1))
    expire(story)
    assert stories_expired_delete() == 1

    assert tasks.story_media_process.call(story.pk) == f"story {story.pk}: nothing to do"  # the task, late
    assert stored_files(media_root) == []


@pytest.mark.django_db
def test_the_expiry_works_in_batches(alice, media_root, make_story, expire):
    stories = [make_story(alice) for _ in range(5)]
    expire(*stories)
    assert stories_expired_delete(batch=2) == 5
    assert not Story.objects.exists() and stored_files(media_root) == []


@pytest.mark.django_db
def test_the_media_sweep_knows_story_files(alice, media_root, make_story, video_of):
    photo = make_story(alice)
    video = story_create(author=alice, upload=video_of(1))
    video.refresh_from_db()
    out = io.StringIO()
    call_command("sweep_media", "--delete", "--older-than", "0", stdout=out)
    assert "orphan" not in out.getvalue().replace("0 orphaned", "")
    assert set(stored_files(media_root)) >= {photo.file, video.file, video.poster}


@pytest.mark.django_db
def test_a_private_authors_story_files_are_private_for_media(alice, bob, make_story, video_of):
    from accounts.tests.factories import make_private
    from posts.media_access import media_name_is_private

    public = make_story(bob)
    make_private(alice)
    photo = make_story(alice)
    video = story_create(author=alice, upload=video_of(1))
    video.refresh_from_db()

    assert not media_name_is_private(public.file)
    assert media_name_is_private(photo.file)
    assert media_name_is_private(video.file) and media_name_is_private(video.poster)
    assert not media_name_is_private("stories/images/0123456789abcdef0123456789abcdef.jpg")  # nobody's: public, and 404 anyway


@pytest.mark.django_db
def test_media_asks_about_a_story_file_in_one_indexed_query_and_never_for_a_name_no_story_has(
    alice, make_story, video_of, django_assert_num_queries
):
    from accounts.tests.factories import make_private
    from posts.media_access import media_name_is_private

    make_private(alice)
    video = story_create(author=alice, upload=video_of(1))
    video.refresh_from_db()
    renamed = video.poster.replace(".jpg", "_Ab3dE5g.jpg")  # as a storage that found the name taken
    Story.objects.filter(pk=video.pk).update(poster=renamed)

    with django_assert_num_queries(1):  # Story.file's index (the poster: its video's name)
        assert media_name_is_private(renamed)
    with django_assert_num_queries(1):
        assert media_name_is_private(video.file)
    with django_assert_num_queries(0):  # names the storage never makes: refused unread (404 unsigned)
        for name in ("stories/posters/x.jpg", "stories/images/../../etc/passwd", "stories/videos/%25.mp4",
                     "stories/images/" + "a" * 32 + "_toolongsuffix.jpg", "stories/elsewhere/" + "a" * 32 + ".jpg"):
            assert media_name_is_private(name)


@pytest.fixture
def hold():
    """`hold(ids)`: a receiver of stories_expiry_hold that keeps those stories (records each call)."""
    calls = []

    def connect(ids):
        def receiver(sender, story_ids, **kwargs):
            calls.append(list(story_ids))
            return [pk for pk in story_ids if pk in ids]

        signals.stories_expiry_hold.connect(receiver, weak=False, dispatch_uid="test-hold")
        return calls

    yield connect
    signals.stories_expiry_hold.disconnect(dispatch_uid="test-hold")


@pytest.mark.django_db
def test_a_story_a_receiver_holds_stays_past_its_expiry_and_goes_once_released(alice, media_root, make_story, expire, hold):
    held, other = make_story(alice), make_story(alice)
    expire(held, other)
    calls = hold({held.pk})
    announced = []

    def deleting(sender, story_ids, reason, **kwargs):
        announced.append((list(story_ids), reason))

    signals.stories_deleting.connect(deleting, weak=False, dispatch_uid="test-deleting")
    try:
        assert stories_expired_delete(batch=1) == 1
        assert list(Story.objects.values_list("pk", flat=True)) == [held.pk]
        assert (media_root / held.file).exists()
        assert calls == [[held.pk], [other.pk]]  # asked once a batch, the held one not asked again this run
        assert announced == [([other.pk], "expired")]

        signals.stories_expiry_hold.disconnect(dispatch_uid="test-hold")
        assert stories_expired_delete() == 1
        assert not Story.objects.exists() and stored_files(media_root) == []
    finally:
        signals.stories_deleting.disconnect(dispatch_uid="test-deleting")


@pytest.mark.django_db
def test_held_stories_do_not_stop_the_run_from_reaching_the_others(alice, make_story, expire, hold):
    stories = [make_story(alice) for _ in range(5)]
    expire(*stories)
    hold({stories[0].pk, stories[1].pk})
    assert stories_expired_delete(batch=2) == 3
    assert set(Story.objects.values_list("pk", flat=True)) == {stories[0].pk, stories[1].pk}
