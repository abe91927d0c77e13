"""GET /api/v1/instance, /api/v2/instance and the small start-up reads (issue 14)."""

from __future__ import annotations

import pytest
from django.conf import settings

from instaclone.testing import api_token
from posts.services import max_media

pytestmark = pytest.mark.django_db


def auth(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_v1_instance_without_a_token(client, alice):
    r = client.get("/api/v1/instance")
    assert r.status_code == 200
    data = r.json()
    assert data["uri"] == "testserver"
    assert data["version"] == "4.3.0 (compatible; Instaclone 1.0)"
    assert data["registrations"] is True and data["approval_required"] is False
    assert data["stats"]["user_count"] == 1
    config = data["configuration"]
    assert config["statuses"]["max_characters"] == 2200
    assert config["statuses"]["max_media_attachments"] == max_media()
    media = config["media_attachments"]
    assert media["image_size_limit"] == settings.IMAGE_MAX_BYTES
    assert media["video_size_limit"] == settings.VIDEO_MAX_BYTES
    assert {"image/jpeg", "image/png", "image/webp", "video/mp4"} <= set(media["supported_mime_types"])
    assert "@" in data["email"]


def test_v2_instance(client):
    data = client.get("/api/v2/instance").json()
    assert data["domain"] == "testserver"
    assert data["api_versions"] == {"mastodon": 2}
    assert data["registrations"] == {"enabled": True, "approval_required": False, "message": None, "url": None}
    assert data["configuration"]["statuses"]["max_characters"] == 2200
    assert "@" in data["contact"]["email"]


def test_instance_stats_are_cached(client, alice, django_assert_num_queries):
    client.get("/api/v1/instance")
    with django_assert_num_queries(0):
        client.get("/api/v1/instance")
        client.get("/api/v2/instance")


def test_a_bad_token_is_refused_even_here(client):
    assert client.get("/api/v1/instance", **auth("nope")).status_code == 401


def test_start_up_reads(client, alice):
    token = auth(api_token(alice, "read"))
    assert client.get("/api/v1/custom_emojis").json() == []
    assert client.get("/api/v1/instance/rules").json() == []
    for path in ("/api/v1/filters", "/api/v2/filters", "/api/v1/lists", "/api/v1/announcements"):
        r = client.get(path, **token)
        assert (r.status_code, r.json()) == (200, []), path
    assert client.get("/api/v1/markers", **token).json() == {}
    prefs = client.get("/api/v1/preferences", **token).json()
    assert prefs["posting:default:visibility"] == "public"


def test_start_up_reads_need_a_user_and_a_read_scope(client, alice):
    write = auth(api_token(alice, "write"))
    for path in ("/api/v1/preferences", "/api/v1/filters", "/api/v1/lists", "/api/v1/markers"):
        assert client.get(path).status_code == 401, path
        assert client.get(path, **write).status_code == 403, path


def test_a_trailing_slash_is_the_same_instance(client):
    """Mastodon.py asks for /api/v1/instance/ and /api/v2/instance/ (Mastodon answers both)."""
    assert client.get("/api/v1/instance/").json()["version"] == client.get("/api/v1/instance").json()["version"]
    assert client.get("/api/v2/instance/").json()["api_versions"] == {"mastodon": 2}
