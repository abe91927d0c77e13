"""Importing posts from Instagram's "Download your information" ZIP and from an Instaclone export
(posts/imports): parsing both Instagram layouts, the text repair, the upload pipeline with the
original dates, errors per item, re-runs, cancel, chunked runs, and the archive's safety checks."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from posts.imports import services
from posts.imports.archive import ArchiveRefused
from posts.imports.instagram import repair_text
from posts.models import ImportedItem, ImportJob, Post, PostHashtag, PostMedia
from posts.signals import post_created

from .factories import PostFactory, real_mp4
from .import_archives import (
    LAYOUTS,
    instaclone_zip,
    instagram_posts,
    instagram_text,
    instagram_zip,
    jpeg_bytes,
    ts,
    write_zip,
)

pytestmark = pytest.mark.django_db


def as_upload(path) -> SimpleUploadedFile:
    return SimpleUploadedFile(Path(path).name, Path(path).read_bytes(), "application/zip")


def run_import(user, path) -> ImportJob:
    job = services.import_start(owner=user, upload=as_upload(path))
    job.refresh_from_db()
    return job


def when(y, m, d, h=12):
    return datetime(y, m, d, h, tzinfo=UTC)


@pytest.fixture
def mentions_sent():
    seen = []

    def receiver(sender, post, mentioned=(), **kw):
        seen.append((post.pk, list(mentioned)))

    post_created.connect(receiver, dispatch_uid="test-import-mentions")
    yield seen
    post_created.disconnect(dispatch_uid="test-import-mentions")


# --- the text repair --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "meant"),
    [
        ("caf\u00c3\u00a9", "café"),
        ("\u00f0\u009f\u0098\u008a", "😊"),
        ("plain ascii #tag", "plain ascii #tag"),
        ("déjà vu", "déjà vu"),  # already proper text (does not round-trip): kept
        ("日本", "日本"),  # not Latin-1 at all: kept
        (None, ""),
    ],
)
def test_repair_text_undoes_instagrams_mojibake_and_keeps_proper_text(written, meant):
    assert repair_text(written) == meant


# --- a whole Instagram archive ----------------------------------------------------------------


def test_it_imports_posts_with_dates_captions_and_carousel_order(alice, bob, tmp_path, mentions_sent):
    job = run_import(alice, instagram_zip(tmp_path / "ig.zip"))

    assert (job.status, job.source, job.total, job.done, job.failed, job.skipped) == ("done", "instagram", 4, 2, 2, 0)
    posts = list(Post.objects.filter(author=alice).order_by("created"))
    assert [p.created for p in posts] == [when(2019, 6, 1), when(2020, 3, 10)]
    single, carousel = posts
    assert single.caption == "Café ☕ 😊 #coffee with @bob"
    assert carousel.caption == "Trip to Zürich #travel"
    # hashtags and mentions parsed, hashtag rows dated as the post
    assert list(single.hashtags.values_list("name", flat=True)) == ["coffee"]
    assert list(single.mentions.all()) == [bob]
    assert set(PostHashtag.objects.filter(post=single).values_list("created", flat=True)) == {when(2019, 6, 1)}
    # carousel order is the media list's (40, 50, 60 px wide), no alt text (Instagram has none)
    media = list(carousel.media.order_by("position"))
    assert [m.width for m in media] == [40, 50, 60]
    assert {m.alt_text for m in media} == {""}
    assert carousel.media_count == 3
    # no one is notified of a mention in an imported post
    assert mentions_sent and all(mentioned == [] for _, mentioned in mentions_sent)
    alice.refresh_from_db()
    assert alice.post_count == 2


def test_each_failed_item_is_listed_with_its_reason(alice, tmp_path):
    job = run_import(alice, instagram_zip(tmp_path / "ig.zip"))

    reasons = {e["item"]: e["reason"] for e in job.errors}
    assert reasons == {
        "Post of 5 May 2021 “Broken”": "broken.jpg: This file isn't a photo we can read. Upload a JPEG, PNG, WebP or HEIC image.",
        "Post of 6 Jun 2021 “Lost one”": "gone.jpg is missing from the ZIP.",
    }


def test_photos_go_through_the_pipeline_metadata_stripped(alice, tmp_path, media_root):
    run_import(alice, instagram_zip(tmp_path / "ig.zip"))

    single = Post.objects.get(author=alice, created=when(2019, 6, 1))
    stored = single.media.get()
    with Image.open(Path(media_root) / stored.file) as img:
        assert not img.getexif()  # the upload's EXIF (camera, GPS) is gone
    assert stored.renditions  # renditions made by the media task


@pytest.mark.skipif(real_mp4() is None, reason="ffmpeg is not installed")
def test_a_video_is_imported_and_transcoded(alice, tmp_path):
    job = run_import(alice, instagram_zip(tmp_path / "ig.zip", mp4=real_mp4()))

    assert (job.total, job.done) == (5, 3)
    video = Post.objects.get(author=alice, created=when(2021, 1, 1))
    item = video.media.get()
    assert (item.kind, item.status, video.media_pending) == (PostMedia.Kind.VIDEO, PostMedia.Status.READY, False)
    assert video.caption == "Waves #sea"


@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_instagram_layout_is_read(alice, tmp_path, layout):
    job = run_import(alice, instagram_zip(tmp_path / "ig.zip", layout=layout))

    assert (job.status, job.done) == ("done", 2)


def test_a_zip_of_the_unpacked_folder_is_read_too(alice, tmp_path):
    job = run_import(alice, instagram_zip(tmp_path / "ig.zip", layout="activity", root="instagram-alice-2026-11-30/"))

    assert (job.status, job.done) == ("done", 2)


def test_posts_2_json_is_read_after_posts_1(alice, tmp_path):
    posts, files = instagram_posts()
    members = {
        "content/posts_1.json": json.dumps(posts[:2]),
        "content/posts_2.json": json.dumps(posts[2:]),
        **files,
    }
    job = run_import(alice, write_zip(tmp_path / "ig.zip", members))

    assert (job.total, job.done, job.failed) == (4, 2, 2)


def test_a_carousel_keeps_its_readable_photos_and_lists_the_bad_one(alice, tmp_path):
    posts = [{"title": "Mixed", "creation_timestamp": ts(2018, 1, 2), "media": [
        {"uri": "media/a.jpg", "creation_timestamp": ts(2018, 1, 2)},
        {"uri": "media/bad.jpg", "creation_timestamp": ts(2018, 1, 2)},
        {"uri": "media/c.jpg", "creation_timestamp": ts(2018, 1, 2)},
    ]}]
    files = {"media/a.jpg": jpeg_bytes((30, 30)), "media/bad.jpg": b"\x00" * 50, "media/c.jpg": jpeg_bytes((35, 30))}
    job = run_import(alice, instagram_zip(tmp_path / "ig.zip", posts=posts, files=files))

    assert (job.done, job.failed) == (1, 0)
    post = Post.objects.get(author=alice)
    assert [m.width for m in post.media.order_by("position")] == [30, 35]
    assert [e["reason"].split(":")[0] for e in job.errors] == ["bad.jpg"]


# --- placement: profiles and feeds ------------------------------------------------------------


def test_imported_posts_do_not_flood_followers_feeds(alice, bob, charlie, client, tmp_path):
    from accounts.services import follow_create

    follow_create(follower=bob, followee=alice)
    follow_create(follower=bob, followee=charlie)
    PostFactory(author=charlie, caption="charlie today")
    PostFactory(author=alice, caption="alice today")

    run_import(alice, instagram_zip(tmp_path / "ig.zip"))

    client.force_login(bob)
    html = client.get("/").content.decode()
    order = [html.find(text) for text in ("alice today", "charlie today", "Trip to Zürich", "Café")]
    assert -1 not in order, order
    assert order == sorted(order)  # today's posts first, the imported ones below them, by date


def test_the_profile_grid_places_them_by_date(alice, client, tmp_path):
    PostFactory(author=alice, caption="today")
    run_import(alice, instagram_zip(tmp_path / "ig.zip"))

    client.force_login(alice)
    html = client.get("/alice/").content.decode()
    today = Post.objects.get(author=alice, caption="today")
    old = list(Post.objects.filter(author=alice).exclude(pk=today.pk).order_by("-created"))
    positions = [html.find(f"/p/{p.pk}/") for p in [today, *old]]
    assert -1 not in positions and positions == sorted(positions)


def test_the_post_rate_limit_does_not_stop_an_import(alice, tmp_path, settings):
    settings.POST_CREATE_RATE = "1/h"
    job = run_import(alice, instagram_zip(tmp_path / "ig.zip"))

    assert job.done == 2


# --- re-runs, cancel, chunks -------------------------------------------------------------------


def test_importing_the_same_zip_again_skips_what_is_already_here(alice, tmp_path):
    path = instagram_zip(tmp_path / "ig.zip")
    first = run_import(alice, path)
    second = run_import(alice, path)

    assert first.sha256 == second.sha256
    assert (second.done, second.skipped, second.failed) == (0, 2, 2)
    assert Post.objects.filter(author=alice).count() == 2
    assert ImportedItem.objects.filter(owner=alice).count() == 2


def test_someone_else_importing_the_same_zip_gets_their_own_posts(alice, bob, tmp_path):
    path = instagram_zip(tmp_path / "ig.zip")
    run_import(alice, path)
    job = run_import(bob, path)

    assert job.done == 2 and Post.objects.filter(author=bob).count() == 2


def test_cancel_stops_between_posts(alice, tmp_path):
    def cancel_after_first(sender, post, **kw):
        ImportJob.objects.filter(owner=post.author).update(cancel_requested=True)

    post_created.connect(cancel_after_first, dispatch_uid="test-cancel")
    try:
        job = run_import(alice, instagram_zip(tmp_path / "ig.zip"))
    finally:
        post_created.disconnect(dispatch_uid="test-cancel")

    assert (job.status, job.done, job.position) == ("cancelled", 1, 1)
    assert Post.objects.filter(author=alice).count() == 1
    assert job.file == "" and job.finished_at


def test_cancel_before_it_starts_ends_the_job_and_deletes_the_zip(alice, tmp_path, settings, media_root):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}  # nothing runs
    job = services.import_start(owner=alice, upload=as_upload(instagram_zip(tmp_path / "ig.zip")))
    stored = Path(media_root) / job.file
    assert stored.exists()

    services.import_cancel(job=job)

    job.refresh_from_db()
    assert (job.status, job.file) == ("cancelled", "")
    assert not stored.exists()


def test_it_runs_in_short_runs_and_resumes_where_it_stopped(alice, tmp_path, settings):
    settings.IMPORT_RUN_SECONDS = 0  # one post per run, the next run queued by the previous
    job = run_import(alice, instagram_zip(tmp_path / "ig.zip"))

    assert (job.status, job.position, job.done, job.failed) == ("done", 4, 2, 2)
    assert Post.objects.filter(author=alice).count() == 2


def test_a_second_run_of_a_finished_job_does_nothing(alice, tmp_path):
    from posts.imports.tasks import import_run

    job = run_import(alice, instagram_zip(tmp_path / "ig.zip"))
    import_run.call(job.pk)

    assert Post.objects.filter(author=alice).count() == 2


def test_the_uploaded_zip_is_private_and_deleted_when_the_job_ends(alice, tmp_path, settings, media_root):
    from posts.media_access import media_name_is_private

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    job = services.import_start(owner=alice, upload=as_upload(instagram_zip(tmp_path / "ig.zip")))
    assert job.file.startswith("posts/imports/") and media_name_is_private(job.file)
    assert (Path(media_root) / job.file).exists()

    from posts.imports.tasks import import_run

    import_run.call(job.pk)
    job.refresh_from_db()
    assert job.status == "done" and job.file == ""
    assert not list((Path(media_root) / "posts/imports").iterdir())


def test_one_import_at_a_time(alice, tmp_path, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    path = instagram_zip(tmp_path / "ig.zip")
    services.import_start(owner=alice, upload=as_upload(path))
    with pytest.raises(services.ImportBusy):
        services.import_start(owner=alice, upload=as_upload(path))


# --- archives refused ---------------------------------------------------------------------------


def refused(alice, path_or_bytes, tmp_path) -> ArchiveRefused:
    if isinstance(path_or_bytes, bytes):
        path = tmp_path / "upload.zip"
        path.write_bytes(path_or_bytes)
        path_or_bytes = path
    with pytest.raises(ArchiveRefused) as info:
        services.import_start(owner=alice, upload=as_upload(path_or_bytes))
    assert not ImportJob.objects.exists()
    return info.value


def test_a_file_that_is_not_a_zip_is_refused(alice, tmp_path):
    exc = refused(alice, jpeg_bytes(), tmp_path)
    assert exc.code == "not_zip" and "isn't a ZIP archive" in exc.message


@pytest.mark.parametrize("name", ["../evil.jpg", "/etc/passwd", "media\\..\\evil.jpg", "C:/evil.jpg", "media/../../evil.jpg"])
def test_unsafe_member_names_are_refused(alice, tmp_path, name):
    posts, files = instagram_posts()
    exc = refused(alice, instagram_zip(tmp_path / "ig.zip", posts=posts, files={**files, name: b"x"}), tmp_path)
    assert exc.code == "unsafe_name" and "unsafe name" in exc.message


def test_a_symlink_member_is_refused(alice, tmp_path):
    path = tmp_path / "ig.zip"
    instagram_zip(path)
    with zipfile.ZipFile(path, "a") as zf:
        info = zipfile.ZipInfo("media/posts/link.jpg")
        info.create_system = 3
        info.external_attr = (0o120777) << 16
        zf.writestr(info, "/etc/passwd")
    assert refused(alice, path, tmp_path).code == "unsafe_name"


def test_a_zip_bomb_is_refused(alice, tmp_path, settings):
    posts, files = instagram_posts()
    exc = refused(alice, instagram_zip(tmp_path / "ig.zip", posts=posts, files={**files, "media/zeros.jpg": b"\0" * (8 * 1024 * 1024)}), tmp_path)
    assert exc.code == "zip_bomb"


def test_an_archive_unpacking_to_too_much_is_refused(alice, tmp_path, settings):
    settings.IMPORT_MAX_UNCOMPRESSED_BYTES = 2_000
    exc = refused(alice, instagram_zip(tmp_path / "ig.zip"), tmp_path)
    assert exc.code == "too_big_unpacked" and "unpacks to" in exc.message


def test_too_many_files_are_refused(alice, tmp_path, settings):
    settings.IMPORT_MAX_MEMBERS = 5
    exc = refused(alice, instagram_zip(tmp_path / "ig.zip"), tmp_path)
    assert exc.code == "too_many_files" and "too many files" in exc.message


def test_a_zip_over_the_size_limit_is_refused(alice, tmp_path, settings):
    settings.IMPORT_MAX_ZIP_BYTES = 1000
    exc = refused(alice, instagram_zip(tmp_path / "ig.zip"), tmp_path)
    assert exc.code == "too_large"


def test_instagrams_html_download_is_refused_with_what_to_do(alice, tmp_path):
    exc = refused(alice, write_zip(tmp_path / "ig.zip", {"content/posts_1.html": "<html></html>"}), tmp_path)
    assert exc.code == "html_export" and "JSON" in exc.message


def test_a_zip_without_posts_is_refused(alice, tmp_path):
    exc = refused(alice, write_zip(tmp_path / "other.zip", {"notes.txt": "hello"}), tmp_path)
    assert exc.code == "no_posts"


def test_a_uri_pointing_outside_the_archive_is_only_missing(alice, tmp_path):
    posts = [{"media": [{"uri": "../../etc/passwd", "creation_timestamp": ts(2018, 1, 1), "title": "sneaky"}]}]
    job = run_import(alice, instagram_zip(tmp_path / "ig.zip", posts=posts, files={}))
    assert (job.done, job.failed) == (0, 1)
    assert job.errors[0]["reason"] == "passwd is missing from the ZIP."


# --- an Instaclone export --------------------------------------------------------------------


def test_an_instaclone_export_comes_back_with_alt_texts_frame_and_order(alice, bob, tmp_path):
    posts = [
        {"id": 7, "caption": "First #old", "created_at": "2022-02-03T04:05:06Z", "aspect": "square", "aspect_ratio": 1.0,
         "hashtags": ["old"], "media": [
             {"path": "media/posts/7/1-b.jpg", "kind": "image", "alt_text": "Second photo", "width": 50, "height": 40, "position": 1},
             {"path": "media/posts/7/0-a.jpg", "kind": "image", "alt_text": "First photo", "width": 40, "height": 40, "position": 0},
         ]},
        {"id": 9, "caption": "Later with @bob", "created_at": "2023-07-08T09:10:11+00:00", "aspect": "original",
         "aspect_ratio": 1.25, "hashtags": [], "media": [
             {"path": "media/posts/9/0-c.jpg", "kind": "image", "alt_text": "A lake", "width": 50, "height": 40, "position": 0},
         ]},
    ]
    files = {
        "media/posts/7/0-a.jpg": jpeg_bytes((40, 40)),
        "media/posts/7/1-b.jpg": jpeg_bytes((50, 40)),
        "media/posts/9/0-c.jpg": jpeg_bytes((50, 40)),
    }
    job = run_import(alice, instaclone_zip(tmp_path / "export.zip", posts, files))

    assert (job.source, job.done, job.failed) == ("instaclone", 2, 0)
    first, later = Post.objects.filter(author=alice).order_by("created")
    assert (first.caption, first.created, first.aspect) == ("First #old", datetime(2022, 2, 3, 4, 5, 6, tzinfo=UTC), "square")
    assert [(m.alt_text, m.width) for m in first.media.order_by("position")] == [("First photo", 40), ("Second photo", 50)]
    assert (later.created, later.aspect_ratio, list(later.mentions.all())) == (
        datetime(2023, 7, 8, 9, 10, 11, tzinfo=UTC), 1.25, [bob])
    assert later.media.get().alt_text == "A lake"


def test_an_export_of_another_version_is_refused(alice, tmp_path):
    members = {"profile.json": json.dumps({"format": "instaclone-export", "version": 99}), "posts.json": "[]"}
    exc = refused(alice, write_zip(tmp_path / "x.zip", members), tmp_path)
    assert exc.code == "version"


def test_zip_bytes_helper_makes_valid_archives(tmp_path):
    # the helper itself: Instagram's escaped text really is in the JSON as \u00c3\u00a9
    raw = zipfile.ZipFile(instagram_zip(tmp_path / "ig.zip")).read("content/posts_1.json").decode()
    assert "Caf\\u00c3\\u00a9" in raw
    assert io.BytesIO(raw.encode()).getvalue()


def test_an_import_stops_when_its_owner_is_deactivated(alice, tmp_path):
    from accounts.models import User

    def deactivate_after_first(sender, post, **kw):
        User.objects.filter(pk=post.author_id).update(is_active=False)

    post_created.connect(deactivate_after_first, dispatch_uid="test-deactivate")
    try:
        job = run_import(alice, instagram_zip(tmp_path / "ig.zip"))
    finally:
        post_created.disconnect(dispatch_uid="test-deactivate")

    assert (job.status, job.done) == ("cancelled", 1)


def test_an_unexpected_error_fails_that_post_only(alice, tmp_path, monkeypatch):
    from posts.imports import tasks

    real = tasks.post_create

    def flaky(**kwargs):
        if kwargs["caption"].startswith("Trip"):
            raise RuntimeError("a bug")
        return real(**kwargs)

    monkeypatch.setattr(tasks, "post_create", flaky)
    job = run_import(alice, instagram_zip(tmp_path / "ig.zip"))

    assert (job.status, job.done, job.failed) == ("done", 1, 3)
    assert {"item": "Post of 10 Mar 2020 “Trip to Zürich #travel”",
            "reason": "Something unexpected went wrong with this post; it was not imported."} in job.errors


@pytest.mark.skipif(real_mp4() is None, reason="ffmpeg is not installed")
def test_reels_beside_the_posts_are_imported_as_video_posts(alice, tmp_path):
    posts, files = instagram_posts()
    reels = {"ig_reels_media": [{"media": [{"uri": "media/reels/202204/reel.mp4", "creation_timestamp": ts(2022, 4, 4),
                                            "title": instagram_text("Surf 🏄")}]}]}
    members = {"your_instagram_activity/media/posts_1.json": json.dumps(posts),
               "your_instagram_activity/media/reels.json": json.dumps(reels),
               "media/reels/202204/reel.mp4": real_mp4(), **files}
    job = run_import(alice, write_zip(tmp_path / "ig.zip", members))

    assert (job.total, job.done) == (5, 3)
    reel = Post.objects.get(author=alice, created=when(2022, 4, 4))
    assert (reel.caption, reel.has_video) == ("Surf 🏄", True)


def test_on_imagekit_the_zip_is_stored_there_read_back_by_the_task_and_deleted(alice, tmp_path, fake_imagekit, settings):
    settings.IMAGEKIT_TIMEOUT = 5
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    job = services.import_start(owner=alice, upload=as_upload(instagram_zip(tmp_path / "ig.zip")))
    assert [p for p in fake_imagekit.paths() if "/posts/imports/" in p] == [f"/instaclone-test/{job.file}"]

    from posts.imports.tasks import import_run

    import_run.call(job.pk)

    job.refresh_from_db()
    assert (job.status, job.done, job.failed) == ("done", 2, 2)
    assert not [p for p in fake_imagekit.paths() if "/posts/imports/" in p]
    assert len([p for p in fake_imagekit.paths() if "/posts/images/" in p]) == 4  # the single photo and the carousel's three
