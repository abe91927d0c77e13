"""Test archives for the import tests, written with zipfile the way Instagram and Instaclone write
theirs (a helper module, not a test module: test_import*.py and test_browser_import.py use it)."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime

from PIL import Image

LAYOUTS = {
    "content": "content/posts_1.json",  # 2022-2023
    "activity": "your_instagram_activity/content/posts_1.json",  # 2024 on
    "activity-media": "your_instagram_activity/media/posts_1.json",
    "media": "media/posts_1.json",
}


def ts(year, month, day, hour=12) -> int:
    return int(datetime(year, month, day, hour, tzinfo=UTC).timestamp())


def instagram_text(text: str) -> str:
    """How Instagram writes text: each UTF-8 byte as a Latin-1 code point (json.dumps then escapes
    it as "\\u00c3\\u00a9" for "é")."""
    return text.encode("utf-8").decode("latin-1")


def jpeg_bytes(size=(40, 30), color=(200, 30, 60), exif_gps=False) -> bytes:
    img = Image.new("RGB", size, color)
    buf = io.BytesIO()
    kwargs = {}
    if exif_gps:
        exif = Image.Exif()
        exif[0x010F] = "PhoneMaker"  # Make
        exif.get_ifd(0x8825)[2] = (52.0, 22.0, 5.0)  # GPS latitude
        kwargs["exif"] = exif.tobytes()
    img.save(buf, "JPEG", **kwargs)
    return buf.getvalue()


def write_zip(path, files: dict[str, bytes | str]) -> str:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return str(path)


def instagram_posts(mp4: bytes | None = None) -> tuple[list, dict]:
    """The standard archive's posts (newest first, as Instagram lists them) and its media files:

    - 2019-06-01 a single photo whose caption (escaped) is on its media item: "Café ☕ 😊 #coffee with @bob";
    - 2020-03-10 a carousel of three photos (40, 50, 60 px wide, in that order), caption at the top;
    - 2021-01-01 a video (when `mp4` is given);
    - 2021-05-05 a "photo" that is not an image;
    - 2021-06-06 a photo whose file is missing from the ZIP.
    """
    files = {
        "media/posts/201906/single.jpg": jpeg_bytes((40, 30), (10, 120, 200), exif_gps=True),
        "media/posts/202003/one.jpg": jpeg_bytes((40, 40), (255, 0, 0)),
        "media/posts/202003/two.jpg": jpeg_bytes((50, 40), (0, 255, 0)),
        "media/posts/202003/three.jpg": jpeg_bytes((60, 40), (0, 0, 255)),
        "media/posts/202105/broken.jpg": b"this is not a photo at all",
    }
    posts = [
        {"media": [{"uri": "media/posts/202106/gone.jpg", "creation_timestamp": ts(2021, 6, 6), "title": "Lost one"}]},
        {"media": [{"uri": "media/posts/202105/broken.jpg", "creation_timestamp": ts(2021, 5, 5), "title": "Broken"}]},
    ]
    if mp4:
        files["media/posts/202101/clip.mp4"] = mp4
        posts.append({"media": [{"uri": "media/posts/202101/clip.mp4", "creation_timestamp": ts(2021, 1, 1), "title": "Waves #sea"}]})
    posts.append({
        "title": instagram_text("Trip to Zürich #travel"),
        "creation_timestamp": ts(2020, 3, 10),
        "media": [
            {"uri": f"media/posts/202003/{n}.jpg", "creation_timestamp": ts(2020, 3, 10), "title": "",
             "media_metadata": {"photo_metadata": {"exif_data": [{"latitude": 47.37, "longitude": 8.54}]}}}
            for n in ("one", "two", "three")
        ],
    })
    posts.append({
        "media": [{"uri": "media/posts/201906/single.jpg", "creation_timestamp": ts(2019, 6, 1),
                   "title": instagram_text("Café ☕ 😊 #coffee with @bob"), "cross_post_source": {"source_app": "FB"}}],
    })
    # Instagram lists newest first
    posts.sort(key=lambda p: -(p.get("creation_timestamp") or p["media"][0]["creation_timestamp"]))
    return posts, files


def instagram_zip(path, *, layout="content", mp4: bytes | None = None, root: str = "", posts=None, files=None) -> str:
    """Write an Instagram "Download your information" ZIP (JSON) at `path`; `root` wraps it in a folder."""
    if posts is None:
        posts, files = instagram_posts(mp4)
    members = {root + LAYOUTS[layout]: json.dumps(posts)}  # ensure_ascii: "\u00c3\u00a9" as Instagram writes
    members |= {root + name: data for name, data in (files or {}).items()}
    members[root + "personal_information/personal_information/personal_information.json"] = json.dumps(
        {"profile_user": [{"string_map_data": {"Username": {"value": "alice_ig"}}}]}
    )
    return write_zip(path, members)


def instaclone_zip(path, posts: list[dict], files: dict[str, bytes]) -> str:
    """An Instaclone export (docs/export.md) with `posts` (oldest first) and their media files."""
    members = {
        "profile.json": json.dumps({"format": "instaclone-export", "version": 1, "username": "alice"}),
        "posts.json": json.dumps(posts),
        "index.html": "<!doctype html><title>export</title>",
    }
    members |= files
    return write_zip(path, members)
