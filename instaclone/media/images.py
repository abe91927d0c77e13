"""The one upload pipeline for raster images (avatars and post photos).

Accepts by content, never by file name: Pillow must recognise the bytes as JPEG, PNG or WebP (and
HEIC/HEIF when the pillow-heif plugin is installed).
Rejects empty, oversized, truncated and decompression-bomb files. Applies EXIF orientation, drops
all metadata (EXIF, GPS, XMP, ICC, comments) by re-encoding pixel data only, and caps the size.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from PIL import Image, ImageOps, UnidentifiedImageError

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


class UploadRejected(ValidationError):
    """An uploaded file that cannot be accepted; the message is meant for the person."""


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


def open_image(data: bytes, *, max_pixels: int | None = None) -> Image.Image:
    """Decode and fully load an image from bytes, or raise UploadRejected with a clear reason."""
    max_pixels = max_pixels or settings.IMAGE_MAX_PIXELS
    if _looks_like_markup(data):  # SVG, HTML, XML: never decoded, never stored
        raise UploadRejected(
            "This file isn't a photo: it is a web page or an SVG drawing. Upload a JPEG, PNG, WebP or HEIC image.",
            code="type",
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data))
            if img.format not in ACCEPTED_FORMATS:
                raise UploadRejected(
                    "This file type isn't supported. Upload a JPEG, PNG, WebP or HEIC photo.", code="type"
                )
            width, height = img.size
            if width * height > max_pixels or width < 1 or height < 1:
                raise UploadRejected(
                    f"This image is too big ({width:,} × {height:,} pixels). "
                    f"The limit is {max_pixels // 1_000_000} megapixels.",
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
    return img


def normalise(img: Image.Image) -> Image.Image:
    """Apply EXIF orientation and return an RGB image with no metadata attached."""
    try:
        img = ImageOps.exif_transpose(img)
    except Exception:  # noqa: S110 - a corrupt EXIF block must not sink an otherwise fine photo
        pass
    if img.mode in ("RGBA", "LA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        img = flat
    elif img.mode != "RGB":
        img = img.convert("RGB")
    clean = Image.new("RGB", img.size)
    clean.paste(img)  # pixels only: no EXIF, GPS, XMP, ICC or comments survive
    return clean


def encode_jpeg(img: Image.Image) -> bytes:
    out = io.BytesIO()
    img.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return out.getvalue()


def resize_to_width(img: Image.Image, width: int) -> Image.Image:
    if img.width <= width:
        return img
    height = max(1, round(img.height * width / img.width))
    return img.resize((width, height), Image.Resampling.LANCZOS)


def process_image(upload, *, max_bytes: int | None = None, max_edge: int | None = None) -> tuple[ProcessedImage, Image.Image]:
    """Validate and re-encode a photo. Returns the encoded result and the clean Pillow image
    (for renditions)."""
    data = _read_upload(upload, max_bytes=max_bytes or settings.IMAGE_MAX_BYTES)
    img = normalise(open_image(data))
    img.thumbnail((max_edge or settings.IMAGE_MAX_EDGE,) * 2, Image.Resampling.LANCZOS)
    return ProcessedImage(encode_jpeg(img), img.width, img.height), img


def process_avatar(upload) -> ProcessedImage:
    """Validate a profile photo and return it as a centred square JPEG."""
    data = _read_upload(upload, max_bytes=settings.AVATAR_MAX_BYTES)
    img = normalise(open_image(data))
    size = settings.AVATAR_SIZE
    img = ImageOps.fit(img, (size, size), Image.Resampling.LANCZOS)
    return ProcessedImage(encode_jpeg(img), size, size)
