"""The one upload pipeline for raster images (avatars and post photos).

Accepts by content, never by file name: Pillow must recognise the bytes as JPEG, PNG or WebP (and
HEIC/HEIF when the pillow-heif plugin is installed).
Rejects empty, oversized, truncated and decompression-bomb files. Applies EXIF orientation, drops
all metadata (EXIF, GPS, XMP, ICC, comments) by re-encoding pixel data only, and caps the size.

Memory is bounded (issue 9, item 4). Each upload is decoded once, at the smallest size that still
covers the output (IMAGE_MAX_EDGE, or the avatar size):
- JPEG is decoded at 1/2, 1/4 or 1/8 scale (`Image.draft`), so a 48 MP phone photo decodes to 12 MP;
- the other formats decode at full size, so the number of pixels they may have is capped
  (`pixel_limit`): IMAGE_MAX_PIXELS for PNG (and for JPEG after the scaled decode), a quarter of it for
  WebP and half for HEIC, because their decoders hold more full-size buffers (measured: PNG/JPEG 4,
  HEIC 7.4, WebP 16.4 bytes a pixel, against 4 for the decoded image itself);
- the decoded image is then reduced by a whole factor (`Image.reduce`, a box filter) and flattened to
  RGB strip by strip, so transparency and palette images never get a second full-size copy;
- orientation, the final Lanczos resize and the metadata-free copy happen on the reduced image,
  and renditions derive from that result, never from the upload again.
The measured peak for the largest accepted image of each format is in bench/RESULTS.md ("Upload
memory") and is held under 200 MB by posts/tests/test_upload_memory.py.
"""

from __future__ import annotations

import io
import math
import warnings
from dataclasses import dataclass

from django.conf import settings
from PIL import Image, ImageOps, UnidentifiedImageError

from instaclone.errors import DomainError

ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP"}

try:  # iPhone photos. Optional: without the plugin HEIC is rejected like any unknown format.
    from pillow_heif import register_heif_opener

    register_heif_opener()
    ACCEPTED_FORMATS.add("HEIF")
    HEIC_SUPPORTED = True
except ImportError:  # pragma: no cover - depends on the environment
    HEIC_SUPPORTED = False

# Leading bytes of text formats people rename to .jpg; rejected with a specific message.
_MARKUP_PREFIXES = (b"<", b"\xef\xbb\xbf<")
JPEG_QUALITY = 85
# How many times more memory a pixel costs while decoding than PNG/JPEG's 4 bytes (see the docstring).
_DECODE_COST = {"WEBP": 4, "HEIF": 2}
# Rows are flattened and reduced in strips of about this many bytes of decoded pixels.
_STRIP_BYTES = 8 * 1024 * 1024
_ORIENTATION = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


class UploadRejected(DomainError):
    """An uploaded file that cannot be accepted; the message is meant for the person. A DomainError
    like every refusal (views put it on their form with `add_to_form`); `messages` is kept for code
    that reports it next to Django ValidationErrors."""

    @property
    def messages(self) -> list[str]:
        return [self.message]


@dataclass(frozen=True)
class ProcessedImage:
    content: bytes
    width: int
    height: int
    content_type: str = "image/jpeg"
    extension: str = "jpg"


def _read_upload(upload, *, max_bytes: int) -> bytes:
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes:
        raise UploadRejected(
            f"This file is too large ({_mb(size)}). The limit is {_mb(max_bytes)}.", code="too_large"
        )
    upload.seek(0)
    data = upload.read(max_bytes + 1)
    if len(data) == 0:
        raise UploadRejected("This file is empty.", code="empty")
    if len(data) > max_bytes:
        raise UploadRejected(f"This file is too large. The limit is {_mb(max_bytes)}.", code="too_large")
    return data


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB" if n >= 1024 * 1024 else f"{max(1, n // 1024)} KB"


def _looks_like_markup(data: bytes) -> bool:
    head = data[:512].lstrip()
    return head.startswith(_MARKUP_PREFIXES)


def pixel_limit(fmt: str) -> int:
    """The most pixels an image of this format may have when decoded (JPEG: after the scaled decode)."""
    return settings.IMAGE_MAX_PIXELS // _DECODE_COST.get(fmt, 1)


def _target(size: tuple[int, int], *, box: int | None = None, cover: int | None = None) -> tuple[int, int]:
    """The size the output needs: fit inside box × box, or (cover) a short side of at least `cover`."""
    w, h = size
    scale = min(1.0, box / w, box / h) if box else min(1.0, max(cover / w, cover / h))
    return max(1, round(w * scale)), max(1, round(h * scale))


def _reject_markup(data: bytes) -> None:
    if _looks_like_markup(data):  # SVG, HTML, XML: never decoded, never stored
        raise UploadRejected(
            "This file isn't a photo: it is a web page or an SVG drawing. Upload a JPEG, PNG, WebP or HEIC image.",
            code="type",
        )


def _open(data: bytes, target_for) -> tuple[Image.Image, tuple[int, int]]:
    """Open, check format and pixel count, set up JPEG's scaled decode, and decode once."""
    _reject_markup(data)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data))
            if img.format not in ACCEPTED_FORMATS:
                raise UploadRejected(
                    "This file type isn't supported. Upload a JPEG, PNG, WebP or HEIC photo.", code="type"
                )
            width, height = img.size
            if width < 1 or height < 1:
                raise UploadRejected("This image is damaged or incomplete.", code="broken")
            target = target_for((width, height))
            if img.format == "JPEG":
                img.draft("RGB", target)  # decode at 1/2, 1/4 or 1/8 scale, still covering the target
            shrink = (width * height) / (img.width * img.height)
            limit = pixel_limit(img.format)
            if img.width * img.height > limit:
                raise UploadRejected(
                    f"This image is too big ({width:,} × {height:,} pixels). "
                    f"The limit is {int(limit * shrink) // 1_000_000} megapixels.",
                    code="pixels",
                )
            img.load()
    except UploadRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise UploadRejected("This image is too big to process.", code="pixels") from None
    except UnidentifiedImageError:
        raise UploadRejected(
            "This file isn't a photo we can read. Upload a JPEG, PNG, WebP or HEIC image.", code="type"
        ) from None
    except (OSError, SyntaxError, ValueError, EOFError):
        raise UploadRejected("This image is damaged or incomplete.", code="broken") from None
    return img, target


def _orientation(img: Image.Image) -> Image.Transpose | None:
    try:
        return _ORIENTATION.get(img.getexif().get(0x0112))
    except Exception:  # noqa: BLE001 - a corrupt EXIF block must not sink an otherwise fine photo
        return None


def _to_rgb(img: Image.Image) -> Image.Image:
    """RGB, transparency flattened onto white."""
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    if img.mode == "RGB":
        return img
    return img.convert("RGB")


def _reduce(img: Image.Image, target: tuple[int, int]) -> Image.Image:
    """Shrink by the largest whole factor that still covers `target`, as RGB, without a second
    full-size copy: modes other than RGB are converted strip by strip (hand-written because Pillow's
    own `reduce`/`convert`/`thumbnail` on RGBA or palette images first copy the whole image)."""
    factor = max(1, min(img.width // target[0], img.height // target[1]))
    if img.mode == "RGB":
        return img.reduce(factor) if factor > 1 else img
    rows = max(1, _STRIP_BYTES // (4 * img.width) // factor) * factor  # a multiple of the factor
    out = Image.new("RGB", (math.ceil(img.width / factor), math.ceil(img.height / factor)))
    for top in range(0, img.height, rows):
        strip = _to_rgb(img.crop((0, top, img.width, min(img.height, top + rows))))
        if factor > 1:
            strip = strip.reduce(factor)
        out.paste(strip, (0, top // factor))
    return out


def _pixels_only(img: Image.Image) -> Image.Image:
    clean = Image.new("RGB", img.size)
    clean.paste(img)  # pixels only: no EXIF, GPS, XMP, ICC or comments survive
    return clean


def decode(data: bytes, *, box: int | None = None, cover: int | None = None) -> Image.Image:
    """Validate and decode image bytes once: an upright RGB image that fits in `box` × `box` (never
    enlarged), or has a short side of at least `cover` (for cropping). Raises UploadRejected with a reason meant for the person."""
    img, target = _open(data, lambda size: _target(size, box=box, cover=cover))
    transpose = _orientation(img)
    reduced = _reduce(img, target)
    if reduced is not img:
        img.close()  # free the full-size pixels before any further work
    if box and reduced.size != target:
        reduced = reduced.resize(target, Image.Resampling.LANCZOS)
    if transpose is not None:
        reduced = reduced.transpose(transpose)
    return reduced


def encode_jpeg(img: Image.Image) -> bytes:
    out = io.BytesIO()
    img.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return out.getvalue()


def resize_to_width(img: Image.Image, width: int) -> Image.Image:
    if img.width <= width:
        return img
    height = max(1, round(img.height * width / img.width))
    return img.resize((width, height), Image.Resampling.LANCZOS)


def still_image(data: bytes, *, max_edge: int | None = None) -> Image.Image:
    """A clean RGB image from photo bytes (an upload or a video's poster frame), long edge capped."""
    return _pixels_only(decode(data, box=max_edge or settings.IMAGE_MAX_EDGE))


def process_image(upload, *, max_bytes: int | None = None, max_edge: int | None = None) -> tuple[ProcessedImage, Image.Image]:
    """Validate and re-encode a photo. Returns the encoded result and the clean Pillow image
    (for renditions)."""
    data = _read_upload(upload, max_bytes=max_bytes or settings.IMAGE_MAX_BYTES)
    img = still_image(data, max_edge=max_edge)
    del data
    return ProcessedImage(encode_jpeg(img), img.width, img.height), img


def process_avatar(upload) -> ProcessedImage:
    """Validate a profile photo and return it as a centred square JPEG."""
    data = _read_upload(upload, max_bytes=settings.AVATAR_MAX_BYTES)
    size = settings.AVATAR_SIZE
    img = ImageOps.fit(decode(data, cover=size), (size, size), Image.Resampling.LANCZOS)
    return ProcessedImage(encode_jpeg(_pixels_only(img)), size, size)
