"""A video post in the browser: its author sees "Processing video…" at once, nobody else sees the
post, and once the worker has run the media task the video plays (a real transcoded H.264/AAC MP4
in Chromium)."""

import re
import shutil
import subprocess

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from posts.models import Post, PostMedia

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
DB_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def _clip(path) -> None:
    """A 2 s 640×360 MP4 with sound, as a phone might send (fragmented, so it starts with 'moov')."""
    subprocess.run(  # noqa: S603 - fixed arguments
        [shutil.which("ffmpeg"), "-v", "error", "-f", "lavfi", "-i", "testsrc2=s=640x360:r=25:d=2",
         "-f", "lavfi", "-i", "sine=f=440:d=2", "-shortest", "-c:v", "libx264", "-preset", "ultrafast",
         "-pix_fmt", "yuv420p", "-c:a", "aac", str(path)],
        check=True, capture_output=True, timeout=60,
    )


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg not installed")
def test_video_post_shows_processing_to_its_author_then_plays(page, live_server, login, alice, bob, client, settings, tmp_path):
    settings.TASKS = DB_BACKEND  # tasks wait for the worker, as in production
    clip = tmp_path / "clip.mp4"
    _clip(clip)
    login(page, "alice")
    page.goto(f"{live_server.url}/p/new/")
    page.set_input_files("input[name=media]", str(clip))
    page.fill("textarea[name=caption]", "First video")
    page.click("button:has-text('Share')")
    page.wait_for_url(re.compile(r"/p/\d+/$"))

    post = Post.objects.get()
    expect(page.get_by_text("Processing video…")).to_be_visible()
    expect(page.get_by_text("Only you can see this post until its video is ready.")).to_be_visible()
    expect(page.locator("video")).to_have_count(0)
    client.force_login(bob)
    assert client.get(post.get_absolute_url()).status_code == 404  # nobody else sees it yet

    call_command("worker", "--batch")  # the worker runs the queued media task, then exits

    media = PostMedia.objects.get()
    assert media.status == PostMedia.Status.READY, media.error
    page.click("a:has-text('Check again')")
    video = page.locator("video.carousel__video")
    expect(video).to_be_visible()
    expect(page.get_by_text("Processing video…")).to_have_count(0)
    played = video.evaluate(
        """async (v) => {
            v.muted = true;
            await v.play();
            await new Promise((done) => setTimeout(done, 600));
            return {time: v.currentTime, width: v.videoWidth, height: v.videoHeight, error: v.error && v.error.code};
        }"""
    )
    assert played["error"] is None and played["time"] > 0, played
    assert (played["width"], played["height"]) == (media.width, media.height) == (640, 360)
    assert client.get(post.get_absolute_url()).status_code == 200  # published for everyone
