"""Test helpers for posts: uploads of every kind (good and bad) and a post factory."""

from __future__ import annotations

import shutil
import struct
import subprocess
import zlib
from functools import lru_cache

from django.core.files.uploadedfile import SimpleUploadedFile

from instaclone.testing import image_bytes, image_upload


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


def make_post(author, *, caption: str = "", n: int = 1, alt: str = ""):
    from posts.services import post_create

    files = [(jpeg(f"p{i}.jpg", color=(10 * i % 255, 80, 120)), alt or f"photo {i + 1}") for i in range(n)]
    return post_create(author=author, caption=caption, files=files)


def quick_post(author, caption: str = "", *, hidden: bool = False, media: int = 1):
    """A post written as rows (no image is processed): `media` image rows whose renditions are names in
    the storage. For tests of likes, saves and comments, which never read the files; `make_post`
    goes through the real service."""
    from posts.models import Post, PostMedia

    post = Post.objects.create(author=author, caption=caption, is_hidden=hidden, media_count=media)
    for i in range(media):
        PostMedia.objects.create(
            post=post, position=i, file=f"posts/p{post.pk}-{i}.jpg", width=64, height=48,
            renditions={"320": f"posts/r/p{post.pk}-{i}-320.jpg", "640": f"posts/r/p{post.pk}-{i}-640.jpg",
                        "1080": f"posts/r/p{post.pk}-{i}-1080.jpg"},
        )
    return post


HX = {"HTTP_HX_REQUEST": "true"}  # the header htmx sends, as Django's test client takes it


def post_url(name, post, **kw) -> str:
    from django.urls import reverse

    return reverse(f"posts:{name}", kwargs={"pk": post.pk, **kw})


__all__ = [
    "HX", "image_bytes", "image_upload", "jpeg", "make_post", "png_header_claiming", "post_url", "quick_post", "real_mp4",
    "upload",
]


def post_files(root) -> list[str]:
    """Files under the media root except the shared default avatar (written once by any page)."""
    from instaclone.testing import stored_files

    return [name for name in stored_files(root) if not name.startswith("defaults/")]
