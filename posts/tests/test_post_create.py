"""posts.services: create, update and delete are all or nothing, counters use F(), signals fire."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from accounts.tests.factories import BlockFactory
from instaclone.media.files import StorageError
from instaclone.media.images import UploadRejected
from instaclone.testing import stored_files
from posts import signals
from posts.models import Hashtag, Post, PostMedia
from posts.services import post_create, post_delete, post_update

from .factories import MP4_HEADER, PostFactory, jpeg, png_header_claiming, real_mp4, upload


def test_create_stores_media_renditions_and_counts(alice, media_root):
    post = post_create(author=alice, caption="Hello", files=[(jpeg(size=(1200, 900)), "A red square"), (jpeg(), "")])
    media = list(post.media.all())
    assert [m.position for m in media] == [0, 1]
    assert media[0].alt_text == "A red square"
    assert (media[0].width, media[0].height) == (1200, 900)
    assert set(media[0].renditions) == {"320", "640", "1080"}
    assert len(set(media[0].renditions.values())) == 3  # three real sizes
    assert len(set(media[1].renditions.values())) == 1  # 64 px wide: one copy, never upscaled
    post.refresh_from_db()
    assert (post.media_count, post.has_video) == (2, False)
    alice.refresh_from_db()
    assert alice.post_count == 1
    files = stored_files(media_root)
    assert len(files) == 2 + 3 + 1
    assert all(name in files for m in media for name in [m.file, *m.renditions.values()])


def test_hashtags_and_mentions_parsed_and_resolved_case_insensitively(alice, bob, charlie):
    charlie.is_active = False
    charlie.save()
    post = PostFactory(author=alice, caption="Sun #Sunset #sunset #beach with @BOB and @charlie and @nobody")
    assert sorted(post.hashtags.values_list("name", flat=True)) == ["beach", "sunset"]
    assert list(post.mentions.all()) == [bob]  # inactive and unknown users are not mentioned


def test_post_created_signal_names_the_mentioned_users(alice, bob):
    received = []

    def receiver(sender, post, mentioned, mentioned_users, **kwargs):
        received.append((post.pk, mentioned, mentioned_users))

    signals.post_created.connect(receiver)
    try:
        post = PostFactory(author=alice, caption="with @bob and myself @alice")
    finally:
        signals.post_created.disconnect(receiver)
    assert received == [(post.pk, [bob], [bob])]


def test_mention_of_someone_blocked_is_stored_but_not_notified(alice, bob):

    BlockFactory(blocker=bob, blocked=alice)
    received = []
    signals.post_created.connect(lambda sender, mentioned, **kw: received.append(mentioned), weak=False,
                                 dispatch_uid="t")
    try:
        PostFactory(author=alice, caption="hey @bob")
    finally:
        signals.post_created.disconnect(dispatch_uid="t")
    assert received == [[]]


def _assert_nothing_saved(alice, media_root):
    assert Post.objects.count() == 0
    assert PostMedia.objects.count() == 0
    assert stored_files(media_root) == []
    alice.refresh_from_db()
    assert alice.post_count == 0


def test_zero_files_rejected(alice, media_root):
    with pytest.raises(ValidationError) as exc:
        post_create(author=alice, caption="x", files=[])
    assert "at least one" in str(exc.value)
    _assert_nothing_saved(alice, media_root)


def test_eleven_files_rejected(alice, media_root):
    with pytest.raises(ValidationError) as exc:
        post_create(author=alice, caption="x", files=[(jpeg(f"{i}.jpg"), "") for i in range(11)])
    assert "at most 10" in str(exc.value)
    _assert_nothing_saved(alice, media_root)


def test_caption_over_the_limit_rejected(alice, media_root):
    with pytest.raises(ValidationError) as exc:
        post_create(author=alice, caption="x" * 2201, files=[(jpeg(), "")])
    assert "2,200" in str(exc.value)
    _assert_nothing_saved(alice, media_root)


@pytest.mark.parametrize(
    "bad",
    [
        upload("page.jpg", b"<html><body>hi</body></html>"),
        upload("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"/>'),
        upload("empty.jpg", b""),
        upload("bomb.png", png_header_claiming(20_000, 20_000)),
        upload("notes.jpg", b"plain text renamed"),
    ],
    ids=["renamed-html", "svg", "zero-bytes", "20000x20000-png", "text"],
)
def test_one_bad_file_among_good_ones_saves_nothing_and_names_the_file(alice, media_root, bad):
    with pytest.raises(UploadRejected) as exc:
        post_create(author=alice, caption="x", files=[(jpeg(), ""), (bad, ""), (jpeg(), "")])
    assert exc.value.file_index == 1
    _assert_nothing_saved(alice, media_root)


def test_truncated_jpeg_saves_nothing(alice, media_root):
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.effect_noise((200, 200), 50).convert("RGB").save(out, format="JPEG")
    with pytest.raises(UploadRejected) as exc:
        post_create(author=alice, caption="", files=[(upload("cut.jpg", out.getvalue()[:900]), "")])
    assert exc.value.code == "broken"
    _assert_nothing_saved(alice, media_root)


def test_file_over_the_cap_saves_nothing(alice, media_root, settings):
    settings.IMAGE_MAX_BYTES = 500
    with pytest.raises(UploadRejected) as exc:
        post_create(author=alice, caption="", files=[(jpeg(size=(300, 300)), "")])
    assert exc.value.code == "too_large"
    _assert_nothing_saved(alice, media_root)


def test_storage_failure_on_a_later_file_deletes_the_earlier_ones(alice, media_root, monkeypatch):
    from django.core.files.storage import FileSystemStorage

    real_save = FileSystemStorage.save
    calls = {"n": 0}

    def flaky_save(self, name, content, max_length=None):
        calls["n"] += 1
        if calls["n"] == 3:  # two originals stored, then the third fails (renditions come later, in a task)
            raise OSError("disk full")
        return real_save(self, name, content, max_length=max_length)

    monkeypatch.setattr(FileSystemStorage, "save", flaky_save)
    with pytest.raises(StorageError) as exc:
        post_create(author=alice, caption="", files=[(jpeg(size=(1200, 800)), ""), (jpeg(), ""), (jpeg(), "")])
    assert exc.value.file_index == 2
    _assert_nothing_saved(alice, media_root)


def test_database_failure_deletes_the_stored_files(alice, media_root, monkeypatch):
    def boom(*args, **kwargs):
        raise IntegrityError("simulated")

    monkeypatch.setattr(PostMedia.objects, "bulk_create", boom)
    with pytest.raises(IntegrityError):
        post_create(author=alice, caption="", files=[(jpeg(), ""), (jpeg(), "")])
    _assert_nothing_saved(alice, media_root)


@pytest.mark.skipif(real_mp4() is None, reason="ffmpeg not installed")
def test_video_post_is_marked_has_video(alice, media_root):
    post = post_create(author=alice, caption="", files=[(upload("clip.mov", real_mp4()), "A clip"), (jpeg(), "")])
    video = post.media.get(position=0)
    assert video.kind == PostMedia.Kind.VIDEO and video.file.endswith(".mp4")
    assert post.has_video
    assert (video.width, video.height) == (64, 48)
    assert video.renditions  # poster frame copies for the grid


@pytest.mark.parametrize(
    "missing_ffprobe",
    [pytest.param(False, marks=pytest.mark.skipif(real_mp4() is None, reason="ffmpeg not installed")), True],
    ids=["fake-video", "no-ffprobe"],
)
def test_post_with_a_fake_video_or_without_ffprobe_is_refused_and_stores_nothing(
    alice, media_root, settings, tmp_path, missing_ffprobe
):
    content = MP4_HEADER + b"<html><script>alert(1)</script></html>"
    if missing_ffprobe:
        settings.FFPROBE_PATH = str(tmp_path / "missing-ffprobe")
        content = real_mp4() or content
    with pytest.raises(UploadRejected) as exc:
        post_create(author=alice, caption="", files=[(jpeg(), ""), (upload("clip.mp4", content), "")])
    assert exc.value.file_index == 1
    assert exc.value.code == ("video_unavailable" if missing_ffprobe else "not_a_video")
    _assert_nothing_saved(alice, media_root)


def test_update_changes_caption_tags_mentions_and_alt_texts(alice, bob):
    post = PostFactory(author=alice, caption="#old", images=2)
    received = []
    signals.post_mentions_added.connect(lambda sender, mentioned, **kw: received.append(mentioned), weak=False,
                                        dispatch_uid="t2")
    try:
        post_update(post=post, caption="#New with @bob", alt_texts=["first", "second"])
    finally:
        signals.post_mentions_added.disconnect(dispatch_uid="t2")
    post.refresh_from_db()
    assert post.caption == "#New with @bob"
    assert list(post.hashtags.values_list("name", flat=True)) == ["new"]
    assert list(post.mentions.all()) == [bob]
    assert [m.alt_text for m in post.media.all()] == ["first", "second"]
    assert received == [[bob]]
    assert Hashtag.objects.filter(name="old").exists()  # the tag stays; only the link goes


def test_update_caption_over_the_limit_changes_nothing(alice):
    post = PostFactory(author=alice, caption="keep")
    with pytest.raises(ValidationError):
        post_update(post=post, caption="x" * 2201, alt_texts=[])
    post.refresh_from_db()
    assert post.caption == "keep"


def test_delete_removes_rows_files_and_decrements_count(alice, media_root, django_capture_on_commit_callbacks):
    post = PostFactory(author=alice, images=2)
    PostFactory(author=alice)
    with django_capture_on_commit_callbacks(execute=True):
        post_delete(post=Post.objects.get(pk=post.pk))
    assert not Post.objects.filter(pk=post.pk).exists()
    alice.refresh_from_db()
    assert alice.post_count == 1
    remaining = Post.objects.get()
    expected = {m.file for m in remaining.media.all()} | {n for m in remaining.media.all() for n in m.renditions.values()}
    assert set(stored_files(media_root)) == expected


def test_request_larger_than_any_post_is_refused_before_reading(alice_client, settings, media_root):
    from posts.models import Post
    from posts.tests.factories import post_files

    settings.POST_MAX_REQUEST_BYTES = 200
    from instaclone.testing import image_upload

    big = image_upload("big.png", "PNG", size=(400, 400), color=(1, 2, 3))
    response = alice_client.post("/p/new/", {"caption": "too big", "media": [big], "alt_text_0": ""})
    assert response.status_code == 413
    assert "too large" in response.content.decode()
    assert not Post.objects.exists()
    assert post_files(media_root) == []


def test_deleting_a_post_twice_decrements_post_count_once(alice, media_root):
    PostFactory(author=alice, caption="keeper")
    post = PostFactory(author=alice, caption="twice")
    stale = Post.objects.get(pk=post.pk)
    post_delete(post=post)
    post_delete(post=stale)  # a double click / a second moderator with an old copy
    alice.refresh_from_db()
    assert alice.post_count == Post.objects.filter(author=alice).count() == 1


# --- idempotent creation (issue 9, item 10) ----------------------------------------------------


def test_same_submission_key_twice_creates_one_post_and_stores_files_once(alice, media_root):
    import uuid

    key = uuid.uuid4()
    first = post_create(author=alice, caption="Once #only", files=[(jpeg(), "")], idempotency_key=key)
    files = stored_files(media_root)
    second = post_create(author=alice, caption="Once #only", files=[(jpeg(), "")], idempotency_key=key)
    assert second.pk == first.pk
    assert Post.objects.count() == 1 and PostMedia.objects.count() == 1
    assert stored_files(media_root) == files  # the retry stored nothing
    alice.refresh_from_db()
    assert alice.post_count == 1


def test_submission_keys_are_per_author(alice, bob):
    import uuid

    key = uuid.uuid4()
    mine = post_create(author=alice, caption="", files=[(jpeg(), "")], idempotency_key=key)
    theirs = post_create(author=bob, caption="", files=[(jpeg(), "")], idempotency_key=key)
    assert mine.pk != theirs.pk and theirs.author == bob


def test_duplicate_that_loses_the_race_returns_the_first_post_and_keeps_no_files(alice, media_root, monkeypatch):
    """The second request passed the 'already created?' check before the first committed: the unique
    constraint stops it, its files are deleted, and it answers with the first post."""
    import uuid

    from posts.services import posts as services

    key = uuid.uuid4()
    first = post_create(author=alice, caption="", files=[(jpeg(), "")], idempotency_key=key)
    files = stored_files(media_root)
    real, calls = services._post_for_key, []

    def miss_once(author, key):  # the first look finds nothing: the other request had not committed
        calls.append(key)
        return None if len(calls) == 1 else real(author, key)

    monkeypatch.setattr(services, "_post_for_key", miss_once)
    second = post_create(author=alice, caption="", files=[(jpeg(), ""), (jpeg(), "")], idempotency_key=key)
    assert second.pk == first.pk
    assert Post.objects.count() == 1
    assert stored_files(media_root) == files
    assert len(calls) == 2
    alice.refresh_from_db()
    assert alice.post_count == 1


def test_all_videos_of_a_post_share_one_probing_budget(alice, settings, tmp_path, media_root):
    """A slow ffprobe (it stands for heavy files on a busy machine) costs VIDEO_PROBE_TIMEOUT per
    post, not per video, so ten videos cannot hold a worker for ten times the budget."""
    import shutil
    import time

    clip, ffprobe = real_mp4(), shutil.which("ffprobe")
    if not (clip and ffprobe):
        pytest.skip("needs ffmpeg and ffprobe")
    slow = tmp_path / "ffprobe"
    slow.write_text(f'#!/bin/sh\nsleep 0.3\nexec {ffprobe} "$@"\n')
    slow.chmod(0o755)
    settings.FFPROBE_PATH = str(slow)
    settings.VIDEO_PROBE_TIMEOUT = 1.0  # each video alone fits; six of them together do not

    started = time.monotonic()
    with pytest.raises(UploadRejected) as exc:
        post_create(author=alice, caption="six slow videos", files=[(upload(f"c{i}.mp4", clip), "") for i in range(6)])
    assert time.monotonic() - started < 1.0 + 1.0  # one budget (and a margin), not six
    assert exc.value.code == "probe_timeout"
    assert not Post.objects.exists() and stored_files(media_root) == []
