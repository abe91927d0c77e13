"""Imports of hostile or odd archives (issue 15's review): dates out of range, JSON that is too large
in all or nested too deep, values of the wrong type in either format, more posts or pixels than one
import may hold, and an Instaclone export imported back into the account it came from. Each is a
sentence for the person (the upload refused, the job failed, or a problem on one post), never an
exception."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from posts.imports import services
from posts.imports.archive import ArchiveRefused
from posts.models import ImportJob, Post
from posts.services import post_create

from .factories import jpeg
from .import_archives import LAYOUTS, instaclone_zip, instagram_zip, jpeg_bytes, ts, write_zip
from .test_import import as_upload, run_import

pytestmark = pytest.mark.django_db


@pytest.fixture
def dummy_tasks(settings):
    """Jobs are queued but nothing runs (a job stays pending, as while the worker is busy)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def one_photo(stamp, title="a post") -> list:
    return [{"media": [{"uri": "media/posts/a.jpg", "creation_timestamp": stamp, "title": title}]}]


def ig_job(user, tmp_path, posts, files=None) -> ImportJob:
    files = {"media/posts/a.jpg": jpeg_bytes()} if files is None else files
    return run_import(user, instagram_zip(tmp_path / "ig.zip", posts=posts, files=files))


def clone_post(pid=1, created_at="2020-01-01T00:00:00Z", **fields) -> dict:
    return {"id": pid, "created_at": created_at, "media": [{"path": "media/a.jpg", "position": 0}], **fields}


def clone_job(user, tmp_path, posts, files=None) -> ImportJob:
    files = {"media/a.jpg": jpeg_bytes()} if files is None else files
    return run_import(user, instaclone_zip(tmp_path / "ic.zip", posts, files))


def refusal(user, path) -> ArchiveRefused:
    with pytest.raises(ArchiveRefused) as info:
        services.import_start(owner=user, upload=as_upload(path))
    assert not ImportJob.objects.filter(owner=user).exists()
    return info.value


# --- 1. dates out of range -------------------------------------------------------------------


def test_an_instagram_post_dated_in_the_future_is_a_problem_not_an_import(alice, tmp_path):
    job = ig_job(alice, tmp_path, one_photo(32503680000, "from the future"))  # 1 Jan 3000

    assert (job.status, job.done, job.failed) == ("done", 0, 1)
    assert job.errors == [{"item": "Post of 1 Jan 3000 “from the future”", "reason": "It has a date in the future: 1 Jan 3000."}]
    assert not Post.objects.filter(author=alice).exists()


def test_a_post_dated_tomorrow_morning_is_still_taken(alice, tmp_path):
    soon = int((timezone.now() + timedelta(hours=12)).timestamp())
    job = ig_job(alice, tmp_path, one_photo(soon))
    assert (job.done, job.failed) == (1, 0)


@pytest.mark.parametrize("stamp", [-86400 * 365 * 100, 0, ts(2010, 10, 5)])
def test_an_instagram_post_dated_before_instagram_is_a_problem(alice, tmp_path, stamp):
    job = ig_job(alice, tmp_path, one_photo(stamp))

    assert (job.done, job.failed) == (0, 1)
    assert job.errors[0]["reason"].startswith("It has a date before Instagram existed (6 Oct 2010): ")
    assert not Post.objects.filter(author=alice).exists()


@pytest.mark.parametrize(
    ("created_at", "reason"),
    [
        ("0001-01-01T00:00:00+05:00", "It has a date before Instagram existed (6 Oct 2010): 1 Jan 1."),
        ("9999-12-31T23:59:59-05:00", "It has a date in the future: 31 Dec 9999."),
        ("2999-01-01T00:00:00Z", "It has a date in the future: 1 Jan 2999."),
    ],
)
def test_an_instaclone_post_out_of_range_is_a_problem_not_an_error(alice, tmp_path, created_at, reason):
    job = clone_job(alice, tmp_path, [clone_post(created_at=created_at)])

    assert (job.status, job.done, job.failed, job.error) == ("done", 0, 1, "")
    assert job.errors[0]["reason"] == reason


# --- 2. the JSON's size: all parts together, the number of posts, parsed in the task -----------


def test_the_json_limit_is_for_all_parts_together(alice, tmp_path, settings):
    part = json.dumps(one_photo(ts(2020, 1, 1), "x" * 3000))
    settings.IMPORT_MAX_JSON_BYTES = len(part) + 100  # each part fits, the three do not
    members = {f"content/posts_{n}.json": part for n in (1, 2, 3)} | {"media/posts/a.jpg": jpeg_bytes()}

    exc = refusal(alice, write_zip(tmp_path / "ig.zip", members))
    assert exc.code == "json_too_big"
    assert "in 3 files" in exc.message


def test_the_instaclone_json_limit_is_checked_at_upload_too(alice, tmp_path, settings):
    settings.IMPORT_MAX_JSON_BYTES = 100
    exc = refusal(alice, instaclone_zip(tmp_path / "ic.zip", [clone_post(caption="x" * 200)], {"media/a.jpg": jpeg_bytes()}))
    assert exc.code == "json_too_big"


def test_more_posts_than_one_import_may_hold_fails_the_job_with_a_sentence(alice, tmp_path, settings):
    settings.IMPORT_MAX_POSTS = 3
    posts = [p for n in range(4) for p in one_photo(ts(2020, 1, 1 + n))]
    job = ig_job(alice, tmp_path, posts)

    assert job.status == "failed"
    assert job.error.startswith("This archive holds more than 3 posts, the limit for one import.")
    assert not Post.objects.filter(author=alice).exists()


def test_more_instaclone_posts_than_the_limit_fail_the_job(alice, tmp_path, settings):
    settings.IMPORT_MAX_POSTS = 2
    job = clone_job(alice, tmp_path, [clone_post(pid=n) for n in range(3)])
    assert (job.status, job.done) == ("failed", 0)
    assert "more than 2 posts" in job.error


def test_the_upload_request_does_not_parse_the_posts(alice, tmp_path, monkeypatch, dummy_tasks):
    """The request reads the central directory only; the task parses the posts and sets the total."""
    from posts.imports import instagram

    def boom(*a, **kw):
        raise AssertionError("the upload request parsed the posts")

    monkeypatch.setattr(instagram, "read", boom)
    job = services.import_start(owner=alice, upload=as_upload(instagram_zip(tmp_path / "ig.zip")))
    assert (job.status, job.total) == ("pending", 0)


def test_damaged_posts_json_fails_the_job_not_the_upload(alice, tmp_path):
    path = write_zip(tmp_path / "ig.zip", {LAYOUTS["content"]: "{not json"})
    job = run_import(alice, path)
    assert job.status == "failed"
    assert job.error == "content/posts_1.json in this archive could not be read (damaged or not JSON)."


def test_the_page_says_the_archive_is_being_read_until_the_task_has_counted_its_posts(alice, client, tmp_path, dummy_tasks):
    client.force_login(alice)
    with open(instagram_zip(tmp_path / "ig.zip"), "rb") as fh:
        response = client.post("/settings/import/", {"archive": fh}, follow=True)
    html = response.content.decode()
    assert "Your archive was uploaded: its posts are being imported." in html
    assert "Reading your archive…" in html


# --- 3. hostile JSON -------------------------------------------------------------------------


def test_json_nested_too_deep_is_a_sentence_not_a_crash(alice, tmp_path):
    deep = "[" * 200_000 + "]" * 200_000
    job = run_import(alice, write_zip(tmp_path / "d.zip", {LAYOUTS["content"]: deep}))
    assert job.status == "failed"
    assert "could not be read (damaged or not JSON)" in job.error


def test_a_deep_profile_json_is_not_taken_for_an_export(alice, tmp_path):
    members = {"profile.json": "[" * 200_000 + "]" * 200_000, "posts.json": "[]"}
    assert refusal(alice, write_zip(tmp_path / "p.zip", members)).code == "no_posts"


@pytest.mark.parametrize(
    "fields",
    [
        {"media": 5},
        {"media": "media/a.jpg"},
        {"media": [5, "x", None]},
        {"media": {"path": "media/a.jpg"}},
    ],
)
def test_instaclone_media_that_is_not_a_list_of_objects_is_a_problem(alice, tmp_path, fields):
    job = clone_job(alice, tmp_path, [clone_post(**fields)])
    assert (job.status, job.failed, job.errors[0]["reason"]) == ("done", 1, "It has no photos or videos in the export.")


def test_instaclone_positions_of_any_type_fall_back_to_the_list_order(alice, tmp_path):
    media = [
        {"path": "media/b.jpg", "position": "x"},
        {"path": "media/a.jpg", "position": 0},
        {"path": "media/c.jpg", "position": None},
        {"path": "media/d.jpg", "position": True},
        {"path": "media/e.jpg", "position": 9.5},
    ]
    files = {f"media/{n}.jpg": jpeg_bytes((20 + i * 10, 20)) for i, n in enumerate("abcde")}
    job = clone_job(alice, tmp_path, [clone_post(media=media)], files)

    assert (job.done, job.failed) == (1, 0)
    widths = list(Post.objects.get(author=alice).media.order_by("position").values_list("width", flat=True))
    # by (position, else its index; index): b (0, 0), a (0, 1), c (2, 2), d (3, 3), e (4, 4)
    assert widths == [30, 20, 40, 50, 60]


def test_instaclone_fields_of_the_wrong_type_are_ignored(alice, tmp_path):
    post = clone_post(
        caption={"text": "hi"}, aspect=["square"], is_archived="yes",
        media=[{"path": ["media/a.jpg"], "alt_text": 7}, {"path": "media/a.jpg", "alt_text": ["x"], "position": 1}],
    )
    job = clone_job(alice, tmp_path, [post])

    assert (job.done, job.failed) == (1, 0), job.errors
    assert job.errors == [{"item": "Post of 1 Jan 2020", "reason": "a file is missing from the ZIP."}]
    p = Post.objects.get(author=alice)
    assert (p.caption, p.aspect, p.is_archived, list(p.media.values_list("alt_text", flat=True))) == ("", "original", False, [""])


@pytest.mark.parametrize("created_at", [1577836800, None, ["2020-01-01"], "yesterday"])
def test_an_instaclone_date_that_is_not_iso_text_is_no_date(alice, tmp_path, created_at):
    job = clone_job(alice, tmp_path, [clone_post(created_at=created_at)])
    assert job.errors[0]["reason"] == "It has no date in the export."


@pytest.mark.parametrize("profile", [[1], {"format": "instaclone-export", "version": "1"}, {"format": "instaclone-export", "version": [1]}])
def test_a_strange_profile_json_is_refused_with_a_sentence(alice, tmp_path, profile):
    members = {"profile.json": json.dumps(profile), "posts.json": "[]"}
    exc = refusal(alice, write_zip(tmp_path / "p.zip", members))
    assert exc.code in {"version", "no_posts"}


def test_posts_json_not_a_list_fails_the_job(alice, tmp_path):
    members = {"profile.json": json.dumps({"format": "instaclone-export", "version": 1}), "posts.json": json.dumps({"a": 1})}
    job = run_import(alice, write_zip(tmp_path / "p.zip", members))
    assert (job.status, job.error) == ("failed", "posts.json in this export is not a list of posts.")


@pytest.mark.parametrize(
    "entry",
    [
        {"media": [{"uri": ["x"], "creation_timestamp": {"a": 1}, "title": 5}]},
        {"media": [{"uri": "media/posts/a.jpg", "creation_timestamp": "1e400", "title": None}]},
        {"media": [{"uri": "media/posts/a.jpg", "creation_timestamp": 10**400}]},
        {"media": [{"uri": "media/posts/a.jpg", "creation_timestamp": True}]},
        {"uri": 5, "creation_timestamp": [1]},
        {"media": "nope", "title": ["x"]},
    ],
)
def test_instagram_values_of_the_wrong_type_are_problems_not_errors(alice, tmp_path, entry):
    job = ig_job(alice, tmp_path, [entry, *one_photo(ts(2020, 1, 1))])
    assert job.status == "done"
    assert job.done == 1
    assert not job.error


def test_a_posts_file_named_with_thousands_of_digits_is_no_posts_file(alice, tmp_path):
    # int() of more than 4,300 digits raises ValueError: such a name must not reach it
    members = {f"content/posts_{'9' * 5000}.json": json.dumps(one_photo(ts(2020, 1, 1)))}
    assert refusal(alice, write_zip(tmp_path / "n.zip", members)).code == "no_posts"


def _with_method(path, member: str, method: int) -> str:
    """Rewrite `member`'s compression method (local header and central directory) to `method`."""
    data = bytearray(Path(path).read_bytes())
    name = member.encode()
    for sig, at in ((b"PK\x03\x04", 8), (b"PK\x01\x02", 10)):
        start = 0
        while (start := data.find(sig, start)) != -1:
            name_at = start + (30 if sig == b"PK\x03\x04" else 46)
            if data[name_at : name_at + len(name)] == name:
                data[start + at : start + at + 2] = method.to_bytes(2, "little")
            start += 4
    Path(path).write_bytes(bytes(data))
    return path


def test_a_member_in_an_unknown_compression_method_is_a_sentence(alice, tmp_path):
    # profile.json (read in the request): the archive is not taken for an export, and has no posts file
    members = {"profile.json": json.dumps({"format": "instaclone-export", "version": 1}), "posts.json": "[]"}
    path = _with_method(write_zip(tmp_path / "p.zip", members), "profile.json", 97)
    assert refusal(alice, path).code == "no_posts"
    # a photo (read by the task): that post's problem, the import goes on
    path = _with_method(ig_zip := instagram_zip(tmp_path / "ig.zip", posts=one_photo(ts(2020, 1, 1)),
                                                files={"media/posts/a.jpg": jpeg_bytes()}), "media/posts/a.jpg", 97)
    job = run_import(alice, ig_zip)
    assert (job.status, job.failed, job.errors[0]["reason"]) == ("done", 1, "a.jpg is damaged in the ZIP.")


# --- 4. the pixels of a whole import -----------------------------------------------------------


def test_an_import_stops_when_its_photos_add_up_to_too_many_pixels(alice, tmp_path, settings):
    settings.IMPORT_MAX_TOTAL_PIXELS = 40 * 30 * 2 + 10  # two 40x30 photos fit, not three
    posts = [p for n in range(4) for p in one_photo(ts(2020, 1, 1 + n))]
    job = ig_job(alice, tmp_path, posts)

    assert (job.status, job.done, job.pixels) == ("failed", 2, 2400)
    assert job.error.startswith("This import stopped: its photos add up to more than 0 megapixels")
    assert "Posts imported so far stay" in job.error
    assert Post.objects.filter(author=alice).count() == 2


def test_the_pixels_are_read_from_the_header_without_decoding(alice, tmp_path, settings, monkeypatch):
    from PIL import ImageFile

    path = instagram_zip(tmp_path / "ig.zip", posts=one_photo(ts(2020, 1, 1)), files={"media/posts/a.jpg": jpeg_bytes()})
    decoded = []
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda self: decoded.append(self.size))
    settings.IMPORT_MAX_TOTAL_PIXELS = 100
    job = run_import(alice, path)
    assert (job.status, job.done) == ("failed", 0)
    assert decoded == []


def test_pixels_are_counted_across_runs(alice, tmp_path, settings):
    settings.IMPORT_RUN_SECONDS = 0  # one post per run
    settings.IMPORT_MAX_TOTAL_PIXELS = 40 * 30 * 3
    posts = [p for n in range(4) for p in one_photo(ts(2020, 1, 1 + n))]
    job = ig_job(alice, tmp_path, posts)
    assert (job.status, job.done) == ("failed", 3)


# --- 5. your own export back into your own account ---------------------------------------------


def _own_export(path, user, posts_here) -> str:
    posts = [clone_post(pid=p.pk, created_at=p.created.isoformat(), caption=p.caption) for p in posts_here]
    members = {
        "profile.json": json.dumps({"format": "instaclone-export", "version": 1, "username": user.username}),
        "posts.json": json.dumps(posts),
        "media/a.jpg": jpeg_bytes(),
    }
    return write_zip(path, members)


def test_your_own_export_into_your_own_account_skips_the_posts_already_here(alice, tmp_path):
    mine = [post_create(author=alice, caption=f"mine {n}", files=[(jpeg(f"{n}.jpg"), "")]) for n in range(2)]
    Post.objects.filter(author=alice).update(created=datetime(2020, 1, 1, tzinfo=UTC))
    for p in mine:
        p.refresh_from_db()

    job = run_import(alice, _own_export(tmp_path / "own.zip", alice, mine))

    assert (job.status, job.done, job.skipped, job.failed) == ("done", 0, 2, 0)
    assert Post.objects.filter(author=alice).count() == 2


def test_a_post_deleted_since_the_export_comes_back(alice, tmp_path):
    kept = post_create(author=alice, caption="kept", files=[(jpeg("k.jpg"), "")])
    gone = post_create(author=alice, caption="gone", files=[(jpeg("g.jpg"), "")])
    Post.objects.filter(author=alice).update(created=datetime(2020, 1, 1, tzinfo=UTC))
    kept.refresh_from_db()
    gone.refresh_from_db()
    path = _own_export(tmp_path / "own.zip", alice, [kept, gone])
    gone.delete()

    job = run_import(alice, path)
    assert (job.done, job.skipped) == (1, 1)
    assert sorted(Post.objects.filter(author=alice).values_list("caption", flat=True)) == ["gone", "kept"]


def test_someone_elses_export_naming_your_post_ids_is_imported(alice, bob, tmp_path):
    """The skip is for the person's own export only: bob's export whose ids happen to be alice's posts'."""
    mine = post_create(author=alice, caption="mine", files=[(jpeg("m.jpg"), "")])
    Post.objects.filter(pk=mine.pk).update(created=datetime(2020, 1, 1, tzinfo=UTC))
    mine.refresh_from_db()
    job = run_import(alice, _own_export(tmp_path / "bob.zip", bob, [mine]))
    assert (job.done, job.skipped) == (1, 0)

