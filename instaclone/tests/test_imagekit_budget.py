"""A slow or failing ImageKit costs a bounded time: every call has a timeout, all calls of one request
share one budget, an outage trips a circuit breaker, and pages never call the API to render."""

import time

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse

from instaclone.media import imagekit
from instaclone.media.files import StorageError
from instaclone.testing import image_upload, make_user
from posts.models import Post

FOLDER = "/instaclone-test"


def test_the_default_budget_fits_well_inside_gunicorns_30_second_timeout():
    from django.conf import settings

    per_call = settings.IMAGEKIT_TIMEOUT * (settings.IMAGEKIT_MAX_RETRIES + 1)
    assert per_call <= settings.IMAGEKIT_REQUEST_BUDGET
    assert settings.IMAGEKIT_REQUEST_BUDGET + settings.IMAGEKIT_CLEANUP_GRACE <= 25


def test_calls_in_one_request_share_one_budget_and_a_late_upload_leaves_nothing(
    fake_imagekit, alice_client, settings
):
    settings.IMAGEKIT_REQUEST_BUDGET = 1.0
    settings.IMAGEKIT_CLEANUP_GRACE = 3.0
    fake_imagekit.hang(seconds=0.3, then_store=True)  # every call is carried out, and answered late
    photos = [image_upload(f"p{i}.jpg", color=(i * 20, 10, 10)) for i in range(6)]  # 6 × 0.3 s > 1 s

    started = time.monotonic()
    response = alice_client.post(reverse("posts:new"), {"caption": "slow", "media": photos})
    elapsed = time.monotonic() - started

    assert response.status_code == 400
    assert "took too long to answer" in response.content.decode()
    assert elapsed < 1.0 + 3.0 + 0.5  # the budget, plus the clean-up grace (and a margin for a busy CI)
    assert len(fake_imagekit.uploads()) < 6  # calls that no longer fit were never made
    assert not Post.objects.exists()
    fake_imagekit.heal()
    assert [p for p in fake_imagekit.paths() if "/posts/" in p] == []  # what was stored was deleted


def test_a_call_that_no_longer_fits_the_budget_is_not_made(fake_imagekit):
    with imagekit.budget(0.0), pytest.raises(StorageError, match="took too long"):
        default_storage.save("posts/late.jpg", ContentFile(b"data"))

    assert fake_imagekit.requests == []


def test_an_outage_costs_one_call_then_fails_fast_until_the_cooldown_ends(fake_imagekit, settings):
    settings.IMAGEKIT_FAILURE_COOLDOWN = 0.5
    fake_imagekit.hang(seconds=3)

    started = time.monotonic()
    with pytest.raises(StorageError, match="took too long"):
        default_storage.save("posts/one.jpg", ContentFile(b"data"))
    for _ in range(5):
        with pytest.raises(StorageError, match="not answering right now"):
            default_storage.save("posts/two.jpg", ContentFile(b"data"))
    assert time.monotonic() - started < 1.5  # one timeout (0.5 s), then no waiting at all
    assert len(fake_imagekit.uploads()) == 1

    fake_imagekit.heal()
    time.sleep(0.6)
    assert default_storage.save("posts/three.jpg", ContentFile(b"data")) == "posts/three.jpg"


@pytest.mark.django_db
def test_a_feed_with_twenty_default_avatars_renders_fast_with_no_api_call_while_imagekit_hangs(
    fake_imagekit, client
):
    from social.tests.factories import follow

    viewer = make_user("viewer")
    authors = [make_user(f"author{i}") for i in range(20)]
    for author in authors:
        follow(viewer, author)
    from posts.services import post_create

    for author in authors:
        post_create(author=author, caption="hi", files=[(image_upload(), "")])
    client.force_login(viewer)
    fake_imagekit.hang(seconds=3)
    before = len(fake_imagekit.requests)

    started = time.monotonic()
    response = client.get("/")
    elapsed = time.monotonic() - started

    assert response.status_code == 200
    assert response.content.decode().count("/static/img/default-avatar.png") >= 12  # one per card
    assert len(fake_imagekit.requests) == before  # no API call at all
    assert elapsed < 1.0


def test_a_server_that_answers_a_byte_at_a_time_is_cut_off_at_the_budget_and_its_upload_undone(
    fake_imagekit, settings
):
    """The fake stands for ImageKit on a congested link: every read gets a byte before its timeout,
    so only a wall-clock limit on the whole call stops it."""
    settings.IMAGEKIT_TIMEOUT = 1.0
    settings.IMAGEKIT_CLEANUP_GRACE = 0.5
    fake_imagekit.drip(0.2)  # the upload's ~300-byte answer would take about a minute

    started = time.monotonic()
    with imagekit.budget(1.5), pytest.raises(StorageError, match="took too long"):
        default_storage.save("posts/drip.jpg", ContentFile(b"data"))
    assert time.monotonic() - started < 1.5 + 0.5 + 1.0  # the budget, the clean-up grace, a margin

    fake_imagekit.heal()  # the rest of the answer arrives; the abandoned upload is then deleted
    deadline = time.monotonic() + 5
    while any(p.endswith("/posts/drip.jpg") for p in fake_imagekit.paths()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(p.endswith("/posts/drip.jpg") for p in fake_imagekit.paths())
