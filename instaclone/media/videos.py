"""Video uploads: MP4, MOV and WebM, recognised by their leading bytes (never by file name), with
a size cap (VIDEO_MAX_BYTES). Anything else is rejected with a message for the person.

Leading bytes are not enough (a `ftyp` box or an EBML header followed by a web page is not a
video), so every video is probed by ffprobe (FFPROBE_PATH; Debian: apt-get install ffmpeg) with the
container's demuxer forced and only local files allowed: it must have a real video stream (not just
cover art), a sane picture size (1 to VIDEO_MAX_EDGE pixels a side) and, when the container states
one, a duration of at most VIDEO_MAX_SECONDS. Without ffprobe videos are refused ("Videos can't be
accepted on this server right now"), never accepted blind. ffprobe and ffmpeg share one time budget
(VIDEO_PROBE_TIMEOUT seconds), well inside the request timeout. The upload is stored as it came.

Later, in a background task (posts.tasks), `transcode()` turns the stored original into a web-safe
MP4 that every browser plays: H.264 (yuv420p, High profile) and AAC, the long edge at most
VIDEO_WEB_EDGE (1080) pixels with even dimensions, upright (rotation applied), at most 60 frames a
second, `+faststart` (the index first, so playback starts before the download ends), without the
upload's metadata (GPS, device). It runs under a time limit (VIDEO_TRANSCODE_TIMEOUT) at a lower CPU
priority than the web processes; `poster_frame()` then takes the first frame for thumbnails.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess  # noqa: S404 - fixed argument lists, no shell
import tempfile
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings

from .images import UploadRejected, _mb, still_image

if TYPE_CHECKING:
    from PIL import Image

log = logging.getLogger(__name__)

# ISO base media "ftyp" brands that are still images (HEIC, AVIF), not videos.
_IMAGE_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1", b"avif", b"avis"}
EBML_MAGIC = b"\x1a\x45\xdf\xa3"
VIDEO_MAX_EDGE = 8192  # 8K; anything larger is not a phone or camera video
# ffmpeg's demuxer for each accepted container, forced so that content sniffing can never pick a
# playlist or concat demuxer that would open other files or URLs.
_DEMUXER = {"mp4": "mov", "mov": "mov", "webm": "matroska"}
NOT_A_VIDEO = "This file isn't a video we can play. Upload an MP4, MOV or WebM video."
UNAVAILABLE = "Videos can't be accepted on this server right now."


@dataclass(frozen=True)
class ProcessedVideo:
    content: bytes
    extension: str
    content_type: str
    width: int = 0
    height: int = 0
    poster: bytes | None = None  # a JPEG frame, when ffmpeg is available
    duration: float | None = None  # seconds, when the container states it


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


def process_video(
    upload, *, max_bytes: int | None = None, deadline: float | None = None, poster: bool = True,
    max_seconds: float | None = None,
) -> ProcessedVideo:
    """`deadline` (time.monotonic()) is shared by all videos of one request, so that a post of ten
    videos still probes within VIDEO_PROBE_TIMEOUT in all, not ten times that. `poster=False` skips
    the poster frame (posts take theirs from the transcoded video, in a task). `max_seconds`: a
    shorter limit than VIDEO_MAX_SECONDS (stories)."""
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
    width, height, frame, duration = _probe(data, extension, deadline, poster=poster, max_seconds=max_seconds)
    return ProcessedVideo(data, extension, content_type, width, height, frame, duration)


def _probe(
    data: bytes, extension: str, shared_deadline: float | None = None, *, poster: bool = True,
    max_seconds: float | None = None,
) -> tuple[int, int, bytes | None, float | None]:
    """Width and height (upright), a poster frame and the stated duration, or UploadRejected: not a
    playable video, too long, an absurd size, no ffprobe, or no answer within VIDEO_PROBE_TIMEOUT."""
    ffprobe = shutil.which(settings.FFPROBE_PATH)
    if not ffprobe:
        log.error("videos refused: ffprobe not found at %r (FFPROBE_PATH)", settings.FFPROBE_PATH)
        raise UploadRejected(UNAVAILABLE, code="video_unavailable")
    deadline = time.monotonic() + settings.VIDEO_PROBE_TIMEOUT
    if shared_deadline is not None:
        deadline = min(deadline, shared_deadline)
    fd, path = tempfile.mkstemp(suffix=f".{extension}")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        stream, duration = _read_stream(ffprobe, path, extension, deadline)
        width, height = _dimensions(stream)
        limit = min(settings.VIDEO_MAX_SECONDS, max_seconds or settings.VIDEO_MAX_SECONDS)
        if duration is not None and not 0 < duration <= limit:
            if duration <= 0:
                raise UploadRejected(NOT_A_VIDEO, code="not_a_video")
            raise UploadRejected(too_long_message(duration, limit), code="too_long")
        return width, height, (_poster(path, extension, deadline) if poster else None), duration
    finally:
        os.unlink(path)


def _run(args: list[str], deadline: float) -> subprocess.CompletedProcess:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise subprocess.TimeoutExpired(args[0], 0)
    return subprocess.run(args, capture_output=True, timeout=remaining, check=False, stdin=subprocess.DEVNULL)  # noqa: S603


def _read_stream(ffprobe: str, path: str, extension: str, deadline: float) -> tuple[dict, float | None]:
    args = [
        ffprobe, "-v", "error", "-protocol_whitelist", "file", "-f", _DEMUXER[extension],
        "-select_streams", "v:0", "-count_packets",
        "-show_entries",
        "format=duration:stream=codec_type,width,height,duration,nb_read_packets"
        ":stream_disposition=attached_pic:stream_tags=rotate:stream_side_data=rotation",
        "-of", "json", path,
    ]
    try:
        probe = _run(args, deadline)
    except subprocess.TimeoutExpired:
        log.warning("ffprobe gave no answer within VIDEO_PROBE_TIMEOUT (%ss)", settings.VIDEO_PROBE_TIMEOUT)
        raise UploadRejected(
            "We couldn't check this video in time. Try again, or upload a shorter video.", code="probe_timeout"
        ) from None
    except OSError:
        log.exception("could not run ffprobe")
        raise UploadRejected(UNAVAILABLE, code="video_unavailable") from None
    try:
        info = json.loads(probe.stdout or b"{}")
    except ValueError:
        info = {}
    streams = info.get("streams") or []
    stream = streams[0] if streams else {}
    if (
        probe.returncode != 0
        or stream.get("codec_type") != "video"
        or (stream.get("disposition") or {}).get("attached_pic")  # cover art of a sound file
        or not _number(stream.get("nb_read_packets"))
    ):
        raise UploadRejected(NOT_A_VIDEO, code="not_a_video")
    duration = _number((info.get("format") or {}).get("duration")) or _number(stream.get("duration"))
    return stream, duration


def _dimensions(stream: dict) -> tuple[int, int]:
    width, height = int(stream.get("width") or 0), int(stream.get("height") or 0)
    if not (0 < width <= VIDEO_MAX_EDGE and 0 < height <= VIDEO_MAX_EDGE):
        raise UploadRejected(
            f"This video's picture size ({width} × {height}) isn't supported.", code="dimensions"
        )
    rotation = str((stream.get("tags") or {}).get("rotate") or "0")
    for side_data in stream.get("side_data_list") or []:
        rotation = str(side_data.get("rotation", rotation))
    if rotation.lstrip("-") in ("90", "270"):  # phone videos: stored sideways, shown upright
        width, height = height, width
    return width, height


def _poster(path: str, extension: str, deadline: float) -> bytes | None:
    """One JPEG frame for thumbnails, when ffmpeg is installed and answers in time; else None."""
    ffmpeg = shutil.which(settings.FFMPEG_PATH)
    if not ffmpeg:
        return None
    args = [
        ffmpeg, "-v", "error", "-nostdin", "-protocol_whitelist", "file", "-f", _DEMUXER[extension], "-i", path,
        "-frames:v", "1", "-f", "image2pipe", "-vcodec", "mjpeg", "-",
    ]
    try:
        frame = _run(args, deadline)
    except (OSError, subprocess.SubprocessError):
        log.warning("could not take a poster frame of an uploaded video", exc_info=True)
        return None
    return frame.stdout if frame.returncode == 0 and frame.stdout else None


def _number(value) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def too_long_message(duration: float, limit: float) -> str:
    return f"This video is too long ({_clock(duration)}). The limit is {_clock(limit)}."


def _clock(seconds: float) -> str:
    seconds = max(0, round(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


# --- Transcoding (run by a background task, never in a request) --------------------------------

VIDEO_WEB_EDGE = 1080  # the long edge of the web copy, as Instagram's 1080 px
VIDEO_CRF = 23  # x264's default quality: visually clean for phone video at a moderate size
VIDEO_PRESET = "veryfast"  # about 3x faster than "medium" on 2 cores for ~10-15 % more bytes
VIDEO_MAX_FPS = 60
AUDIO_BITRATE = "128k"
# Scale so the long edge is at most VIDEO_WEB_EDGE (never up), both sides even (yuv420p needs it).
_SCALE = (
    f"scale=w='trunc(min(1,{VIDEO_WEB_EDGE}/max(iw,ih))*iw/2)*2'"
    f":h='trunc(min(1,{VIDEO_WEB_EDGE}/max(iw,ih))*ih/2)*2',setsar=1,format=yuv420p"
)


class TranscodeFailed(Exception):  # noqa: N818 - what happened to the video
    """ffmpeg could not make a web copy of the video (broken stream, unsupported codec, too slow).
    Its message is for staff (ffmpeg's own words); `reason` is the sentence for the person."""

    reason = "This video could not be processed: its format may not be supported, or the file may be damaged."

    def __init__(self, message: str, *, reason: str | None = None):
        super().__init__(message)
        if reason:
            self.reason = reason


@dataclass(frozen=True)
class WebVideo:
    width: int
    height: int
    duration: float | None = None  # seconds, as the web copy states it


def transcode_args(ffmpeg: str, source: str, extension: str, target: str) -> list[str]:
    """The ffmpeg command that writes `source` (an accepted upload) as a web-safe MP4 to `target`."""
    return [
        ffmpeg, "-v", "error", "-nostdin", "-y", "-protocol_whitelist", "file",
        "-f", _DEMUXER.get(extension, "mov"), "-i", source,
        "-map", "0:v:0", "-map", "0:a:0?", "-sn", "-dn", "-map_metadata", "-1", "-map_chapters", "-1",
        "-vf", _SCALE, "-fpsmax", str(VIDEO_MAX_FPS),
        "-c:v", "libx264", "-preset", VIDEO_PRESET, "-crf", str(VIDEO_CRF), "-profile:v", "high",
        "-pix_fmt", "yuv420p", "-threads", "2",
        "-c:a", "aac", "-b:a", AUDIO_BITRATE, "-ac", "2",
        "-movflags", "+faststart", "-f", "mp4", target,
    ]


def _lower_priority(args: list[str]) -> list[str]:
    nice = shutil.which("nice")
    return [nice, "-n", "10", *args] if nice else args


def transcode(source: str, extension: str, target: str, *, timeout: float | None = None) -> WebVideo:
    """Write the video at `source` (a local file) as a web-safe MP4 at `target`; return its picture
    size. Raises TranscodeFailed with a reason for staff (the author is told only that it failed)."""
    ffmpeg = shutil.which(settings.FFMPEG_PATH)
    ffprobe = shutil.which(settings.FFPROBE_PATH)
    if not ffmpeg or not ffprobe:
        raise TranscodeFailed(f"ffmpeg or ffprobe not found ({settings.FFMPEG_PATH!r}, {settings.FFPROBE_PATH!r})")
    limit = timeout if timeout is not None else settings.VIDEO_TRANSCODE_TIMEOUT
    args = transcode_args(ffmpeg, source, extension, target)
    try:
        result = subprocess.run(  # noqa: S603 - fixed argument list, no shell
            _lower_priority(args), capture_output=True, timeout=limit, check=False, stdin=subprocess.DEVNULL
        )
    except subprocess.TimeoutExpired:
        raise TranscodeFailed(
            f"ffmpeg did not finish within {limit:g} s (VIDEO_TRANSCODE_TIMEOUT)",
            reason="This video took too long to process. Try a shorter or smaller one.",
        ) from None
    except OSError as exc:
        raise TranscodeFailed(f"could not run ffmpeg: {exc}") from exc
    if result.returncode != 0 or not os.path.exists(target) or not os.path.getsize(target):
        detail = (result.stderr or b"").decode("utf-8", "replace").strip()[-500:]
        raise TranscodeFailed(f"ffmpeg exited with {result.returncode}: {detail or 'no output'}")
    try:
        stream, duration = _read_stream(ffprobe, target, "mp4", time.monotonic() + 30)
        width, height = _dimensions(stream)
    except UploadRejected as exc:
        raise TranscodeFailed(f"the transcoded file is not a playable video: {exc.messages[0]}") from None
    return WebVideo(width, height, duration)


def poster_frame(path: str, *, timeout: float = 30) -> bytes | None:
    """The first frame of a (transcoded) MP4 as JPEG bytes, or None."""
    return _poster(path, "mp4", time.monotonic() + timeout)


@dataclass(frozen=True)
class WebCopy:
    """A stored upload made playable (`web_copy`): the web MP4's bytes and its first frame."""

    content: bytes
    width: int
    height: int
    duration: float | None
    poster: Image.Image | None  # the first frame, decoded and cleaned (images.still_image), or None


def web_copy(original: bytes, extension: str, *, max_seconds: float | None = None,
             poster_max_edge: int | None = None) -> WebCopy:
    """The media tasks' one video step (posts' `post_media_process`, stories' `story_media_process`):
    a stored upload's bytes, written to a temporary directory, become a web MP4 (`transcode`) and
    its poster frame (`poster_frame`, decoded by `still_image` with its long edge at most
    `poster_max_edge`; None when there is none or it cannot be decoded). `max_seconds`: a web copy
    longer than that (an upload whose container stated no length) fails too. Raises TranscodeFailed
    (`reason` for the person); the temporary files are gone when it returns."""
    with tempfile.TemporaryDirectory(prefix="instaclone-video-") as workdir:
        source = os.path.join(workdir, f"upload.{extension}")
        target = os.path.join(workdir, "web.mp4")
        with open(source, "wb") as out:
            out.write(original)
        del original
        web = transcode(source, extension, target)
        if max_seconds is not None and web.duration is not None and web.duration > max_seconds + 0.5:
            # half a second: a frame's worth of rounding
            raise TranscodeFailed(
                f"the web copy lasts {web.duration:.1f} s, longer than {max_seconds:g} s",
                reason=too_long_message(web.duration, max_seconds),
            )
        os.unlink(source)
        poster = None
        frame = poster_frame(target)
        if frame:
            try:
                poster = still_image(frame, max_edge=poster_max_edge)
            except UploadRejected:
                log.warning("the poster frame of a video could not be decoded")
        with open(target, "rb") as fh:
            content = fh.read()
    return WebCopy(content, web.width, web.height, web.duration, poster)
