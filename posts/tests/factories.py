"""Test helpers for posts: uploads of every kind (good and bad) and the factory_boy factories."""

from __future__ import annotations

import shutil
import struct
import subprocess
import zlib
from functools import lru_cache

import factory
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.tests.factories import UserFactory
from instaclone.testing import image_bytes, image_upload
from posts.models import Comment, Like, Post, Save


def png_header_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims width × height pixels (a decompression bomb's calling card)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 16)) + chunk(b"IEND", b"")


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def jpeg(name="photo.jpg", size=(64, 48), color=(200, 30, 60)) -> SimpleUploadedFile:
    return image_upload(name, "JPEG", size, color=color)


MP4_HEADER = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00\x00\x00\x08free"
MOV_HEADER = b"\x00\x00\x00\x14ftypqt  \x00\x00\x02\x00qt  " + b"\x00\x00\x00\x08wide"
WEBM_HEADER = b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\xf2\x81\x04\x42\xf3\x81\x08\x42\x82\x84webm"
MKV_HEADER = b"\x1a\x45\xdf\xa3\xa3\x42\x86\x81\x01\x42\xf7\x81\x01\x42\xf2\x81\x04\x42\xf3\x81\x08\x42\x82\x88matroska"


@lru_cache(maxsize=1)
def real_mp4() -> bytes | None:
    """A real 64×48, 0.2 s MP4 made by ffmpeg (None when ffmpeg is not installed)."""
    ffmpeg = shutil.which("ffmpeg")
    if not ffmpeg:
        return None
    result = subprocess.run(  # noqa: S603
        [ffmpeg, "-v", "error", "-f", "lavfi", "-i", "color=c=blue:s=64x48:d=0.2", "-pix_fmt", "yuv420p",
         "-movflags", "+faststart", "-f", "mp4", "-"],
        capture_output=True, timeout=30, check=False,
    )
    # MP4 to a pipe needs a seekable output for the moov box; fall back to fragmented MP4.
    if result.returncode != 0 or not result.stdout:
        result = subprocess.run(  # noqa: S603
            [ffmpeg, "-v", "error", "-f", "lavfi", "-i", "color=c=blue:s=64x48:d=0.2", "-pix_fmt", "yuv420p",
             "-movflags", "frag_keyframe+empty_moov", "-f", "mp4", "-"],
            capture_output=True, timeout=30, check=False,
        )
    return result.stdout if result.returncode == 0 and result.stdout else None


class PostFactory(factory.django.DjangoModelFactory):
    """A real post made by the service `posts.services.post_create` (images processed, hashtags and
    mentions parsed, counters and `post_created` as in production): `PostFactory(author=alice,
    caption="#sunset", images=2, alt="a tree")`."""

    class Meta:
        model = Post
        skip_postgeneration_save = True

    author = factory.SubFactory(UserFactory)
    caption = ""
    images = 1  # how many small real JPEGs to upload (an argument of the service, not a field)
    alt = ""  # alt text of every image (default "photo 1", "photo 2", ...)

    @classmethod
    def _create(cls, model_class, *, author, caption="", images=1, alt="", **kwargs):
        from posts.services import post_create

        files = [(jpeg(f"p{i}.jpg", color=(10 * i % 255, 80, 120)), alt or f"photo {i + 1}") for i in range(images)]
        return post_create(author=author, caption=caption, files=files, **kwargs)

    @factory.post_generation
    def hidden(obj, create, extracted, **kwargs):  # noqa: N805 - factory_boy hook
        """`hidden=True`: then hidden by moderators (the flag alone, as a test of what hiding does needs)."""
        if create and extracted:
            Post.objects.filter(pk=obj.pk).update(is_hidden=True)
            obj.is_hidden = True


class PostRowsFactory(factory.django.DjangoModelFactory):
    """A post written as rows only (no image processed, no service, no signal): `media` image rows
    whose renditions are names in the storage, `hidden=True` for a moderator-hidden post. Fast, for
    tests of likes, saves and comments and query counts, which never read the files; use
    `PostFactory` for anything that depends on what the service does."""

    class Meta:
        model = Post
        skip_postgeneration_save = True

    class Params:
        hidden = factory.Trait(is_hidden=True)

    author = factory.SubFactory(UserFactory)
    caption = ""
    media_count = factory.SelfAttribute("media")
    media = 1

    @classmethod
    def _create(cls, model_class, *args, media=1, **kwargs):
        from posts.models import PostMedia

        post = model_class.objects.create(*args, **kwargs)
        for i in range(media):
            PostMedia.objects.create(
                post=post, position=i, file=f"posts/p{post.pk}-{i}.jpg", width=64, height=48,
                renditions={"320": f"posts/r/p{post.pk}-{i}-320.jpg", "640": f"posts/r/p{post.pk}-{i}-640.jpg",
                            "1080": f"posts/r/p{post.pk}-{i}-1080.jpg"},
            )
        return post


class CommentFactory(factory.django.DjangoModelFactory):
    """A comment made by the service `posts.services.comment_create` (mentions, counter, signal)."""

    class Meta:
        model = Comment

    author = factory.SubFactory(UserFactory)
    post = factory.SubFactory(PostRowsFactory)
    body = "nice"

    @classmethod
    def _create(cls, model_class, *, author, post, body="nice"):
        from posts.services import comment_create

        return comment_create(user=author, post_id=post.pk, body=body)


class LikeFactory(factory.django.DjangoModelFactory):
    """A like made by the service `posts.services.like_create` (counter, signal)."""

    class Meta:
        model = Like

    user = factory.SubFactory(UserFactory)
    post = factory.SubFactory(PostRowsFactory)

    @classmethod
    def _create(cls, model_class, *, user, post):
        from posts.services import like_create

        like_create(user=user, post_id=post.pk)
        return model_class.objects.get(user=user, post=post)


class SaveFactory(factory.django.DjangoModelFactory):
    """A save made by the service `posts.services.save_create` (the visibility check, the counter)."""

    class Meta:
        model = Save

    user = factory.SubFactory(UserFactory)
    post = factory.SubFactory(PostRowsFactory)

    @classmethod
    def _create(cls, model_class, *, user, post):
        from posts.services import save_create

        save_create(user=user, post_id=post.pk)
        return model_class.objects.get(user=user, post=post)


HX = {"HTTP_HX_REQUEST": "true"}  # the header htmx sends, as Django's test client takes it


def post_url(name, post, **kw) -> str:
    from django.urls import reverse

    return reverse(f"posts:{name}", kwargs={"pk": post.pk, **kw})


__all__ = [
    "HX", "CommentFactory", "LikeFactory", "PostFactory", "PostRowsFactory", "image_bytes", "image_upload", "jpeg",
    "png_header_claiming", "post_url", "real_mp4", "upload",
]


def post_files(root) -> list[str]:
    """Files under the media root except the shared default avatar (written once by any page)."""
    from instaclone.testing import stored_files

    return [name for name in stored_files(root) if not name.startswith("defaults/")]
