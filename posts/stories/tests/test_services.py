"""Posting, deleting and watching stories (posts.stories.services), and a video story's task."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from freezegun import freeze_time
from PIL import Image

from accounts.services import block_create, follow_create
from accounts.tests.factories import UserFactory
from instaclone.media.files import StorageError
from instaclone.media.images import UploadRejected
from instaclone.testing import stored_files
from posts.stories import services
from posts.stories.models import Story, StoryView
from posts.stories.services import (
    StoryError,
    StoryRateLimited,
    story_create,
    story_delete,
    story_views_record,
)
from posts.tests.factories import upload


def _jpeg_with_gps(size=(4000, 1000)) -> SimpleUploadedFile:
    """A photo whose EXIF has a GPS position and a camera, as phones write it."""
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (48.0, 51.0, 30.0), 3: "E", 4: (2.0, 17.0, 40.0)}  # GPSInfo
    out = io.BytesIO()
    Image.new("RGB", size, (10, 200, 90)).save(out, "JPEG", exif=exif)
    return SimpleUploadedFile("holiday.jpg", out.getvalue(), content_type="image/jpeg")


@pytest.mark.django_db
def test_a_photo_story_is_stored_without_metadata_capped_and_lives_24_hours(alice, media_root):
    photo = _jpeg_with_gps()
    assert Image.open(photo).getexif().get(0x8825)  # the upload has a position
    photo.seek(0)

    story = story_create(author=alice, upload=photo, alt_text="  A field  ")

    story.refresh_from_db()
    assert (story.kind, story.status, story.alt_text) == ("image", "ready", "A field")
    assert story.file.startswith("stories/images/") and story.file.endswith(".jpg")
    assert (story.width, story.height) == (1920, 480)  # long edge capped at STORY_IMAGE_MAX_EDGE
    assert abs(story.expires_at - story.created - timedelta(hours=24)) < timedelta(seconds=1)
    with Image.open(media_root / story.file) as stored:
        assert stored.size == (1920, 480)
        assert not stored.getexif()  # no EXIF at all: no GPS, no camera
        assert "exif" not in stored.info and "icc_profile" not in stored.info
    assert stored_files(media_root) == [story.file]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name, content, message",
    [
        ("page.jpg", b"<html><script>alert(1)</script></html>", "isn't"),
        ("empty.jpg", b"", "empty"),
        ("fake.mp4", b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"garbage" * 10, "isn't a video"),
    ],
)
def test_a_file_that_is_not_a_photo_or_video_is_refused_and_nothing_remains(alice, media_root, name, content, message):
    with pytest.raises(UploadRejected) as refused:
        story_create(author=alice, upload=upload(name, content))
    assert message in refused.value.message
    assert not Story.objects.exists()
    assert stored_files(media_root) == []


@pytest.mark.django_db
def test_no_file_is_refused(alice):
    with pytest.raises(UploadRejected, match="Choose a photo or a video"):
        story_create(author=alice, upload=None)


@pytest.mark.django_db
def test_a_video_longer_than_60_seconds_is_refused_with_its_length(alice, media_root, video_of):
    with pytest.raises(UploadRejected) as refused:
        story_create(author=alice, upload=video_of(61))
    assert refused.value.message == "This video is too long (1:01). The limit is 1:00."
    assert not Story.objects.exists() and stored_files(media_root) == []


@pytest.mark.django_db
def test_a_video_story_is_transcoded_with_a_poster_by_its_task(alice, bob, media_root, video_of):
    follow_create(follower=bob, followee=alice)

    story = story_create(author=alice, upload=video_of(2))  # the task runs when the story commits

    story.refresh_from_db()
    assert (story.kind, story.status, story.error) == ("video", "ready", "")
    assert story.file.startswith("stories/videos/") and story.file.endswith(".mp4")
    assert story.poster.startswith("stories/posters/") and story.poster.endswith(".jpg")
    assert 1.5 < story.duration < 2.5
    # the upload was replaced by its web copy and poster: nothing else is left
    assert stored_files(media_root) == sorted([story.file, story.poster])
    assert Story.objects.visible_to(bob).filter(pk=story.pk).exists()


@pytest.mark.django_db
def test_a_video_in_processing_is_its_authors_only(alice, bob, video_of, monkeypatch):
    monkeypatch.setattr(services, "enqueue_on_commit", lambda *a, **k: None)  # the worker is busy
    follow_create(follower=bob, followee=alice)

    story = story_create(author=alice, upload=video_of(1))

    assert story.status == "processing"
    assert Story.objects.visible_to(alice).filter(pk=story.pk).exists()
    assert not Story.objects.visible_to(bob).filter(pk=story.pk).exists()


@pytest.mark.django_db
def test_a_video_the_task_cannot_transcode_fails_for_its_author_only(alice, alice_client, media_root, video_of, monkeypatch):
    from instaclone.media import videos
    from posts.stories import tasks

    def broken(*args, **kwargs):
        raise videos.TranscodeFailed("ffmpeg exited with 1: broken stream")

    monkeypatch.setattr(videos, "transcode", broken)
    monkeypatch.setattr(services, "enqueue_on_commit", lambda *a, **k: None)
    story = story_create(author=alice, upload=video_of(1))

    with pytest.raises(tasks.StoryMediaFailed):
        tasks.story_media_process.call(story.pk)

    story.refresh_from_db()
    assert story.status == "failed" and "broken stream" in story.error  # staff's detail
    assert stored_files(media_root) == [story.file]  # the upload stays until the story goes
    page = alice_client.get("/stories/alice/").content.decode()
    assert "its format may not be supported, or the file may be damaged" in page and "broken stream" not in page


@pytest.mark.django_db
def test_a_video_longer_than_its_container_said_fails_with_its_length_for_its_author(
    alice, alice_client, media_root, video_of, monkeypatch, settings
):
    from posts.stories import tasks

    monkeypatch.setattr(services, "enqueue_on_commit", lambda *a, **k: None)
    story = story_create(author=alice, upload=video_of(3))  # its container states 3 s: accepted
    settings.STORY_VIDEO_MAX_SECONDS = 1  # as if it had stated none, and the web copy told the truth

    with pytest.raises(tasks.StoryMediaFailed):
        tasks.story_media_process.call(story.pk)

    story.refresh_from_db()
    assert story.status == "failed" and story.failure_reason == "This video is too long (0:03). The limit is 0:01."
    assert stored_files(media_root) == [story.file]
    page = alice_client.get("/stories/alice/").content.decode()
    assert "This video is too long (0:03). The limit is 0:01. Delete it and try another one." in page


@pytest.mark.django_db
def test_a_story_deleted_while_its_video_is_processed_leaves_no_file(alice, media_root, video_of, monkeypatch):
    from instaclone.media import videos
    from posts.stories import tasks

    monkeypatch.setattr(services, "enqueue_on_commit", lambda *a, **k: None)
    story = story_create(author=alice, upload=video_of(1))
    real = videos.transcode

    def deleted_meanwhile(*args, **kwargs):
        result = real(*args, **kwargs)
        story_delete(story=Story.objects.get(pk=story.pk), by=alice)  # the author deletes it while ffmpeg runs
        return result

    monkeypatch.setattr(videos, "transcode", deleted_meanwhile)
    assert tasks.story_media_process.call(story.pk) == f"story {story.pk}: gone meanwhile"
    assert not Story.objects.exists()
    assert stored_files(media_root) == []


@pytest.mark.django_db
def test_a_storage_failure_leaves_no_row_and_no_file(alice, media_root, monkeypatch):
    from django.core.files.storage import FileSystemStorage

    def full_disk(self, name, content, max_length=None):
        raise OSError("No space left on device")

    monkeypatch.setattr(FileSystemStorage, "save", full_disk)
    with pytest.raises(StorageError):
        story_create(author=alice, upload=_jpeg_with_gps((300, 500)))
    assert not Story.objects.exists()
    assert stored_files(media_root) == []


@pytest.mark.django_db
def test_a_database_failure_after_the_file_is_stored_deletes_the_file(alice, media_root, monkeypatch):
    def broken_create(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(Story.objects, "create", broken_create)
    with pytest.raises(RuntimeError):
        story_create(author=alice, upload=_jpeg_with_gps((300, 500)))
    assert not Story.objects.exists()
    assert stored_files(media_root) == []


@pytest.mark.django_db
def test_the_daily_limit_refuses_before_reading_the_file(alice, media_root, make_story, settings, monkeypatch):
    settings.STORIES_PER_DAY = 2
    make_story(alice)
    make_story(alice)

    def never(*args, **kwargs):
        raise AssertionError("the upload was read")

    monkeypatch.setattr(services, "process_image", never)
    with pytest.raises(StoryRateLimited) as refused:
        story_create(author=alice, upload=_jpeg_with_gps((300, 500)))
    assert "2 stories in the last 24 hours" in refused.value.message and refused.value.status == 429
    assert Story.objects.count() == 2 and len(stored_files(media_root)) == 2


@pytest.mark.django_db
def test_the_daily_limit_counts_only_the_last_24_hours(alice, make_story, settings):
    settings.STORIES_PER_DAY = 1
    with freeze_time(timezone.now() - timedelta(hours=25)):
        make_story(alice)
    make_story(alice)  # yesterday's no longer counts
    assert Story.objects.count() == 2
    with freeze_time(timezone.now() + timedelta(hours=23)), pytest.raises(StoryRateLimited) as refused:
        make_story(alice)
    assert 3600 - 5 <= refused.value.retry_after <= 3600 + 5  # today's leaves the window in an hour


@pytest.mark.django_db
def test_deleting_a_story_gives_no_place_back(alice, make_story, settings):
    settings.STORIES_PER_DAY = 2
    for _ in range(2):
        story_delete(story=make_story(alice), by=alice)

    with pytest.raises(StoryRateLimited) as refused:
        make_story(alice)
    assert not Story.objects.exists() and refused.value.retry_after > 23 * 3600


@pytest.mark.django_db
def test_the_daily_limit_holds_when_the_cache_forgot(alice, make_story, settings):
    settings.STORIES_PER_DAY = 2
    make_story(alice)
    make_story(alice)
    services.cache.clear()  # as after a Redis outage (a miss reads as no history) or a flush
    with pytest.raises(StoryRateLimited):
        make_story(alice)
    assert Story.objects.count() == 2


@pytest.mark.django_db
def test_alt_text_with_a_null_character_is_refused(alice):
    with pytest.raises(UploadRejected, match="null characters"):
        story_create(author=alice, upload=_jpeg_with_gps((30, 50)), alt_text="a\x00b")


@pytest.mark.django_db
def test_a_view_is_recorded_once_and_counted(alice, bob, make_story):
    story = make_story(alice)

    assert story_views_record(viewer=bob, story_ids=[story.pk]) == 1
    assert story_views_record(viewer=bob, story_ids=[story.pk, story.pk]) == 0  # again: nothing new

    story.refresh_from_db()
    assert story.view_count == 1
    assert list(StoryView.objects.values_list("story_id", "viewer_id")) == [(story.pk, bob.pk)]


@pytest.mark.django_db
def test_the_author_watching_their_own_story_is_no_view(alice, make_story):
    story = make_story(alice)
    assert story_views_record(viewer=alice, story_ids=[story.pk]) == 0
    story.refresh_from_db()
    assert story.view_count == 0 and not StoryView.objects.exists()


@pytest.mark.django_db
def test_a_view_of_a_story_the_viewer_may_not_see_is_not_recorded(alice, bob, charlie, make_story):
    private = UserFactory(username="dana", private=True)
    hers = make_story(private)
    alices = make_story(alice)
    block_create(blocker=alice, blocked=charlie)

    assert story_views_record(viewer=bob, story_ids=[hers.pk]) == 0  # private, not followed
    assert story_views_record(viewer=charlie, story_ids=[alices.pk]) == 0  # blocked
    assert story_views_record(viewer=bob, story_ids=[999999]) == 0  # no such story
    assert not StoryView.objects.exists()


@pytest.mark.django_db
def test_staff_looking_at_a_hidden_story_add_no_view(alice, make_story):
    staff = UserFactory(username="staff", is_staff=True)
    story = make_story(alice)
    Story.objects.filter(pk=story.pk).update(is_hidden=True)
    assert Story.objects.visible_to(staff).filter(pk=story.pk).exists()  # staff see it (as a hidden post)
    assert story_views_record(viewer=staff, story_ids=[story.pk]) == 0
    assert not StoryView.objects.exists()


@pytest.mark.django_db
def test_the_author_deletes_a_story_with_its_views_and_files(alice, bob, media_root, make_story):
    story = make_story(alice)
    other = make_story(alice)
    story_views_record(viewer=bob, story_ids=[story.pk, other.pk])

    story_delete(story=story, by=alice)

    assert list(Story.objects.values_list("pk", flat=True)) == [other.pk]
    assert list(StoryView.objects.values_list("story_id", flat=True)) == [other.pk]
    assert stored_files(media_root) == [other.file]


@pytest.mark.django_db
def test_only_the_author_deletes_a_story(alice, bob, media_root, make_story):
    story = make_story(alice)
    with pytest.raises(StoryError):
        story_delete(story=story, by=bob)
    assert Story.objects.filter(pk=story.pk).exists() and stored_files(media_root) == [story.file]
