"""Media processing after the request (posts.tasks.post_media_process): photo renditions and video
transcodes are made by a task enqueued on commit; a video post is its author's until its web copy is
ready; the task is idempotent, cleans up after a post deleted while it worked, and records a failure
where the author and staff see it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time

import pytest
from django.urls import reverse

from instaclone.tasks import RetryScheduled
from posts.models import Post, PostMedia
from posts.services import post_create, post_delete
from posts.tasks import MediaProcessingFailed, post_media_process

from .factories import jpeg, post_files, real_mp4, upload

DB_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
needs_ffmpeg = pytest.mark.skipif(real_mp4() is None, reason="ffmpeg not installed")


@pytest.fixture
def queued(settings):
    """Tasks wait in the database queue (as in production) until the test runs them."""
    settings.TASKS = DB_BACKEND


def queued_paths() -> list[tuple[str, list]]:
    from django_tasks_db.models import DBTaskResult

    return [(r.task_path, r.args_kwargs["args"]) for r in DBTaskResult.objects.order_by("enqueued_at")]


def make_video(*, size="1920x1080", seconds=1, audio=True, rotate=None) -> bytes:
    """A real H.264 MP4 of the given size (with a tone, and a rotation tag when asked, as phones
    store portrait videos: landscape pixels plus "display rotated")."""
    ffmpeg = shutil.which("ffmpeg")
    with tempfile.TemporaryDirectory() as tmp:
        plain, rotated = os.path.join(tmp, "plain.mp4"), os.path.join(tmp, "rotated.mp4")
        args = [ffmpeg, "-v", "error", "-f", "lavfi", "-i", f"testsrc2=s={size}:r=25:d={seconds}"]
        if audio:
            args += ["-f", "lavfi", "-i", f"sine=f=440:d={seconds}", "-c:a", "aac", "-shortest"]
        args += ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", plain]
        subprocess.run(args, capture_output=True, check=True)  # noqa: S603
        if rotate is None:
            return open(plain, "rb").read()  # noqa: SIM115
        subprocess.run(  # noqa: S603
            [ffmpeg, "-v", "error", "-i", plain, "-c", "copy", "-metadata:s:v:0", f"rotate={rotate}", rotated],
            capture_output=True, check=True,
        )
        return open(rotated, "rb").read()  # noqa: SIM115


def ffprobe(path) -> dict:
    out = subprocess.run(  # noqa: S603
        [shutil.which("ffprobe"), "-v", "error", "-show_streams", "-show_format", "-of", "json", str(path)],
        capture_output=True, check=True,
    )
    return json.loads(out.stdout)


def box_order(path) -> list[bytes]:
    """The top-level MP4 boxes in file order (faststart: moov before mdat)."""
    data = path.read_bytes()
    boxes, offset = [], 0
    while offset + 8 <= len(data):
        size = int.from_bytes(data[offset:offset + 4], "big")
        boxes.append(data[offset + 4:offset + 8])
        if size == 1:
            size = int.from_bytes(data[offset + 8:offset + 16], "big")
        if size < 8:
            break
        offset += size
    return boxes


def video_post(author, content=None):
    return post_create(author=author, caption="clip", files=[(upload("clip.mp4", content or real_mp4(), "video/mp4"), "")])


def process_deleting_the_post_mid_transcode(post, monkeypatch) -> None:
    """Run the media task; the author deletes the post while ffmpeg works."""
    from instaclone.media import videos

    real = videos.transcode

    def delete_meanwhile(*args, **kwargs):
        result = real(*args, **kwargs)
        post_delete(post=Post.objects.get(pk=post.pk))
        return result

    monkeypatch.setattr(videos, "transcode", delete_meanwhile)  # web_copy's step (posts.media_rows)
    post_media_process.call(post.pk)


# --- photos -----------------------------------------------------------------------------------


def test_photo_renditions_are_made_by_a_task_after_commit(alice, bob, client, media_root, queued):
    post = post_create(author=alice, caption="", files=[(jpeg(size=(1200, 900)), "")])
    media = post.media.get()
    assert queued_paths() == [("posts.tasks.post_media_process", [post.pk])]
    assert (media.status, media.renditions) == (PostMedia.Status.PROCESSING, {})
    assert post_files(media_root) == [media.file]  # only the original was stored in the request
    # A photo never holds its post back: others see it at once, from the clean original meanwhile.
    client.force_login(bob)
    page = client.get(post.get_absolute_url()).content.decode()
    assert f"/media/{media.file}" in page

    assert post_media_process.call(post.pk) == f"post {post.pk}: 1 media processed"

    media.refresh_from_db()
    assert media.status == PostMedia.Status.READY and set(media.renditions) == {"320", "640", "1080"}
    assert sorted(post_files(media_root)) == sorted({media.file, *media.renditions.values()})
    page = client.get(post.get_absolute_url()).content.decode()
    assert f"/media/{media.renditions['1080']}" in page and f'src="/media/{media.file}"' not in page


def test_running_the_task_twice_changes_nothing(alice, media_root):
    post = post_create(author=alice, caption="", files=[(jpeg(size=(1200, 900)), ""), (jpeg(), "")])  # ran on commit
    before = list(PostMedia.objects.order_by("pk").values())
    files = sorted(post_files(media_root))
    assert all(m["status"] == "ready" and m["renditions"] for m in before)

    assert post_media_process.call(post.pk) == f"post {post.pk}: 0 media processed"

    assert list(PostMedia.objects.order_by("pk").values()) == before
    assert sorted(post_files(media_root)) == files


def test_a_task_for_a_deleted_post_does_nothing(alice, media_root, queued):
    post = post_create(author=alice, caption="", files=[(jpeg(size=(1200, 900)), "")])
    post_delete(post=post)
    assert post_files(media_root) == []
    assert post_media_process.call(post.pk) == f"post {post.pk}: 0 media processed"
    assert post_files(media_root) == []


def test_renditions_of_a_post_deleted_while_they_are_made_are_removed(alice, media_root, queued, monkeypatch):
    post = post_create(author=alice, caption="", files=[(jpeg(size=(1200, 900)), "")])
    from posts import tasks

    real = tasks.make_renditions

    def delete_meanwhile(batch, img, **kw):
        names = real(batch, img, **kw)
        assert len(post_files(media_root)) == 4  # the original and three renditions written...
        post_delete(post=Post.objects.get(pk=post.pk))  # ...when the author deletes the post
        return names

    monkeypatch.setattr(tasks, "make_renditions", delete_meanwhile)
    post_media_process.call(post.pk)

    assert post_files(media_root) == []
    assert not PostMedia.objects.exists()


# --- videos -----------------------------------------------------------------------------------


@needs_ffmpeg
def test_a_video_post_is_its_authors_until_the_video_is_ready(alice, bob, client, media_root, queued):
    post = video_post(alice)
    media = post.media.get()
    assert post.media_pending and media.status == PostMedia.Status.PROCESSING
    uploaded = media.file

    client.force_login(bob)
    assert client.get(post.get_absolute_url()).status_code == 404
    assert f"/p/{post.pk}/" not in client.get("/alice/").content.decode()
    client.force_login(alice)
    page = client.get(post.get_absolute_url()).content.decode()
    assert "Processing video…" in page and "Only you can see this post" in page and "<video" not in page
    assert 'data-media-status="processing"' in client.get("/alice/").content.decode()

    post_media_process.call(post.pk)

    media.refresh_from_db()
    post.refresh_from_db()
    assert not post.media_pending and media.status == PostMedia.Status.READY and media.error == ""
    assert media.file != uploaded and media.file.startswith("posts/videos/") and media.file.endswith(".mp4")
    assert (media.width, media.height) == (64, 48)
    assert media.renditions  # the poster frame's copies
    assert sorted(post_files(media_root)) == sorted({media.file, *media.renditions.values()})  # upload replaced
    client.force_login(bob)
    page = client.get(post.get_absolute_url()).content.decode()
    assert f'src="/media/{media.file}"' in page and "Processing video" not in page


@needs_ffmpeg
@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ({"size": "1920x1080"}, (1080, 606)),  # long edge to 1080, the other even
        ({"size": "1280x720", "rotate": 90, "audio": False}, (606, 1080)),  # a phone video held upright
        ({"size": "640x360"}, (640, 360)),  # never enlarged
    ],
    ids=["landscape-1080p", "rotated-portrait", "small"],
)
def test_transcoded_video_is_h264_aac_faststart_at_most_1080(alice, media_root, source, expected):
    post = video_post(alice, make_video(**source))
    media = post.media.get()
    assert media.status == PostMedia.Status.READY, media.error
    info = ffprobe(media_root / media.file)
    video = next(s for s in info["streams"] if s["codec_type"] == "video")
    assert (video["codec_name"], video["pix_fmt"]) == ("h264", "yuv420p")
    assert (video["width"], video["height"]) == expected == (media.width, media.height)
    assert max(expected) <= 1080 and expected[0] % 2 == expected[1] % 2 == 0
    audio = [s["codec_name"] for s in info["streams"] if s["codec_type"] == "audio"]
    assert audio == ([] if source.get("audio") is False else ["aac"])
    boxes = box_order(media_root / media.file)
    assert boxes.index(b"moov") < boxes.index(b"mdat")  # +faststart
    assert not (info["format"].get("tags") or {}).get("comment")


@needs_ffmpeg
def test_a_failed_transcode_is_shown_to_its_author_and_recorded(alice, bob, client, media_root, settings, queued):
    settings.FFMPEG_PATH = shutil.which("false")  # ffprobe still accepts the upload; ffmpeg then fails
    post = video_post(alice)

    with pytest.raises(MediaProcessingFailed, match=f"post {post.pk}: media .*ffmpeg exited with 1"):
        post_media_process.call(post.pk)  # staff see the task fail (manage.py tasks, the admin)

    media = post.media.get()
    post.refresh_from_db()
    assert media.status == PostMedia.Status.FAILED and "ffmpeg exited with 1" in media.error
    assert post.media_pending  # never published
    client.force_login(alice)
    response = client.get(post.get_absolute_url())
    assert response.status_code == 200
    page = response.content.decode()
    assert "This video could not be processed." in page
    assert reverse("posts:delete_confirm", args=[post.pk]) in page
    assert "This video could not be processed" in client.get("/alice/").content.decode()
    client.force_login(bob)
    assert client.get(post.get_absolute_url()).status_code == 404
    # The author deletes it: nothing is left behind.
    post_delete(post=post)
    assert post_files(media_root) == []


@needs_ffmpeg
def test_a_failed_transcode_through_the_request_is_not_a_500(alice_client, settings, media_root):
    settings.FFMPEG_PATH = shutil.which("false")
    response = alice_client.post(reverse("posts:new"), {"media": [upload("clip.mp4", real_mp4(), "video/mp4")]})
    assert response.status_code == 302  # the task failed after the commit; the post exists
    media = PostMedia.objects.get()
    assert media.status == PostMedia.Status.FAILED
    page = alice_client.get(response["Location"])
    assert page.status_code == 200 and "This video could not be processed." in page.content.decode()


@needs_ffmpeg
def test_a_video_post_deleted_while_transcoding_leaves_no_files(alice, media_root, queued, monkeypatch):
    process_deleting_the_post_mid_transcode(video_post(alice), monkeypatch)

    assert post_files(media_root) == []
    assert not Post.objects.exists() and not PostMedia.objects.exists()


@needs_ffmpeg
def test_a_post_of_a_photo_and_a_video_is_published_when_the_video_is_ready(alice, bob, client, queued):
    post = post_create(author=alice, caption="", files=[(jpeg(), ""), (upload("c.mp4", real_mp4()), "")])
    assert post.media_pending
    client.force_login(bob)
    assert client.get(post.get_absolute_url()).status_code == 404
    post_media_process.call(post.pk)
    assert list(post.media.values_list("status", flat=True)) == ["ready", "ready"]
    assert client.get(post.get_absolute_url()).status_code == 200


def test_a_processing_post_is_not_in_followers_feeds_or_hashtag_pages(alice, bob, client):
    """Hiding goes through the one visibility rule, so every page that lists posts agrees."""
    from accounts.services import follow_create

    follow_create(follower=bob, followee=alice)
    post = post_create(author=alice, caption="#dusk", files=[(jpeg(), "")])
    Post.objects.filter(pk=post.pk).update(media_pending=True)  # as while a video is transcoded
    assert list(Post.objects.visible_to(bob)) == []
    assert list(Post.objects.visible_to(alice)) == [post]
    client.force_login(bob)
    assert f"/p/{post.pk}/" not in client.get("/").content.decode()
    assert client.get("/explore/tags/dusk/").status_code == 404
    Post.objects.filter(pk=post.pk).update(media_pending=False)
    assert f"/p/{post.pk}/" in client.get("/").content.decode()


# --- ImageKit (the fake ImageKit server) ---------------------------------------------------------

IK_FOLDER = "/instaclone-test"


def ik_post_paths(fake) -> list[str]:
    return sorted(p for p in fake.paths() if p.startswith(f"{IK_FOLDER}/posts/"))


def test_on_imagekit_a_photo_is_ready_at_once_and_needs_no_task(alice, fake_imagekit, queued):
    post = post_create(author=alice, caption="", files=[(jpeg(size=(1200, 900)), "")])
    media = post.media.get()
    assert (media.status, media.renditions) == (PostMedia.Status.READY, {})  # ImageKit resizes on the fly
    assert queued_paths() == []
    assert ik_post_paths(fake_imagekit) == [f"{IK_FOLDER}/{media.file}"]


@needs_ffmpeg
def test_on_imagekit_the_task_reads_the_upload_and_stores_the_web_copy(
    alice, bob, client, fake_imagekit, queued, settings
):
    # What is tested is the task's round trip, not time limits (other tests cover those): the
    # request-sized 0.5 s limit timed out this 1280x720 upload once on a loaded CI machine.
    settings.IMAGEKIT_TIMEOUT = 5
    post = video_post(alice, make_video(size="1280x720", seconds=1))
    uploaded = post.media.get().file
    assert ik_post_paths(fake_imagekit) == [f"{IK_FOLDER}/{uploaded}"]

    post_media_process.call(post.pk)

    media = post.media.get()
    assert media.status == PostMedia.Status.READY and (media.width, media.height) == (1080, 606)
    assert media.renditions == {}  # the poster is ImageKit's thumbnail of the web copy
    assert ik_post_paths(fake_imagekit) == [f"{IK_FOLDER}/{media.file}"]  # the upload is gone
    web = fake_imagekit.file_at(f"{IK_FOLDER}/{media.file}")
    assert web.mime == "video/mp4" and web.content[4:8] == b"ftyp"
    client.force_login(bob)
    page = client.get(post.get_absolute_url()).content.decode()
    assert f"{fake_imagekit.url_endpoint}{IK_FOLDER}/{media.file}/ik-thumbnail.jpg" in page


@needs_ffmpeg
def test_on_imagekit_a_post_deleted_while_transcoding_leaves_no_files(alice, fake_imagekit, queued, monkeypatch):
    process_deleting_the_post_mid_transcode(video_post(alice), monkeypatch)

    assert ik_post_paths(fake_imagekit) == []
    assert not PostMedia.objects.exists()


@needs_ffmpeg
def test_on_imagekit_an_outage_during_processing_is_retried_and_nothing_is_half_saved(
    alice, fake_imagekit, queued, settings
):
    settings.IMAGEKIT_FAILURE_COOLDOWN = 0.1
    post = video_post(alice)
    uploaded = post.media.get().file
    fake_imagekit.outage()

    with pytest.raises(RetryScheduled, match="ConnectionError: storage failed"):  # transient: tried again later
        post_media_process.call(post.pk)
    assert [args for path, args in queued_paths()] == [[post.pk], [post.pk]]  # the retry is queued

    media = post.media.get()
    assert media.status == PostMedia.Status.PROCESSING and media.file == uploaded and media.error.startswith("storage:")
    assert ik_post_paths(fake_imagekit) == [f"{IK_FOLDER}/{uploaded}"]  # nothing half-saved
    fake_imagekit.heal()
    time.sleep(0.15)  # the circuit breaker's cooldown
    post_media_process.call(post.pk)
    media.refresh_from_db()
    assert media.status == PostMedia.Status.READY and media.error == ""
    assert ik_post_paths(fake_imagekit) == [f"{IK_FOLDER}/{media.file}"]


@needs_ffmpeg
def test_on_imagekit_the_task_waits_longer_for_a_call_than_a_request_would(alice, fake_imagekit, queued, settings):
    """A request's calls get IMAGEKIT_TIMEOUT (0.5 s here); the task moves whole videos, so it waits
    longer (posts.tasks.STORAGE_CALL_SECONDS) instead of failing and retrying for ever."""
    post = video_post(alice)
    fake_imagekit.hang(1.0, times=1, then_store=True)  # the web copy's upload answers after 1 s

    post_media_process.call(post.pk)

    media = post.media.get()
    assert media.status == PostMedia.Status.READY and media.error == ""
    assert ik_post_paths(fake_imagekit) == [f"{IK_FOLDER}/{media.file}"]


@needs_ffmpeg
def test_each_video_gets_a_run_of_its_own_so_no_run_outlives_the_stale_limit(alice, bob, media_root, queued):
    """A run transcodes one video and queues the rest: a post of several long videos never makes one
    run longer than VIDEO_TRANSCODE_TIMEOUT (under TASKS_STALE_AFTER), so it is never taken for a
    dead run and started twice."""
    clip = real_mp4()
    post = post_create(
        author=alice, caption="two clips", files=[(upload("a.mp4", clip, "video/mp4"), ""), (upload("b.mp4", clip, "video/mp4"), "")]
    )
    assert post_media_process.call(post.pk) == f"post {post.pk}: 1 media processed, 1 left for the next run"
    assert [m.status for m in post.media.order_by("position")] == [PostMedia.Status.READY, PostMedia.Status.PROCESSING]
    assert queued_paths()[-1] == ("posts.tasks.post_media_process", [post.pk])
    assert not Post.objects.visible_to(bob).filter(pk=post.pk).exists()  # published when both are ready

    assert post_media_process.call(post.pk) == f"post {post.pk}: 1 media processed"
    assert Post.objects.visible_to(bob).filter(pk=post.pk).exists()


@needs_ffmpeg
def test_staff_running_a_failed_transcode_again_tries_it_again(alice, bob, media_root, settings, queued):
    from django_tasks_db.models import DBTaskResult

    from instaclone.tasks import task_rerun

    real_ffmpeg = settings.FFMPEG_PATH
    settings.FFMPEG_PATH = shutil.which("false")  # ffmpeg away for a while
    post = video_post(alice)
    result = DBTaskResult.objects.get(task_path="posts.tasks.post_media_process")
    with pytest.raises(MediaProcessingFailed):
        result.task.call(*result.args_kwargs["args"], **result.args_kwargs["kwargs"])
    DBTaskResult.objects.filter(pk=result.pk).update(status="FAILED", exception_class_path="posts.tasks.MediaProcessingFailed")
    assert post.media.get().status == PostMedia.Status.FAILED
    # an ordinary second run leaves the failure alone
    assert post_media_process.call(post.pk) == f"post {post.pk}: 0 media processed"

    settings.FFMPEG_PATH = real_ffmpeg
    again = DBTaskResult.objects.get(pk=task_rerun(DBTaskResult.objects.get(pk=result.pk)))
    assert again.args_kwargs == {"args": [post.pk], "kwargs": {"rerun": True}}
    again.task.call(*again.args_kwargs["args"], **again.args_kwargs["kwargs"])

    assert post.media.get().status == PostMedia.Status.READY
    assert Post.objects.visible_to(bob).filter(pk=post.pk).exists()
