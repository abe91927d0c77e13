"""In a real browser (issue 15): Settings → Import from Instagram. alice uploads an Instagram
"Download your information" ZIP (built by the suite, tests/import_archives.py), sees the job waiting
with a progress bar and a Cancel button, watches it finish by itself (htmx polling) once the task
has run, reads the two problems (a broken photo, a missing file), and finds her posts on her profile
and post pages with their original dates. SCREENSHOT_DIR=docs/screenshots/15 saves import-1280.png
and import-390.png."""

import os

import pytest

from posts.imports.tasks import import_run
from posts.models import ImportJob, Post

from .import_archives import instagram_zip

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("SCREENSHOT_DIR")


def _shot(page, name):
    if SHOTS:
        os.makedirs(SHOTS, exist_ok=True)
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def test_upload_watch_it_finish_and_see_the_posts_with_their_dates(page, live_server, login, alice, settings, tmp_path):
    archive = instagram_zip(tmp_path / "instagram-alice.zip", layout="activity")
    # The queue holds the task until the test runs it, so the page is seen while the job waits.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    login(page, "alice")
    page.goto(f"{live_server.url}/settings/")
    page.get_by_role("link", name="Import from Instagram").click()
    page.wait_for_url(f"{live_server.url}/settings/import/")
    assert page.get_by_role("heading", name="Import from Instagram", level=1).is_visible()

    page.get_by_label("ZIP file").set_input_files(archive)
    page.get_by_role("button", name="Upload and import").click()
    page.wait_for_load_state()
    assert page.get_by_text("Your archive was uploaded: its posts are being imported.").is_visible()
    # the upload request only checked the ZIP; the task reads the posts and counts them
    assert page.get_by_text("Reading your archive…").is_visible()
    assert page.get_by_role("button", name="Cancel import").is_visible()

    job = ImportJob.objects.get(owner=alice)
    import_run.call(job.pk)
    # no reload: the progress region polls and swaps itself in
    page.get_by_text("Finished").wait_for(timeout=10_000)
    assert page.locator("#import-done").inner_text() == "2"
    assert page.locator("#import-bar").get_attribute("value") == "4"
    errors = page.locator("#import-errors li")
    assert errors.count() == 2
    assert "gone.jpg is missing from the ZIP." in errors.all_inner_texts()[1]
    assert "This file isn't a photo we can read" in errors.all_inner_texts()[0]
    assert page.get_by_role("button", name="Cancel import").count() == 0
    _shot(page, "import-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    _shot(page, "import-390")
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_role("link", name="See your posts on your profile").click()
    page.wait_for_url(f"{live_server.url}/alice/")
    single = Post.objects.get(author=alice, caption__startswith="Café")
    carousel = Post.objects.get(author=alice, caption__startswith="Trip")
    grid_links = page.locator("a[href^='/p/']").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert grid_links.index(f"/p/{carousel.pk}/") < grid_links.index(f"/p/{single.pk}/")  # newest first

    page.goto(f"{live_server.url}/p/{single.pk}/")
    assert page.get_by_text("Café ☕ 😊 #coffee with").first.is_visible()
    assert page.locator("time[datetime^='2019-06-01']").first.is_visible()
    page.goto(f"{live_server.url}/p/{carousel.pk}/")
    assert page.locator("time[datetime^='2020-03-10']").first.is_visible()
    assert page.locator(".carousel img, [data-carousel] img").count() >= 3 or carousel.media.count() == 3


def test_cancel_a_waiting_import(page, live_server, login, alice, settings, tmp_path):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    login(page, "alice")
    page.goto(f"{live_server.url}/settings/import/")
    page.get_by_label("ZIP file").set_input_files(instagram_zip(tmp_path / "ig.zip"))
    page.get_by_role("button", name="Upload and import").click()
    page.get_by_role("button", name="Cancel import").click()
    page.wait_for_load_state()
    assert page.get_by_text("Cancelled").first.is_visible()
    assert ImportJob.objects.get(owner=alice).status == "cancelled"
    assert page.get_by_role("button", name="Upload and import").is_visible()  # a new import may start
