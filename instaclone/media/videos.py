"""Video uploads: MP4, MOV and WebM, recognised by their leading bytes (never by file name), with
a size cap (VIDEO_MAX_BYTES). Anything else is rejected with a message for the person.

When ffprobe/ffmpeg are installed (Debian: apt-get install ffmpeg) the video's width and height are
read and one poster frame is taken for thumbnails; without them videos are still accepted, with
unknown dimensions and no poster. The bytes are stored as uploaded (no transcoding).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess  # noqa: S404 - fixed argument lists, no shell
import tempfile
from dataclasses import dataclass

from django.conf import settings

from .images import UploadRejected, _mb

log = logging.getLogger(__name__)

# ISO base media "ftyp" brands that are still images (HEIC, AVIF), not videos.
_IMAGE_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1", b"avif", b"avis"}
EBML_MAGIC = b"\x1a\x45\xdf\xa3"
PROBE_TIMEOUT = 15


@dataclass(frozen=True)
class ProcessedVideo:
    content: bytes
    extension: str
    content_type: str
    width: int = 0
    height: int = 0
    poster: bytes | None = None  # a JPEG frame, when ffmpeg is available


def sniff_video(head: bytes) -> tuple[str, str] | None:
    """(extension, content type) if the leading bytes are an MP4, MOV or WebM container."""
    if len(head) >= 12 and head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in _IMAGE_BRANDS:
            return None
        if brand == b"qt  ":
            return "mov", "video/quicktime"
        return "mp4", "video/mp4"
    if len(head) >= 12 and head[4:8] in (b"moov", b"mdat", b"wide", b"free"):
        return "mov", "video/quicktime"  # old QuickTime files start with an atom other than ftyp
    if head.startswith(EBML_MAGIC):
        # The EBML header names its DocType near the start; Matroska (.mkv) is not accepted.
        return ("webm", "video/webm") if b"webm" in head[:64] else None
    return None


def is_video(upload) -> bool:
    upload.seek(0)
    head = upload.read(64)
    upload.seek(0)
    return sniff_video(head) is not None


def process_video(upload, *, max_bytes: int | None = None) -> ProcessedVideo:
    max_bytes = max_bytes or settings.VIDEO_MAX_BYTES
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes:
        raise UploadRejected(
            f"This video is too large ({_mb(size)}). The limit is {_mb(max_bytes)}.", code="too_large"
        )
    upload.seek(0)
    data = upload.read(max_bytes + 1)
    if not data:
        raise UploadRejected("This file is empty.", code="empty")
    if len(data) > max_bytes:
        raise UploadRejected(f"This video is too large. The limit is {_mb(max_bytes)}.", code="too_large")
    kind = sniff_video(data[:64])
    if kind is None:
        raise UploadRejected("This video format isn't supported. Upload an MP4, MOV or WebM video.", code="type")
    extension, content_type = kind
    width, height, poster = _probe(data, extension)
    return ProcessedVideo(data, extension, content_type, width, height, poster)


def _probe(data: bytes, extension: str) -> tuple[int, int, bytes | None]:
    """Width, height and a poster frame via ffprobe/ffmpeg; (0, 0, None) when unavailable or failing."""
    ffprobe, ffmpeg = shutil.which("ffprobe"), shutil.which("ffmpeg")
    if not (ffprobe and ffmpeg) or not getattr(settings, "VIDEO_PROBE", True):
        return 0, 0, None
    fd, path = tempfile.mkstemp(suffix=f".{extension}")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        probe = subprocess.run(  # noqa: S603 - fixed arguments
            [ffprobe, "-v", "error", "-select_streams", "v:0", "-show_entries", "stream=width,height:stream_tags=rotate",
             "-of", "json", path],
            capture_output=True, timeout=PROBE_TIMEOUT, check=False,
        )
        streams = json.loads(probe.stdout or b"{}").get("streams") or []
        if probe.returncode != 0 or not streams:
            return 0, 0, None
        width, height = int(streams[0].get("width") or 0), int(streams[0].get("height") or 0)
        rotate = str((streams[0].get("tags") or {}).get("rotate") or "0")
        if rotate.lstrip("-") in ("90", "270"):  # phone videos: stored sideways, shown upright
            width, height = height, width
        frame = subprocess.run(  # noqa: S603 - fixed arguments
            [ffmpeg, "-v", "error", "-i", path, "-frames:v", "1", "-f", "image2pipe", "-vcodec", "mjpeg", "-"],
            capture_output=True, timeout=PROBE_TIMEOUT, check=False,
        )
        poster = frame.stdout if frame.returncode == 0 and frame.stdout else None
        return width, height, poster
    except (OSError, ValueError, subprocess.SubprocessError):
        log.warning("could not probe an uploaded video", exc_info=True)
        return 0, 0, None
    finally:
        os.unlink(path)
