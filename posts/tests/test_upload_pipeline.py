"""The upload pipeline itself (instaclone.media.images / videos / renditions), without posts."""

import io
import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image

from instaclone.media import images, videos
from instaclone.media.images import UploadRejected, process_image
from instaclone.media.videos import process_video, sniff_video

from .factories import MKV_HEADER, MOV_HEADER, MP4_HEADER, WEBM_HEADER, png_header_claiming, real_mp4, upload


def _exif_jpeg(size=(64, 48)) -> bytes:
    img = Image.new("RGB", size, (10, 200, 10))
    img.paste((255, 0, 0), (0, 0, 8, 8))  # a red corner to follow through the rotation
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6  # "rotate 90° clockwise to display"
    exif[ExifTags.Base.Make] = "SpyCam"
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (51.0, 30.0, 0.0),
        ExifTags.GPS.GPSLongitudeRef: "W",
        ExifTags.GPS.GPSLongitude: (0.0, 7.0, 0.0),
    }
    out = io.BytesIO()
    img.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def test_exif_orientation_applied_and_gps_stripped(db):
    data = _exif_jpeg()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the fixture has GPS
    processed, _img = process_image(upload("holiday.jpg", data))
    out = Image.open(io.BytesIO(processed.content))
    assert (processed.width, processed.height) == (48, 64) == out.size  # rotated upright
    assert dict(out.getexif()) == {}
    assert b"SpyCam" not in processed.content and b"Exif" not in processed.content
    assert "exif" not in out.info and "icc_profile" not in out.info


def test_long_edge_capped(settings):
    settings.IMAGE_MAX_EDGE = 100
    processed, _ = process_image(upload("big.png", _png((400, 200))))
    assert (processed.width, processed.height) == (100, 50)


def _png(size):
    out = io.BytesIO()
    Image.new("RGB", size, (1, 2, 3)).save(out, format="PNG")
    return out.getvalue()


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_raster_formats_accepted_by_content_whatever_the_name(fmt):
    out = io.BytesIO()
    Image.new("RGB", (30, 20)).save(out, format=fmt)
    processed, _ = process_image(upload("no-extension", out.getvalue()))
    assert (processed.width, processed.height) == (30, 20)
    assert processed.content.startswith(b"\xff\xd8")  # re-encoded as JPEG


@pytest.mark.skipif(not images.HEIC_SUPPORTED, reason="pillow-heif not installed")
def test_heic_accepted():
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (5, 5, 5)).save(out, format="HEIF")
    processed, _ = process_image(upload("IMG_0001.HEIC", out.getvalue()))
    assert (processed.width, processed.height) == (40, 30)


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"", "empty"),
        (b"just some text, renamed to .jpg", "type"),
        (b"<!doctype html><html><script>alert(1)</script></html>", "type"),
        (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><circle r="4"/></svg>', "type"),
        (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "type"),
        (b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "type"),
    ],
    ids=["zero-bytes", "text", "html", "svg-xml", "svg", "gif"],
)
def test_non_photos_rejected(content, code):
    with pytest.raises(UploadRejected) as exc:
        process_image(upload("photo.jpg", content))
    assert exc.value.code == code
    assert exc.value.messages[0]


def test_truncated_jpeg_rejected():
    out = io.BytesIO()
    Image.effect_noise((300, 300), 60).convert("RGB").save(out, format="JPEG")
    data = out.getvalue()
    with pytest.raises(UploadRejected) as exc:
        process_image(upload("cut.jpg", data[: len(data) // 2]))
    assert exc.value.code == "broken"


def test_decompression_bomb_rejected_before_decoding():
    with pytest.raises(UploadRejected) as exc:
        process_image(upload("bomb.png", png_header_claiming(20_000, 20_000)))
    assert exc.value.code == "pixels"
    assert "too big" in exc.value.messages[0]


def test_file_over_the_size_cap_rejected_without_reading(settings):
    settings.IMAGE_MAX_BYTES = 1000
    with pytest.raises(UploadRejected) as exc:
        process_image(upload("big.png", _png((200, 200)) + b"\x00" * 2000))
    assert exc.value.code == "too_large"
    assert "too large" in exc.value.messages[0]


# --- videos -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (MP4_HEADER, ("mp4", "video/mp4")),
        (MOV_HEADER, ("mov", "video/quicktime")),
        (WEBM_HEADER, ("webm", "video/webm")),
        (MKV_HEADER, None),
        (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic", None),  # a HEIC photo, not a video
        (b"<html>", None),
        (b"", None),
    ],
    ids=["mp4", "mov", "webm", "mkv", "heic", "html", "empty"],
)
def test_video_recognised_by_leading_bytes(head, expected):
    assert sniff_video(head) == expected


FAKE_MP4 = MP4_HEADER + b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
FAKE_WEBM = WEBM_HEADER + b"<html><body><script>alert(document.cookie)</script></body></html>"
needs_ffmpeg = pytest.mark.skipif(real_mp4() is None, reason="ffmpeg not installed")


@needs_ffmpeg
@pytest.mark.parametrize("content", [FAKE_MP4, FAKE_WEBM], ids=["ftyp-then-html", "ebml-then-html"])
def test_video_header_followed_by_a_web_page_is_refused(content):
    assert videos.is_video(upload("clip.mp4", content))  # the leading bytes alone look like a video
    with pytest.raises(UploadRejected) as exc:
        process_video(upload("clip.mp4", content))
    assert exc.value.code == "not_a_video"
    assert exc.value.messages[0] == "This file isn't a video we can play. Upload an MP4, MOV or WebM video."


def _ffmpeg(tmp_path, name, *args) -> bytes:
    path = tmp_path / name
    subprocess.run(["/usr/bin/ffmpeg", "-v", "error", "-y", *args, str(path)], check=True, timeout=30)  # noqa: S603
    return path.read_bytes()


@needs_ffmpeg
def test_audio_only_mp4_is_refused(tmp_path):
    content = _ffmpeg(tmp_path, "sound.m4a", "-f", "lavfi", "-i", "sine=d=0.3", "-c:a", "aac", "-f", "mp4")
    with pytest.raises(UploadRejected) as exc:
        process_video(upload("clip.mp4", content))
    assert exc.value.code == "not_a_video"


@needs_ffmpeg
def test_real_webm_accepted_with_its_size(tmp_path):
    content = _ffmpeg(tmp_path, "clip.webm", "-f", "lavfi", "-i", "color=c=red:s=80x60:d=0.2", "-c:v", "libvpx")
    video = process_video(upload("clip.webm", content))
    assert (video.extension, video.width, video.height) == ("webm", 80, 60)


@needs_ffmpeg
def test_video_longer_than_the_limit_is_refused(settings):
    settings.VIDEO_MAX_SECONDS = 0.1  # the test clip lasts 0.2 s
    with pytest.raises(UploadRejected) as exc:
        process_video(upload("clip.mp4", real_mp4()))
    assert exc.value.code == "too_long"
    assert "too long" in exc.value.messages[0]


def test_without_ffprobe_videos_are_refused_not_accepted_blind(settings, tmp_path):
    settings.FFPROBE_PATH = str(tmp_path / "no-ffprobe-here")
    with pytest.raises(UploadRejected) as exc:
        process_video(upload("clip.mp4", real_mp4() or MP4_HEADER + b"\x00" * 64))
    assert exc.value.code == "video_unavailable"
    assert exc.value.messages[0] == "Videos can't be accepted on this server right now."


def test_a_hanging_ffprobe_is_stopped_by_the_timeout(settings, tmp_path):
    import time

    hang = tmp_path / "ffprobe"
    hang.write_text("#!/bin/sh\nsleep 30\n")
    hang.chmod(0o755)
    settings.FFPROBE_PATH = str(hang)
    settings.VIDEO_PROBE_TIMEOUT = 0.5
    started = time.monotonic()
    with pytest.raises(UploadRejected) as exc:
        process_video(upload("clip.mp4", real_mp4() or MP4_HEADER + b"\x00" * 64))
    assert time.monotonic() - started < 5
    assert exc.value.code == "probe_timeout"


def test_video_over_the_cap_rejected(settings):
    settings.VIDEO_MAX_BYTES = 100
    with pytest.raises(UploadRejected) as exc:
        process_video(upload("clip.mp4", MP4_HEADER + b"\x00" * 200))
    assert exc.value.code == "too_large"


def test_renamed_text_is_not_a_video():
    assert not videos.is_video(SimpleUploadedFile("clip.mp4", b"not a video at all"))


@pytest.mark.skipif(real_mp4() is None, reason="ffmpeg not installed")
def test_real_video_gets_dimensions_and_poster():
    video = process_video(upload("clip.mp4", real_mp4()))
    assert (video.width, video.height) == (64, 48)
    assert video.poster and video.poster.startswith(b"\xff\xd8")


@pytest.mark.parametrize("mode", ["RGBA", "LA", "P"])
def test_transparent_images_reduced_strip_by_strip_and_flattened_on_white(settings, mode):
    settings.IMAGE_MAX_EDGE = 100
    img = Image.new("RGBA", (450, 300), (0, 0, 255, 255))
    img.paste((0, 0, 0, 0), (0, 0, 450, 150))  # top half fully transparent
    img = img.convert(mode) if mode != "P" else img.convert("P", palette=Image.Palette.ADAPTIVE, colors=2)
    out = io.BytesIO()
    if mode == "P":
        img.save(out, format="PNG", transparency=img.getpixel((0, 0)))
    else:
        img.save(out, format="PNG")
    processed, clean = process_image(upload("t.png", out.getvalue()))
    assert (processed.width, processed.height) == (100, 67)
    assert clean.mode == "RGB"
    assert clean.getpixel((50, 5)) == (255, 255, 255)  # transparent → white
    assert clean.getpixel((50, 60)) != (255, 255, 255)


def test_large_jpeg_decoded_at_reduced_scale_keeps_its_shape(settings):
    settings.IMAGE_MAX_EDGE = 200
    settings.IMAGE_MAX_PIXELS = 100_000  # 1.9 MP declared, but decoded at 1/8 scale: 200×150 = 30,000
    out = io.BytesIO()
    Image.new("RGB", (1600, 1200), (10, 200, 30)).save(out, format="JPEG")
    processed, _ = process_image(upload("big.jpg", out.getvalue()))
    assert (processed.width, processed.height) == (200, 150)


def test_png_over_the_pixel_limit_refused_webp_at_a_quarter(settings):
    settings.IMAGE_MAX_PIXELS = 40_000
    assert images.pixel_limit("PNG") == 40_000
    assert images.pixel_limit("WEBP") == 10_000
    ok = io.BytesIO()
    Image.new("RGB", (200, 200)).save(ok, format="PNG")
    process_image(upload("ok.png", ok.getvalue()))
    webp = io.BytesIO()
    Image.new("RGB", (200, 200)).save(webp, format="WEBP")
    with pytest.raises(UploadRejected) as exc:
        process_image(upload("big.webp", webp.getvalue()))
    assert exc.value.code == "pixels"
