import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from accounts.models import User
from instaclone.testing import image_bytes, image_upload, stored_files

EDIT = "/settings/profile/"
FORM = {"display_name": "Alice L.", "bio": "Down the rabbit hole", "website": "https://alice.example", "is_private": ""}


def _post(client, **extra):
    return client.post(EDIT, {**FORM, **extra})


def _png_header_claiming(width, height) -> bytes:
    """A tiny PNG whose header claims a huge size: a decompression bomb in a few bytes."""

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b"")


def _jpeg_with_gps_and_rotation() -> bytes:
    img = Image.new("RGB", (400, 200), (10, 120, 200))
    exif = img.getexif()
    exif[0x0112] = 6  # orientation: rotate 90° clockwise for display
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0), 3: "W", 4: (0.0, 7.0, 0.0)}  # GPS IFD
    out = io.BytesIO()
    img.save(out, "JPEG", exif=exif)
    return out.getvalue()


@pytest.mark.django_db
def test_edit_profile_saves_fields(alice_client, alice):
    response = _post(alice_client, is_private="on")
    assert response.status_code == 302
    alice.refresh_from_db()
    assert (alice.display_name, alice.bio, alice.website, alice.is_private) == (
        "Alice L.", "Down the rabbit hole", "https://alice.example", True,
    )


@pytest.mark.django_db
def test_profile_page_shows_default_avatar_from_storage(client, alice, media_root):
    response = client.get("/alice/")
    assert response.status_code == 200
    assert "/media/defaults/avatar.png" in response.content.decode()
    assert stored_files(media_root) == ["defaults/avatar.png"]
    client.get("/alice/")
    assert stored_files(media_root) == ["defaults/avatar.png"]  # created once, shared


@pytest.mark.django_db
def test_avatar_is_square_rotated_and_stripped_of_metadata(alice_client, alice, media_root):
    upload = SimpleUploadedFile("me.jpg", _jpeg_with_gps_and_rotation(), content_type="image/jpeg")
    assert _post(alice_client, avatar_upload=upload).status_code == 302
    alice.refresh_from_db()
    assert alice.avatar.startswith("avatars/") and alice.avatar.endswith(".jpg")
    with Image.open(media_root / alice.avatar) as img:
        assert img.size == (320, 320)
        assert img.format == "JPEG"
        assert len(img.getexif()) == 0
        assert "icc_profile" not in img.info and "exif" not in img.info
    assert alice.avatar_url.endswith(alice.avatar)


@pytest.mark.django_db
def test_replacing_avatar_deletes_the_old_file(alice_client, alice, media_root, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _post(alice_client, avatar_upload=image_upload())
    alice.refresh_from_db()
    first = alice.avatar
    with django_capture_on_commit_callbacks(execute=True):
        _post(alice_client, avatar_upload=image_upload(fmt="PNG", name="b.png"))
    alice.refresh_from_db()
    assert alice.avatar != first
    assert [f for f in stored_files(media_root) if f.startswith("avatars/")] == [alice.avatar]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name,content,message",
    [
        ("notes.jpg", b"this is just text, renamed", "isn't a photo"),
        ("page.png", b"<html><script>alert(1)</script></html>", "isn't a photo"),
        ("vector.jpg", b'<svg xmlns="http://www.w3.org/2000/svg"><circle r="4"/></svg>', "isn't a photo"),
        ("empty.jpg", b"", "empty"),
        ("cut.jpg", image_bytes(size=(300, 300))[:400], "damaged"),
        ("bomb.png", _png_header_claiming(20_000, 20_000), "too big"),
        ("anim.gif", image_bytes(fmt="GIF"), "isn't supported"),
    ],
)
def test_bad_avatar_gets_a_clear_error_and_changes_nothing(alice_client, alice, media_root, name, content, message):
    upload = SimpleUploadedFile(name, content, content_type="image/jpeg")
    response = _post(alice_client, avatar_upload=upload, display_name="Changed")
    assert response.status_code == 400
    body = response.content.decode().replace("&#x27;", "'")
    assert message in body
    alice.refresh_from_db()
    assert alice.avatar == "" and alice.display_name == "Alice Liddell"
    assert not [f for f in stored_files(media_root) if f.startswith("avatars/")]


@pytest.mark.django_db
def test_oversized_avatar_is_refused(alice_client, alice, settings, media_root):
    settings.AVATAR_MAX_BYTES = 1000
    response = _post(alice_client, avatar_upload=image_upload(size=(600, 600)))
    assert response.status_code == 400
    assert "too large" in response.content.decode()
    assert not [f for f in stored_files(media_root) if f.startswith("avatars/")]


@pytest.mark.django_db
def test_database_failure_after_storing_avatar_leaves_no_file(alice, media_root, monkeypatch):
    from accounts import services

    def broken_save(self, *args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(User, "save", broken_save)
    with pytest.raises(RuntimeError):
        services.profile_update(
            user=alice, display_name="x", bio="", website="", is_private=False, avatar_upload=image_upload()
        )
    assert not [f for f in stored_files(media_root) if f.startswith("avatars/")]


@pytest.mark.django_db
def test_over_long_bio_is_refused(alice_client, alice):
    response = _post(alice_client, bio="x" * 151)
    assert response.status_code == 400
    alice.refresh_from_db()
    assert alice.bio == ""


@pytest.mark.django_db
def test_edit_profile_needs_login(client):
    response = client.get(EDIT)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_remove_avatar(alice_client, alice):
    _post(alice_client, avatar_upload=image_upload())
    _post(alice_client, remove_avatar="on")
    alice.refresh_from_db()
    assert alice.avatar == ""


@pytest.mark.django_db
def test_making_the_account_public_in_the_form_accepts_pending_requests(alice_client, alice, bob):
    from accounts.models import Follow, FollowRequest
    from accounts.tests.factories import FollowFactory

    alice.is_private = True
    alice.save()
    FollowFactory(follower=bob, followee=alice, accept=False)  # the pending request
    assert _post(alice_client, is_private="").status_code == 302
    assert not FollowRequest.objects.exists()
    assert Follow.objects.filter(follower=bob, followee=alice).exists()
