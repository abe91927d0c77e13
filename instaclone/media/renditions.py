"""Renditions: the URL of a media item at a given width, and its srcset.

- A storage that renders on the fly (ImageKit: it has `rendition_url(name, width)`) gets nothing
  stored; URLs are built by the storage.
- Local storage: resized JPEG copies are made once, by a background task after the upload
  (`make_renditions`, called by posts.tasks), and their names kept in PostMedia.renditions as
  {"320": name, "640": name, "1080": name}. An image narrower than a width reuses the largest copy it
  has (never upscaled).

Pages show renditions, not the original file of an image, once they exist; in the seconds before the
task has made them a photo is shown from its stored original (already re-encoded without metadata
and capped at IMAGE_MAX_EDGE by the upload pipeline).

Media of private accounts get URLs that expire (`instaclone.media.urls`); whether a media item is
private is read from `media.post.author.is_private` (the post and author are already loaded by
the post selectors' prefetch, so this costs no query).
"""

from __future__ import annotations

from django.core.files.storage import default_storage, storages
from PIL import Image

from .images import encode_jpeg, resize_to_width
from .urls import file_url, transformed_url

RENDITION_WIDTHS = (320, 640, 1080)
RENDITION_FOLDER = "posts/renditions"


def renders_on_the_fly(storage=None) -> bool:
    return callable(getattr(storage or default_storage, "rendition_url", None))


def make_renditions(batch, img: Image.Image, *, folder: str = RENDITION_FOLDER, stem: str | None = None) -> dict[str, str]:
    """Store resized copies through a FileBatch (so they are deleted if the block fails). With
    `stem` they are named `<stem>-<n>.jpg` (n = 0, 1, 2), so that a file's renditions can be found
    from its name; otherwise the names are random."""
    if renders_on_the_fly(batch.storage):
        return {}
    renditions: dict[str, str] = {}
    last_name, last_width = None, 0
    for width in RENDITION_WIDTHS:
        if last_name and img.width <= last_width:
            renditions[str(width)] = last_name  # already full size: reuse, never upscale
            continue
        resized = resize_to_width(img, width)
        name_stem = f"{stem}-{len(set(renditions.values()))}" if stem else None
        last_name = batch.save(folder, "jpg", encode_jpeg(resized), stem=name_stem)
        last_width = width
        renditions[str(width)] = last_name
    return renditions


def rendition_names(renditions: dict | None) -> list[str]:
    """Every distinct stored name in a renditions dict (for deletion)."""
    return sorted({name for name in (renditions or {}).values() if name})


def _pick(renditions: dict, width: int) -> str | None:
    widths = sorted(int(w) for w in renditions if str(w).isdigit())
    if not widths:
        return None
    for w in widths:
        if w >= width:
            return renditions[str(w)]
    return renditions[str(widths[-1])]


def is_private(media) -> bool:
    """Whether `media` (a PostMedia) belongs to a private account."""
    post = getattr(media, "post", None)
    author = getattr(post, "author", None)
    return bool(getattr(author, "is_private", False))


def _storage():
    # The configured storage itself, not the `default_storage` proxy: each attribute read through
    # the proxy costs a call, and a feed page reads a few hundred (the same object either way; tests
    # that swap storages reset both).
    return storages["default"]


def rendition_url(media, width: int, *, storage=None, private: bool | None = None) -> str:
    """URL of an image (or a video's poster) at about `width` pixels wide; "" if there is none.

    `media` needs `file`, `kind`, `renditions` and `post.author` (a PostMedia)."""
    storage = storage or _storage()
    private = is_private(media) if private is None else private
    if renders_on_the_fly(storage):
        return transformed_url(media.file, width, poster=media.kind == "video", private=private, storage=storage)
    name = _pick(media.renditions or {}, width)
    if not name and media.kind == "image" and getattr(media, "status", "ready") != "ready":
        name = media.file  # no renditions (yet, or their task failed): the clean stored original
    return file_url(name, private=private, storage=storage) if name else ""


def rendition_src_and_srcset(media, width: int) -> tuple[str, str]:
    """`rendition_url(media, width)` and `rendition_srcset(media)` in one pass (the <img> tag needs
    both): the storage and the privacy are read once, not four times."""
    storage, private = _storage(), is_private(media)
    by_width = {w: rendition_url(media, w, storage=storage, private=private) for w in RENDITION_WIDTHS}
    src = by_width[width] if width in by_width else rendition_url(media, width, storage=storage, private=private)
    return src, _srcset(media, by_width)


def rendition_srcset(media) -> str:
    """"url 320w, url 640w, url 1080w", with the real pixel width of copies that were not upscaled."""
    storage, private = _storage(), is_private(media)
    return _srcset(media, {w: rendition_url(media, w, storage=storage, private=private) for w in RENDITION_WIDTHS})


def _srcset(media, by_width: dict[int, str]) -> str:
    parts: list[str] = []
    seen: set[str] = set()
    for width, url in by_width.items():
        if not url or url in seen:
            continue
        seen.add(url)
        real = min(width, media.width) if media.width else width
        parts.append(f"{url} {real}w")
    return ", ".join(parts)


def original_url(media) -> str:
    """The stored file itself: only for videos (played as uploaded) and downloads."""
    return file_url(media.file, private=is_private(media))
