"""The client API's media endpoints: uploads go through the web's upload pipeline into drafts that
only their owner can see, fetch or describe; unused ones expire with their files."""

from __future__ import annotations

import io
import os
import time
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone
from PIL import Image

from instaclone.testing import api_token, image_bytes, stored_files
from posts.models import MediaDraft
from posts.services import MEDIA_DRAFTS_PENDING_MAX
from posts.tests.factories import real_mp4, upload
from social.api import media as media_api

pytestmark = pytest.mark.django_db


def auth(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


@pytest.fixture
def token(alice):
    return api_token(alice)


def jpeg_with_gps() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "SpyCam"  # Make
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0)}  # GPS IFD
    return image_bytes(size=(120, 90), exif=exif)


def post_media(client, token, *, content=None, name="photo.jpg", path="/api/v2/media", **data):
    files = {"file": upload(name, content if content is not None else image_bytes(size=(120, 90)), "image/jpeg")}
    return client.post(path, {**files, **data}, **auth(token))


def test_it_uploads_a_photo_through_the_pipeline_and_strips_its_metadata(client, token, alice, media_root):
    response = post_media(client, token, content=jpeg_with_gps(), description="A red square", focus="0.1,0.2")
    assert response.status_code == 200, response.content
    data = response.json()
    draft = MediaDraft.objects.get(pk=int(data["id"]))
    assert draft.owner == alice and draft.kind == "image" and draft.alt_text == "A red square"
    assert (data["type"], data["description"]) == ("image", "A red square")
    assert data["meta"]["original"]["width"] == 120 and data["url"]
    assert draft.file.startswith("posts/drafts/")
    with default_storage.open(draft.file) as stored:
        img = Image.open(stored)
        assert not img.getexif()  # no camera, no GPS
    assert stored_files(media_root) == [draft.file]


def test_v1_upload_works_too(client, token):
    response = post_media(client, token, path="/api/v1/media")
    assert response.status_code == 200
    assert MediaDraft.objects.count() == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"<svg xmlns='http://www.w3.org/2000/svg'></svg>", "isn't a photo"),
        (b"", "empty"),
        (b"hello, not a picture at all" * 10, "isn't a photo we can read"),
    ],
)
def test_a_refused_file_is_a_422_with_the_pipelines_message_and_stores_nothing(client, token, media_root, content, message):
    response = post_media(client, token, content=content)
    assert response.status_code == 422
    assert message in response.json()["error"]
    assert not MediaDraft.objects.exists()
    assert stored_files(media_root) == []


def test_a_file_over_the_size_cap_is_refused(client, token, settings, media_root):
    settings.IMAGE_MAX_BYTES = 500
    response = post_media(client, token)
    assert response.status_code == 422 and "too large" in response.json()["error"]
    assert stored_files(media_root) == []


def test_no_file_is_a_422(client, token):
    response = client.post("/api/v2/media", {"description": "nothing"}, **auth(token))
    assert response.status_code == 422
    assert response.json() == {"error": "Validation failed: File can't be blank"}


@pytest.mark.skipif(real_mp4() is None, reason="ffmpeg is not installed")
def test_a_video_is_probed_and_kept(client, token):
    response = post_media(client, token, content=real_mp4(), name="clip.mp4")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["type"] == "video" and data["url"] and data["preview_url"] is None
    assert MediaDraft.objects.get().file.endswith(".mp4")


def test_the_url_works_for_its_holder_and_the_bare_file_is_private(client, token):
    data = post_media(client, token).json()
    url = urlsplit(data["url"])
    assert "s=" in url.query  # signed and expiring
    signed = client.get(f"{url.path}?{url.query}")
    assert signed.status_code == 200
    assert signed["Cache-Control"].startswith("private")
    assert client.get(url.path).status_code == 404  # unsigned: as if it did not exist


def test_get_and_put_answer_the_owner_only(client, token, bob):
    media_id = post_media(client, token, description="first").json()["id"]
    got = client.get(f"/api/v1/media/{media_id}", **auth(token))
    assert got.status_code == 200 and got.json()["description"] == "first"

    put = client.put(f"/api/v1/media/{media_id}", "description=second", content_type="application/x-www-form-urlencoded",
                     **auth(token))
    assert put.status_code == 200 and put.json()["description"] == "second"
    assert MediaDraft.objects.get().alt_text == "second"
    put_json = client.put(f"/api/v1/media/{media_id}", {"description": "third"}, content_type="application/json",
                          **auth(token))
    assert put_json.json()["description"] == "third"

    bobs = api_token(bob)
    assert client.get(f"/api/v1/media/{media_id}", **auth(bobs)).status_code == 404
    assert client.put(f"/api/v1/media/{media_id}", {"description": "mine"}, content_type="application/json",
                      **auth(bobs)).status_code == 404
    assert client.get("/api/v1/media/999999", **auth(token)).status_code == 404
    assert client.get("/api/v1/media/abc", **auth(token)).status_code == 404
    assert MediaDraft.objects.get().alt_text == "third"


def test_an_over_long_description_is_refused(client, token):
    response = post_media(client, token, description="x" * 1001)
    assert response.status_code == 422 and "Alt text" in response.json()["error"]
    media_id = post_media(client, token).json()["id"]
    put = client.put(f"/api/v1/media/{media_id}", {"description": "y" * 1001}, content_type="application/json",
                     **auth(token))
    assert put.status_code == 422


def test_uploads_are_rate_limited_per_person(client, token, bob, monkeypatch):
    monkeypatch.setattr(media_api, "UPLOAD_RATE", (2, 1800))
    assert post_media(client, token).status_code == 200
    assert post_media(client, token).status_code == 200
    refused = post_media(client, token)
    assert refused.status_code == 429 and refused.json() == {"error": "Too many requests"}
    assert MediaDraft.objects.count() == 2
    assert post_media(client, api_token(bob)).status_code == 200  # someone else's count


def test_unused_uploads_are_bounded(client, token, alice):
    MediaDraft.objects.bulk_create(
        [MediaDraft(owner=alice, file=f"posts/drafts/x{i}.jpg") for i in range(MEDIA_DRAFTS_PENDING_MAX)]
    )
    response = post_media(client, token)
    assert response.status_code == 422 and "waiting to be posted" in response.json()["error"]


def test_a_request_larger_than_any_file_is_refused_before_reading(client, token, settings):
    settings.IMAGE_MAX_BYTES = settings.VIDEO_MAX_BYTES = 100
    response = post_media(client, token, content=b"x" * (1024 * 1024 + 500))
    assert response.status_code == 413


def test_scopes_a_read_token_cannot_upload_or_describe(client, alice):
    own = api_token(alice, scope="write:media")
    media_id = post_media(client, own).json()["id"]
    for read in (api_token(alice, scope="read"), api_token(alice, scope="write:statuses")):
        assert post_media(client, read).status_code == 403
        assert client.get(f"/api/v1/media/{media_id}", **auth(read)).status_code == 403
        assert client.put(f"/api/v1/media/{media_id}", {"description": "x"}, content_type="application/json",
                          **auth(read)).status_code == 403
    assert client.post("/api/v2/media").status_code == 401
    assert MediaDraft.objects.count() == 1


def sweep() -> str:
    out = io.StringIO()
    call_command("sweep_media", "--delete", stdout=out)
    return out.getvalue()


def test_the_sweep_deletes_uploads_unused_for_a_day_and_keeps_younger_ones(client, token, media_root):
    old = MediaDraft.objects.get(pk=post_media(client, token).json()["id"])
    young = MediaDraft.objects.get(pk=post_media(client, token).json()["id"])
    MediaDraft.objects.filter(pk=old.pk).update(created=timezone.now() - timedelta(days=1, minutes=1))
    # the young upload's file was written two hours ago: referenced, so not an orphan
    stamp = time.time() - 2 * 3600
    os.utime(media_root / young.file, (stamp, stamp))

    report = sweep()
    assert "deleted 1 unused upload" in report
    assert list(MediaDraft.objects.values_list("pk", flat=True)) == [young.pk]
    assert stored_files(media_root) == [young.file]


def test_on_imagekit_an_upload_is_stored_there_signed_and_posted_from_there(client, token, fake_imagekit):
    """The draft goes to ImageKit under posts/drafts/, its URL is ImageKit's signed one, and posting
    reads it back from ImageKit through post_create, then deletes it there."""
    from posts.models import Post

    data = post_media(client, token, description="cloud")
    assert data.status_code == 200, data.content
    data = data.json()
    draft = MediaDraft.objects.get()
    folder = "/instaclone-test"
    assert f"{folder}/{draft.file}" in fake_imagekit.paths()
    assert data["url"].startswith(fake_imagekit.url_endpoint) and "ik-s=" in data["url"]

    response = client.post("/api/v1/statuses", {"status": "from the cloud", "media_ids": [data["id"]]},
                           content_type="application/json", **auth(token))
    assert response.status_code == 200, response.content
    post = Post.objects.get()
    media = post.media.get()
    assert media.alt_text == "cloud"
    paths = fake_imagekit.paths()
    assert f"{folder}/{media.file}" in paths
    assert not [p for p in paths if p.startswith(f"{folder}/posts/drafts/")]
