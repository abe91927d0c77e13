"""Posts stored on ImageKit, through the real new-post view, against the fake ImageKit server."""

import html
import re

import pytest
from django.urls import reverse

from instaclone.testing import image_upload
from posts.models import Post, PostMedia

FOLDER = "/instaclone-test"


def post_paths(fake):
    return [p for p in fake.paths() if p.startswith(f"{FOLDER}/posts/")]


def shown_errors(response) -> list[str]:
    return re.findall(r'role="alert"[^>]*>(.*?)</', response.content.decode(), flags=re.S)


def new_post(client, *uploads, caption="On ImageKit #cloud"):
    data = {"caption": caption, "media": list(uploads)}
    data.update({f"alt_text_{i}": f"picture {i}" for i in range(len(uploads))})
    return client.post(reverse("posts:new"), data)


@pytest.fixture
def warm_client(alice_client, fake_imagekit):
    """Alice has the new-post page open (its navigation stored the default avatar then)."""
    assert alice_client.get(reverse("posts:new")).status_code == 200
    return alice_client


def test_new_post_stores_its_photos_on_imagekit_and_pages_use_imagekit_renditions(warm_client, fake_imagekit):
    response = new_post(warm_client, image_upload("a.jpg"), image_upload("b.png", "PNG"))

    assert response.status_code == 302, shown_errors(response)
    post = Post.objects.get()
    names = list(post.media.order_by("position").values_list("file", flat=True))
    assert post_paths(fake_imagekit) == sorted(f"{FOLDER}/{name}" for name in names)
    page = html.unescape(warm_client.get(post.get_absolute_url()).content.decode())
    assert f"{fake_imagekit.url_endpoint}{FOLDER}/{names[0]}?tr=w-640,q-auto,f-auto&ik-s=" in page


def test_new_post_during_an_imagekit_outage_shows_a_clear_error_and_creates_nothing(warm_client, fake_imagekit):
    fake_imagekit.outage()

    response = new_post(warm_client, image_upload())

    assert response.status_code == 400
    assert "The image service is having problems" in response.content.decode()
    assert not Post.objects.exists() and not PostMedia.objects.exists()
    fake_imagekit.heal()
    assert post_paths(fake_imagekit) == []


def test_new_post_timing_out_shows_a_clear_error_and_creates_nothing(warm_client, fake_imagekit):
    fake_imagekit.hang(seconds=3)

    response = new_post(warm_client, image_upload())

    assert response.status_code == 400
    assert "took too long to answer" in response.content.decode()
    assert not Post.objects.exists()
    fake_imagekit.heal()
    assert post_paths(fake_imagekit) == []


def test_an_outage_on_the_second_photo_removes_the_first_from_imagekit(warm_client, fake_imagekit):
    fake_imagekit.fail_next(1, after=1)  # the first upload goes through, the second gets a 503

    response = new_post(warm_client, image_upload("a.jpg"), image_upload("b.jpg"))

    assert response.status_code == 400
    assert not Post.objects.exists()
    assert [r.status for r in fake_imagekit.uploads(f"{FOLDER}/posts")] == [200, 503]
    assert post_paths(fake_imagekit) == []


def test_deleting_a_post_deletes_its_files_on_imagekit(warm_client, fake_imagekit, django_capture_on_commit_callbacks):
    new_post(warm_client, image_upload("a.jpg"), image_upload("b.jpg"))
    post = Post.objects.get()
    assert len(post_paths(fake_imagekit)) == 2

    with django_capture_on_commit_callbacks(execute=True):
        response = warm_client.post(reverse("posts:delete", args=[post.pk]))

    assert response.status_code == 302
    assert post_paths(fake_imagekit) == []


def test_a_video_post_is_stored_on_imagekit_with_an_imagekit_poster_frame(warm_client, fake_imagekit):
    from posts.tests.factories import real_mp4, upload

    if real_mp4() is None:
        pytest.skip("needs ffmpeg to make a real video")
    response = new_post(warm_client, upload("clip.mp4", real_mp4(), "video/mp4"))

    assert response.status_code == 302, shown_errors(response)
    media = PostMedia.objects.get()
    assert media.file.startswith("posts/videos/") and media.file.endswith(".mp4")
    assert f"{FOLDER}/{media.file}" in fake_imagekit.paths()
    assert fake_imagekit.file_at(f"{FOLDER}/{media.file}").mime == "video/mp4"
    page = html.unescape(warm_client.get(media.post.get_absolute_url()).content.decode())
    video_url = f"{fake_imagekit.url_endpoint}{FOLDER}/{media.file}"
    assert f'src="{video_url}?ik-s=' in page  # signed (no expiry: alice's account is public)
    assert f'poster="{video_url}/ik-thumbnail.jpg?tr=w-1080,q-auto,f-auto&ik-s=' in page
