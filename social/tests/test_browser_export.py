"""In a real browser (issue 15): Settings → Download your information. alice asks for her archive,
sees it being prepared, sees the page turn ready by itself (htmx polling) once the task has run,
downloads the ZIP through the link (Playwright's download API) and finds her posts and a photo in
it. SCREENSHOT_DIR=docs/screenshots/15 saves download-1280.png and download-390.png."""

import json
import os
import zipfile

import pytest
from django.core.files.storage import default_storage

from posts.models import PostMedia
from posts.tests.factories import PostFactory
from social.exports import build
from social.models import DataExport

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("SCREENSHOT_DIR")


def _shot(page, name):
    if SHOTS:
        os.makedirs(SHOTS, exist_ok=True)
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def test_request_watch_it_become_ready_and_download(page, live_server, login, alice, settings, tmp_path):
    post = PostFactory(author=alice, caption="Sunset at the pier #sunset", images=2, alt="The pier at dusk")
    # The queue holds the task until the test runs it, so the page is seen while it waits.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    login(page, "alice")
    page.goto(f"{live_server.url}/settings/")
    page.get_by_role("link", name="Download your information").click()
    page.wait_for_url(f"{live_server.url}/settings/download/")
    assert page.get_by_role("heading", name="Download your information", level=1).is_visible()
    assert page.get_by_text("You haven't requested a download yet.").is_visible()

    page.get_by_role("button", name="Request a download").click()
    page.wait_for_load_state()
    assert page.get_by_text("We're preparing your download.").is_visible()
    assert page.get_by_text("Waiting to start").is_visible()
    assert page.get_by_role("button", name="Request a download").count() == 0

    export = DataExport.objects.get(user=alice)
    build.data_export_build(export_id=export.pk, site_url=live_server.url)
    # no reload: the status region polls and swaps itself in
    link = page.get_by_role("link", name="Download ZIP")
    link.wait_for(timeout=10_000)
    assert page.get_by_text("Ready: prepared").is_visible()
    _shot(page, "download-1280")

    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename.startswith("instaclone-alice-") and download.suggested_filename.endswith(".zip")
    path = tmp_path / "archive.zip"
    download.save_as(path)
    with zipfile.ZipFile(path) as archive:
        posts = json.loads(archive.read("posts.json"))
        assert [p["id"] for p in posts] == [post.pk]
        assert posts[0]["caption"] == "Sunset at the pier #sunset"
        first = posts[0]["media"][0]
        assert first["alt_text"] == "The pier at dusk"
        row = PostMedia.objects.get(post=post, position=0)
        with default_storage.open(row.file, "rb") as fh:
            assert archive.read(first["path"]) == fh.read()
        assert "index.html" in archive.namelist()

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert page.get_by_role("link", name="Download ZIP").is_visible()
    _shot(page, "download-390")
