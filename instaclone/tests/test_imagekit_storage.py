"""ImageKitStorage end to end against the fake ImageKit server (see fake_imagekit.py)."""

import base64
import time

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse

from accounts.avatars import ensure_default_avatar
from accounts.models import User
from instaclone.media import imagekit
from instaclone.media.files import StorageError, stored_files
from instaclone.media.storage import ImageKitStorage
from instaclone.testing import image_bytes, image_upload, make_user

FOLDER = "/instaclone-test"


def test_it_is_the_default_storage_when_configured(fake_imagekit):
    from django.core.files.storage import storages

    assert isinstance(storages["default"], ImageKitStorage)
    assert default_storage.url("posts/x.jpg").startswith(fake_imagekit.url_endpoint)


def test_save_uploads_into_the_names_folder_and_url_points_at_the_endpoint(fake_imagekit):
    data = image_bytes("JPEG", (40, 30))

    name = default_storage.save("posts/abc123.jpg", ContentFile(data))

    assert name == "posts/abc123.jpg"
    stored = fake_imagekit.file_at(f"{FOLDER}/posts/abc123.jpg")
    assert stored is not None and stored.content == data
    upload = fake_imagekit.uploads()[-1]
    assert upload.fields["fileName"] == "abc123.jpg"
    assert upload.fields["folder"] == f"{FOLDER}/posts"
    assert upload.fields["useUniqueFileName"] == "false"  # no random suffix: the name is the URL
    assert default_storage.url(name).startswith(f"{fake_imagekit.url_endpoint}{FOLDER}/posts/abc123.jpg?ik-s=")


def test_save_returns_the_name_imagekit_actually_stored(fake_imagekit):
    name = default_storage.save("posts/my photo.jpg", ContentFile(b"data"))

    assert f"{FOLDER}/{name}" in fake_imagekit.paths()
    assert default_storage.url(name).startswith(f"{fake_imagekit.url_endpoint}{FOLDER}/{name}?ik-s=")


def test_urls_are_built_without_any_api_call(fake_imagekit):
    default_storage.url("posts/a.jpg")
    default_storage.rendition_url("posts/a.jpg", 320)

    assert fake_imagekit.requests == []


def test_save_makes_no_existence_check_for_unique_names(fake_imagekit):
    default_storage.save("avatars/unique.jpg", ContentFile(b"x" * 10))

    assert [r.method for r in fake_imagekit.requests] == ["POST"]


def test_open_reads_the_bytes_back_from_the_delivery_url(fake_imagekit):
    data = image_bytes("PNG", (8, 8))
    name = default_storage.save("posts/readback.png", ContentFile(data))

    with default_storage.open(name) as fh:
        assert fh.read() == data


def test_api_calls_use_basic_auth_with_the_private_key_as_username(fake_imagekit):
    default_storage.save("posts/auth.jpg", ContentFile(b"data"))
    default_storage.exists("posts/auth.jpg")

    for request in fake_imagekit.requests:
        scheme, _, token = request.headers["authorization"].partition(" ")
        assert scheme == "Basic"
        assert base64.b64decode(token).decode() == f"{fake_imagekit.private_key}:"


def test_a_wrong_private_key_is_refused_with_a_clear_error(fake_imagekit, settings):
    settings.IMAGEKIT_PRIVATE_KEY = "not-the-key"  # the setting_changed hook drops the cached client

    with pytest.raises(StorageError, match="refused our credentials"):
        default_storage.save("posts/nokey.jpg", ContentFile(b"data"))
    assert fake_imagekit.paths() == []


def test_delete_removes_the_remote_file(fake_imagekit):
    name = default_storage.save("posts/gone.jpg", ContentFile(b"data"))

    default_storage.delete(name)

    assert fake_imagekit.paths() == []


def test_delete_finds_the_file_id_through_the_api_in_a_fresh_process(fake_imagekit):
    name = default_storage.save("posts/later.jpg", ContentFile(b"data"))
    fresh = ImageKitStorage()  # knows no fileIds: must search for it

    fresh.delete(name)

    assert fake_imagekit.paths() == []
    search = fake_imagekit.calls("GET", "/v1/files")[-1]
    assert search.query["searchQuery"] == ['name = "later.jpg"']
    assert search.query["path"] == [f"{FOLDER}/posts/"]


def test_delete_of_a_missing_file_does_nothing(fake_imagekit):
    other = default_storage.save("posts/keep.jpg", ContentFile(b"data"))

    ImageKitStorage().delete("posts/never-uploaded.jpg")

    assert fake_imagekit.paths() == [f"{FOLDER}/{other}"]


def test_exists_and_size_ask_the_api(fake_imagekit):
    name = default_storage.save("posts/sized.jpg", ContentFile(b"12345"))
    before = len(fake_imagekit.requests)

    assert default_storage.exists(name)
    assert default_storage.size(name) == 5
    assert not default_storage.exists("posts/missing.jpg")
    with pytest.raises(FileNotFoundError):
        default_storage.size("posts/missing.jpg")
    assert len(fake_imagekit.requests) - before == 4
    # a file of the same name in another folder is a different file
    assert not default_storage.exists("avatars/sized.jpg")


def test_rendition_url_equals_the_sdks_own_url_helper(fake_imagekit):
    name = default_storage.save("posts/wide.jpg", ContentFile(image_bytes()))

    url = default_storage.rendition_url(name, 640)

    expected = imagekit.get_client().helper.build_url(
        src=f"{FOLDER}/posts/wide.jpg",
        url_endpoint=fake_imagekit.url_endpoint,
        transformation=[{"width": 640, "raw": "q-auto", "format": "auto"}],
        signed=True,
    )
    assert url == expected
    assert url.startswith(f"{fake_imagekit.url_endpoint}{FOLDER}/posts/wide.jpg?tr=w-640,q-auto,f-auto&ik-s=")


def test_video_poster_url_is_imagekits_thumbnail_of_the_video_at_a_width(fake_imagekit):
    url = default_storage.video_poster_url("posts/clip.mp4", 320)

    assert url.startswith(f"{fake_imagekit.url_endpoint}{FOLDER}/posts/clip.mp4/ik-thumbnail.jpg?tr=w-320,q-auto,f-auto&ik-s=")


def test_a_single_failed_call_is_retried_once(fake_imagekit, settings):
    settings.IMAGEKIT_MAX_RETRIES = 1
    fake_imagekit.fail_next(1)

    name = default_storage.save("posts/retried.jpg", ContentFile(b"data"))

    assert [r.status for r in fake_imagekit.uploads()] == [503, 200]
    assert fake_imagekit.paths() == [f"{FOLDER}/{name}"]


def test_outage_gives_a_storage_error_with_a_clear_message_and_stores_nothing(fake_imagekit):
    fake_imagekit.outage()

    with pytest.raises(StorageError) as exc_info:
        default_storage.save("posts/down.jpg", ContentFile(b"data"))

    assert "image service is having problems (error 503)" in exc_info.value.message
    assert "Nothing was saved" in exc_info.value.message
    assert fake_imagekit.paths() == []


def test_timeout_gives_a_storage_error_quickly_and_stores_nothing(fake_imagekit):
    fake_imagekit.hang(seconds=5)

    started = time.monotonic()
    with pytest.raises(StorageError, match="took too long to answer"):
        default_storage.save("posts/slow.jpg", ContentFile(b"data"))

    assert time.monotonic() - started < 3
    fake_imagekit.heal()
    assert fake_imagekit.paths() == []


def test_an_upload_stored_remotely_after_the_client_gave_up_is_deleted_again(fake_imagekit):
    fake_imagekit.hang(seconds=2, times=1, then_store=True)  # stores, then answers too late

    with pytest.raises(StorageError, match="took too long to answer"):
        default_storage.save("posts/late.jpg", ContentFile(b"data"))

    assert [r.method for r in fake_imagekit.requests] == ["POST", "GET", "DELETE"]
    assert fake_imagekit.paths() == []


def test_outage_while_checking_existence_is_a_storage_error_not_an_sdk_error(fake_imagekit):
    fake_imagekit.outage()

    with pytest.raises(StorageError, match="looking up a file"):
        default_storage.exists("posts/anything.jpg")


def test_a_failed_batch_deletes_the_files_it_already_stored(fake_imagekit):
    with pytest.raises(RuntimeError), stored_files() as batch:
        batch.save("posts", "jpg", b"first")
        batch.save("posts", "jpg", b"second")
        raise RuntimeError("the database write failed")

    assert fake_imagekit.paths() == []
    assert fake_imagekit.calls("GET", "/v1/files") == []  # fileIds were remembered, no searches


def test_an_outage_midway_through_a_batch_leaves_no_file(fake_imagekit):
    with pytest.raises(StorageError), stored_files() as batch:
        batch.save("posts", "jpg", b"first")
        fake_imagekit.fail_next(1)
        batch.save("posts", "jpg", b"second")

    assert fake_imagekit.paths() == []


# --- avatars -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_default_avatar_is_our_static_file_and_costs_no_api_call(fake_imagekit):
    users = [make_user(f"user{i}") for i in range(3)]

    urls = {user.avatar_url for user in users}
    ensure_default_avatar()

    assert urls == {"/static/img/default-avatar.png"}
    assert fake_imagekit.requests == []
    assert fake_imagekit.paths() == []


def test_avatar_upload_through_the_edit_form_lands_on_imagekit(fake_imagekit, alice_client, alice):
    response = alice_client.post(
        reverse("accounts:edit"),
        {"display_name": "Alice", "bio": "", "website": "", "avatar_upload": image_upload("me.png", "PNG")},
    )

    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.avatar.startswith("avatars/")
    assert f"{FOLDER}/{alice.avatar}" in fake_imagekit.paths()
    profile = alice_client.get(reverse("profile", args=["alice"]))
    assert f'src="{fake_imagekit.url_endpoint}{FOLDER}/{alice.avatar}?ik-s=' in profile.content.decode()


def test_replacing_an_avatar_deletes_the_old_file_on_imagekit(
    fake_imagekit, alice_client, alice, django_capture_on_commit_callbacks
):
    url = reverse("accounts:edit")
    form = {"display_name": "Alice", "bio": "", "website": ""}
    alice_client.post(url, {**form, "avatar_upload": image_upload("one.png", "PNG")})
    alice.refresh_from_db()
    first = alice.avatar

    with django_capture_on_commit_callbacks(execute=True):
        alice_client.post(url, {**form, "avatar_upload": image_upload("two.png", "PNG", color=(1, 2, 3))})
    alice.refresh_from_db()

    assert alice.avatar != first
    avatars = [p for p in fake_imagekit.paths() if "/avatars/" in p]
    assert avatars == [f"{FOLDER}/{alice.avatar}"]


def test_outage_during_avatar_upload_shows_a_form_error_and_changes_nothing(fake_imagekit, alice_client, alice):
    url = reverse("accounts:edit")
    alice_client.get(url)  # the person opens the form (the default avatar is stored then)
    before = fake_imagekit.paths()
    fake_imagekit.outage()

    response = alice_client.post(
        url, {"display_name": "Changed", "bio": "new bio", "website": "", "avatar_upload": image_upload()}
    )

    assert response.status_code == 400
    assert "The image service is having problems" in response.content.decode()
    alice = User.objects.get(pk=alice.pk)
    assert (alice.avatar, alice.display_name, alice.bio) == ("", "Alice Liddell", "")
    fake_imagekit.heal()
    assert fake_imagekit.paths() == before


def test_only_the_integration_module_imports_the_sdk():
    import os
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    importers = []
    for dirpath, dirnames, filenames in os.walk(root):
        skip = {"node_modules", "media", "staticfiles"} if Path(dirpath) == root else {"node_modules"}
        dirnames[:] = [d for d in dirnames if not d.startswith(".") and d not in skip]
        for filename in filenames:
            path = Path(dirpath, filename)
            if filename.endswith(".py") and re.search(
                r"^\s*(import|from)\s+imagekitio\b", path.read_text(errors="ignore"), re.M
            ):
                importers.append(str(path.relative_to(root)))
    assert importers == ["instaclone/media/imagekit.py"]


def test_pages_still_render_with_the_bundled_default_avatar_during_an_outage(fake_imagekit, alice_client):
    fake_imagekit.outage()
    response = alice_client.get("/settings/profile/")
    assert response.status_code == 200
    assert "/static/img/default-avatar.png" in response.content.decode()
