"""Decoding an upload has a bounded memory cost (issue 9, item 4).

Each case makes the largest image of one format the pipeline accepts (in its own process, so making
it does not count), then processes it in a fresh process and reads that process's peak RSS before and
after (Pillow's pixel buffers are outside tracemalloc's view). Post photos are processed exactly as
`post_create` does; their renditions as the media task makes them.
"""

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from instaclone.media import images

ROOT = Path(__file__).resolve().parents[2]
BUDGET_MB = 200

MAKE = textwrap.dedent(
    """
    import sys
    from PIL import Image
    try:
        from pillow_heif import register_heif_opener
        register_heif_opener()
    except ImportError:
        pass
    fmt, mode, w, h, path = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
    Image.new(mode, (w, h), (10, 200, 30, 128)[: len(mode)]).save(path, format=fmt)
    """
)

MEASURE = textwrap.dedent(
    """
    import gc, os, resource, sys
    sys.path.insert(0, os.getcwd())
    import django
    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile
    from instaclone.media import renditions
    from instaclone.media.images import process_image

    class Batch:  # a local storage batch that keeps nothing: renditions are made, not written
        storage = object()
        def save(self, folder, extension, content, stem=None):
            return f"{folder}/{stem or 'x'}.{extension}"

    upload = SimpleUploadedFile("x", open(sys.argv[1], "rb").read())
    gc.collect()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    processed, img = process_image(upload)
    renditions.make_renditions(Batch(), img)
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(processed.width, processed.height, (after - before) // 1024)
    """
)


MEASURE_POST = textwrap.dedent(
    """
    import gc, os, resource, sys
    sys.path.insert(0, os.getcwd())
    import django
    django.setup()
    from django.conf import settings
    from django.core.files.uploadedfile import SimpleUploadedFile
    from posts.services import posts as services

    class Batch:  # stores nothing; post_create's steps otherwise exactly as for a real post
        storage = object()
        def save(self, folder, extension, content, stem=None):
            return f"{folder}/{stem or 'x'}.{extension}"

    data = open(sys.argv[1], "rb").read()
    uploads = [SimpleUploadedFile(f"{i}.png", data) for i in range(settings.POST_MAX_MEDIA)]
    gc.collect()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    prepared = [services._prepare(upload, "", i) for i, upload in enumerate(uploads)]
    names = [services._store(Batch(), item, i) for i, item in enumerate(prepared)]
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(len(names), (after - before) // 1024)
    """
)


def _largest_square(fmt: str) -> int:
    """The side of the largest square image of this format the pipeline accepts."""
    side = int(images.pixel_limit(fmt) ** 0.5)
    if fmt == "JPEG":  # decoded at 1/2, 1/4, 1/8 scale: the most pixels decoded is just under 2× the output edge
        from django.conf import settings

        side = min(side, 2 * settings.IMAGE_MAX_EDGE - 1)
    return side


def _peak_mb(tmp_path, fmt: str, mode: str, side: int) -> tuple[int, int, int]:
    path = tmp_path / f"largest.{fmt.lower()}"
    subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "-c", MAKE, fmt, mode, str(side), str(side), str(path)], check=True, timeout=120
    )
    out = subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "-c", MEASURE, str(path)],
        check=True, timeout=120, capture_output=True, text=True, cwd=ROOT,
        env={"DJANGO_SETTINGS_MODULE": "instaclone.settings", "PATH": "/usr/bin:/bin"},
    )
    width, height, peak = (int(v) for v in out.stdout.split())
    return width, height, peak


@pytest.mark.parametrize(
    ("fmt", "mode"),
    [
        ("PNG", "RGBA"),  # the case: a tiny file that decodes to a huge RGBA canvas
        ("JPEG", "RGB"),
        ("WEBP", "RGBA"),
        pytest.param("HEIF", "RGB", marks=pytest.mark.skipif(not images.HEIC_SUPPORTED, reason="no pillow-heif")),
    ],
)
def test_largest_accepted_image_costs_at_most_200_mb(tmp_path, fmt, mode):
    side = _largest_square(fmt)
    width, height, peak = _peak_mb(tmp_path, fmt, mode, side)
    assert (width, height) == (2160, 2160)  # accepted, and capped to the output edge
    assert peak <= BUDGET_MB, f"{fmt} {side}×{side}: peak RSS rose by {peak} MB"


def test_one_pixel_row_over_the_limit_is_refused(settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from .factories import png_header_claiming

    side = _largest_square("PNG")
    with pytest.raises(images.UploadRejected) as exc:
        images.process_image(SimpleUploadedFile("x.png", png_header_claiming(side, side + side // 100 + 1)))
    assert exc.value.code == "pixels"


def test_a_post_of_the_most_largest_photos_costs_at_most_200_mb(tmp_path, settings):
    """Photos are decoded one after another; only their encoded JPEGs wait for the others (their
    renditions are made after the request, by posts.tasks, one photo at a time)."""
    side = _largest_square("PNG")
    path = tmp_path / "largest.png"
    subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "-c", MAKE, "PNG", "RGBA", str(side), str(side), str(path)], check=True, timeout=120
    )
    out = subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "-c", MEASURE_POST, str(path)],
        check=True, timeout=300, capture_output=True, text=True, cwd=ROOT,
        env={"DJANGO_SETTINGS_MODULE": "instaclone.settings", "PATH": "/usr/bin:/bin"},
    )
    files, peak = (int(v) for v in out.stdout.split())
    assert files == settings.POST_MAX_MEDIA  # renditions are made later, one photo at a time, by posts.tasks
    assert peak <= BUDGET_MB, f"{files} photos of {side}×{side}: peak RSS rose by {peak} MB"
