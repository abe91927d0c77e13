"""Renditions: local copies made once at upload; a storage with rendition_url (ImageKit) builds
URLs instead. Pages never point at an image's original file."""

import pytest
from django.core.files.storage import FileSystemStorage

from instaclone.media.renditions import rendition_srcset, rendition_url
from posts.models import PostMedia

from .factories import PostFactory, jpeg, real_mp4, upload


class OnTheFlyStorage(FileSystemStorage):
    """Stands in for the ImageKit storage: renders any width from the stored name."""

    def rendition_url(self, name, width):
        return f"https://ik.example/{name}?tr=w-{width}"

    def video_poster_url(self, name, width):
        return f"https://ik.example/{name}/ik-thumbnail.jpg?tr=w-{width}"


def _use_on_the_fly_storage(settings):
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": f"{__name__}.OnTheFlyStorage"}}


def test_local_srcset_lists_real_widths(alice):
    post = PostFactory(author=alice)
    big = PostMedia.objects.get(post=post)
    assert rendition_srcset(big).endswith(" 64w")  # a 64 px photo is never upscaled
    from posts.services import post_create

    wide = post_create(author=alice, caption="", files=[(jpeg(size=(1600, 1200)), "")]).media.get()
    srcset = rendition_srcset(wide)
    assert [part.rsplit(" ", 1)[1] for part in srcset.split(", ")] == ["320w", "640w", "1080w"]
    assert rendition_url(wide, 300).endswith(wide.renditions["320"])
    assert rendition_url(wide, 2000).endswith(wide.renditions["1080"])


def test_on_the_fly_storage_stores_no_copies_and_builds_urls(alice, settings, media_root, client):
    _use_on_the_fly_storage(settings)
    post = PostFactory(author=alice)
    media = post.media.get()
    assert media.renditions == {}
    assert rendition_url(media, 640) == f"https://ik.example/{media.file}?tr=w-640"
    html = client.get(f"/p/{post.pk}/").content.decode()
    assert f"https://ik.example/{media.file}?tr=w-1080" in html
    assert f"https://ik.example/{media.file}?tr=w-320 64w" in html


@pytest.mark.skipif(real_mp4() is None, reason="ffmpeg not installed")
def test_video_detail_has_controls_and_grid_has_video_badge(alice, client):
    from posts.services import post_create

    post = post_create(author=alice, caption="", files=[(upload("clip.webm", real_mp4()), "My clip")])
    media = post.media.get()
    html = client.get(f"/p/{post.pk}/").content.decode()
    assert "<video" in html and " controls" in html and f"/media/{media.file}" in html
    assert 'aria-label="My clip"' in html
    grid = client.get("/alice/").content.decode()
    assert 'title="Video"' in grid
