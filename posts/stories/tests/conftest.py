"""Fixtures of the stories tests: stories made through the service (the real upload pipeline), and
helpers to age them."""

from __future__ import annotations

import shutil
import subprocess
from datetime import timedelta

import pytest
from django.utils import timezone

from posts.stories.models import Story
from posts.stories.services import story_create
from posts.tests.factories import jpeg, upload


@pytest.fixture
def make_story():
    """`make_story(author, size=(300, 500), color=..., alt="")`: a photo story through `story_create`."""

    def make(author, *, size=(300, 500), color=(30, 120, 200), alt=""):
        return story_create(author=author, upload=jpeg("story.jpg", size=size, color=color), alt_text=alt)

    return make


@pytest.fixture
def expire():
    """`expire(*stories, hours=1)`: move stories' end `hours` into the past (as if 25 hours old)."""

    def age(*stories, hours: float = 1):
        Story.objects.filter(pk__in=[s.pk for s in stories]).update(expires_at=timezone.now() - timedelta(hours=hours))

    return age


def _ffmpeg_video(seconds: float, folder) -> bytes | None:
    ffmpeg = shutil.which("ffmpeg")
    if not ffmpeg:
        return None
    target = folder / f"clip-{seconds}.mp4"
    result = subprocess.run(  # noqa: S603 - fixed arguments
        [ffmpeg, "-v", "error", "-f", "lavfi", "-i", f"color=c=red:s=64x112:d={seconds}:r=5", "-pix_fmt", "yuv420p",
         "-movflags", "+faststart", "-y", str(target)],
        capture_output=True, timeout=60, check=False,
    )
    return target.read_bytes() if result.returncode == 0 and target.exists() else None


@pytest.fixture
def video_of(tmp_path_factory):
    """`video_of(seconds)`: an upload of a real MP4 that long (skips the test without ffmpeg)."""
    folder = tmp_path_factory.mktemp("videos")

    def make(seconds: float):
        data = _ffmpeg_video(seconds, folder)
        if data is None:
            pytest.skip("ffmpeg is not installed")
        return upload("clip.mp4", data, "video/mp4")

    return make
