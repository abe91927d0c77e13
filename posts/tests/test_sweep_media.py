"""manage.py sweep_media: orphaned files (stored, no row) are found and, past the grace period,
deleted; referenced files are kept; rows whose file is missing are reported and left alone. On the
local disk and on (fake) ImageKit."""

import io
import os
import time
from datetime import UTC, datetime, timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command

from instaclone.testing import image_bytes
from posts.models import PostMedia

from .factories import PostFactory

pytestmark = pytest.mark.django_db

FOLDER = "/instaclone-test"


def sweep(*args) -> str:
    out = io.StringIO()
    call_command("sweep_media", *args, stdout=out)
    return out.getvalue()


def referenced(post, alice) -> set[str]:
    names = {alice.avatar}
    for media in post.media.all():
        names.add(media.file)
        names.update(media.renditions.values())
    return names


@pytest.fixture
def content(alice):
    """Alice has a post (file + renditions) and an avatar."""
    alice.avatar = default_storage.save("avatars/alice.jpg", ContentFile(image_bytes()))
    alice.save(update_fields=["avatar"])
    return PostFactory(author=alice, images=2)


def backdate_local(media_root, name, minutes):
    stamp = time.time() - minutes * 60
    os.utime(media_root / name, (stamp, stamp))


def test_local_sweep_reports_then_deletes_old_orphans_and_keeps_referenced_files(content, alice, media_root):
    old = default_storage.save("posts/images/old-orphan.jpg", ContentFile(b"left by a killed worker"))
    new = default_storage.save("posts/images/new-orphan.jpg", ContentFile(b"upload in flight"))
    backdate_local(media_root, old, 120)
    keep = referenced(content, alice)

    report = sweep()
    assert f"orphan {old}" in report and f"orphan {new}" in report
    assert (media_root / old).exists()  # report only

    report = sweep("--delete", "--older-than", "60")

    assert f"deleted orphan {old}" in report
    assert f"orphan {new}" in report and "kept" in report
    assert not (media_root / old).exists()
    assert (media_root / new).exists()  # inside the grace period
    for name in keep:
        assert (media_root / name).exists(), name


def test_local_sweep_reports_rows_whose_file_is_missing_and_changes_no_row(content, media_root):
    media = content.media.order_by("position").first()
    os.remove(media_root / media.file)

    report = sweep("--delete", "--older-than", "0")

    assert f"missing {media.file} (post {content.pk} media {media.pk})" in report
    assert PostMedia.objects.filter(pk=media.pk, file=media.file).exists()


def test_imagekit_sweep_finds_and_deletes_orphans_through_the_list_api(fake_imagekit, alice, monkeypatch):
    from instaclone.media import imagekit

    monkeypatch.setattr(imagekit, "LIST_PAGE_SIZE", 2)  # several pages per folder
    post = PostFactory(author=alice, images=3)
    alice.avatar = default_storage.save("avatars/alice.jpg", ContentFile(image_bytes()))
    alice.save(update_fields=["avatar"])
    old = default_storage.save("posts/images/old-orphan.jpg", ContentFile(b"x"))
    new = default_storage.save("posts/images/new-orphan.jpg", ContentFile(b"y"))
    stored = fake_imagekit.file_at(f"{FOLDER}/{old}")
    stored.created_at = (datetime.now(UTC) - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    keep = referenced(post, alice)

    report = sweep("--delete")

    assert f"deleted orphan {old}" in report
    assert f"orphan {new}" in report
    paths = fake_imagekit.paths()
    assert f"{FOLDER}/{old}" not in paths and f"{FOLDER}/{new}" in paths
    for name in keep:
        assert f"{FOLDER}/{name}" in paths, name
    lists = fake_imagekit.calls("GET", "/v1/files")
    assert all(call.query.get("limit") == ["2"] for call in lists)
    assert any(call.query.get("skip") == ["2"] for call in lists)  # it paged


def test_imagekit_sweep_reports_a_row_whose_file_is_gone(fake_imagekit, alice):
    post = PostFactory(author=alice)
    media = post.media.get()
    default_storage.delete(media.file)

    report = sweep()

    assert f"missing {media.file} (post {post.pk} media {media.pk})" in report


def test_imagekit_sweep_during_an_outage_stops_with_a_clear_error(fake_imagekit):
    from django.core.management.base import CommandError

    fake_imagekit.outage()

    with pytest.raises(CommandError, match="Could not list the stored files"):
        sweep("--delete")


def test_the_periodic_sweep_task_deletes_old_orphans_and_keeps_the_rest(content, alice, media_root):
    from posts.tasks import media_sweep

    old = default_storage.save("posts/images/old-orphan.jpg", ContentFile(b"left by a killed worker"))
    new = default_storage.save("posts/images/new-orphan.jpg", ContentFile(b"upload in flight"))
    backdate_local(media_root, old, 120)

    report = media_sweep.call()

    assert f"deleted orphan {old}" in report
    assert not (media_root / old).exists()
    assert (media_root / new).exists()
    for name in referenced(content, alice):
        assert (media_root / name).exists(), name
