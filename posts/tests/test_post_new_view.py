"""The new-post page: one post per submitted form (issue 9, item 10), a per-author rate limit
(item 4), and fake videos refused next to the file (item 5)."""

import re

import pytest

from posts.models import Post

from .factories import MP4_HEADER, jpeg, post_files, real_mp4, upload

NEW = "/p/new/"
HX = {"HTTP_HX_REQUEST": "true"}


def _key(html: str) -> str:
    match = re.search(r'<input type="hidden" name="submission_key" value="([0-9a-f-]{36})"', html)
    assert match, "the form carries a one-time key"
    return match.group(1)


def _submit(client, key, caption="Once", **extra):
    return client.post(NEW, {"caption": caption, "submission_key": key, "media": [jpeg()]}, **extra)


def test_every_render_of_the_form_has_a_new_key_and_is_not_cached(alice_client):
    first, second = alice_client.get(NEW), alice_client.get(NEW)
    assert _key(first.content.decode()) != _key(second.content.decode())
    assert "no-store" in first["Cache-Control"]  # "back" after sharing fetches a fresh key


def test_the_same_form_submitted_twice_creates_one_post(alice_client, alice, media_root):
    key = _key(alice_client.get(NEW).content.decode())
    first = _submit(alice_client, key)
    files = post_files(media_root)
    second = _submit(alice_client, key)
    post = Post.objects.get()
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == f"/p/{post.pk}/"
    assert post_files(media_root) == files
    alice.refresh_from_db()
    assert alice.post_count == 1


def test_a_retry_over_htmx_redirects_to_the_same_post(alice_client):
    key = _key(alice_client.get(NEW).content.decode())
    first, second = _submit(alice_client, key, **HX), _submit(alice_client, key, **HX)
    assert first["HX-Redirect"] == second["HX-Redirect"] == f"/p/{Post.objects.get().pk}/"


def test_two_forms_make_two_posts_and_a_mangled_key_still_posts(alice_client):
    for key in (_key(alice_client.get(NEW).content.decode()), _key(alice_client.get(NEW).content.decode()), "x'<"):
        assert _submit(alice_client, key).status_code == 302
    assert Post.objects.count() == 3


def test_posting_faster_than_the_rate_is_refused_with_429_and_a_message(alice_client, settings, media_root):
    settings.POST_CREATE_RATE = "2/h"
    keys = [_key(alice_client.get(NEW).content.decode()) for _ in range(3)]
    assert [_submit(alice_client, k).status_code for k in keys[:2]] == [302, 302]
    files = post_files(media_root)
    response = _submit(alice_client, keys[2])
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 3600
    errors = response.content.decode().split('id="upload-errors"', 1)[1].split("</div>", 1)[0]
    assert "You&#x27;re sharing posts too quickly. Nothing was posted; you can share again in 60 minutes." in errors
    assert Post.objects.count() == 2 and post_files(media_root) == files
    # htmx: the message goes into the error region (htmx swaps only 2xx answers)
    response = _submit(alice_client, keys[2], **HX)
    assert response.status_code == 200 and response.content.decode().lstrip().startswith('<div id="upload-errors"')
    assert "sharing posts too quickly" in response.content.decode()
    # a retry of a form that did post still leads to its post, even at the limit
    assert _submit(alice_client, keys[0]).status_code == 302


def test_rate_is_per_author(alice_client, bob, client, settings):
    settings.POST_CREATE_RATE = "1/h"
    assert _submit(alice_client, _key(alice_client.get(NEW).content.decode())).status_code == 302
    client.force_login(bob)
    assert _submit(client, _key(client.get(NEW).content.decode())).status_code == 302


def test_rate_limit_fails_open_when_the_cache_remembers_nothing(alice_client, settings):
    """While Redis is down the cache answers every read as a miss (instaclone.cache): posting goes on."""
    settings.POST_CREATE_RATE = "1/h"
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    for _ in range(3):
        assert _submit(alice_client, _key(alice_client.get(NEW).content.decode())).status_code == 302
    assert Post.objects.count() == 3


@pytest.mark.parametrize(
    "missing_ffprobe",
    [pytest.param(False, marks=pytest.mark.skipif(real_mp4() is None, reason="ffmpeg not installed")), True],
    ids=["fake-video", "no-ffprobe"],
)
def test_refused_video_is_named_next_to_its_file(alice_client, settings, tmp_path, media_root, missing_ffprobe):
    content = MP4_HEADER + b"<html><script>alert(1)</script></html>"
    message = "This file isn&#x27;t a video we can play."
    if missing_ffprobe:
        settings.FFPROBE_PATH = str(tmp_path / "missing")
        message = "Videos can&#x27;t be accepted on this server right now."
    response = alice_client.post(NEW, {"caption": "", "media": [jpeg(), upload("clip.mp4", content)]}, **HX)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-file-index="1"' in html and "clip.mp4" in html and message in html
    assert Post.objects.count() == 0 and post_files(media_root) == []
