"""Sharing one form twice creates one post (issue 9, item 10): a double click, a double click on a
slow connection without JavaScript, and a retry after the answer to the first try was lost."""

import re

import pytest
from playwright.sync_api import expect

from instaclone.testing import DEFAULT_PASSWORD, image_bytes
from posts.models import Post, PostMedia

from .factories import post_files

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHARE = "button:has-text('Share')"


def _fill_form(page, live_server):
    page.goto(f"{live_server.url}/p/new/")
    page.set_input_files(
        "input[name=media]",
        [{"name": "sun.jpg", "mimeType": "image/jpeg", "buffer": image_bytes("JPEG", (800, 600), color=(250, 200, 0))}],
    )
    page.fill("textarea[name=caption]", "Sunny")


def _hold_new_post_requests(page) -> list:
    """Keep every POST to /p/new/ waiting in the browser (a slow upload) until released."""
    held = []
    page.route(re.compile(r".*/p/new/$"), lambda route: held.append(route) if route.request.method == "POST"
               else route.continue_())
    return held


def _wait_for(page, held, count):
    for _ in range(100):
        if len(held) >= count:
            return
        page.wait_for_timeout(50)
    raise AssertionError(f"expected {count} submissions, saw {len(held)}")


def _assert_one_post(page, media_root):
    page.wait_for_url(re.compile(r"/p/\d+/$"))
    post = Post.objects.get()
    assert page.url.endswith(f"/p/{post.pk}/")
    expect(page.locator(".post-caption__text")).to_have_text("Sunny")
    media = PostMedia.objects.get()
    assert sorted(post_files(media_root)) == sorted({media.file, *media.renditions.values()})
    post.author.refresh_from_db()
    assert post.author.post_count == 1


def test_double_click_on_share_creates_one_post(page, live_server, login, alice, media_root):
    login(page, "alice")
    _fill_form(page, live_server)
    page.dblclick(SHARE)
    _assert_one_post(page, media_root)


def test_retry_after_the_answer_was_lost_leads_to_the_same_post(page, live_server, login, alice, media_root):
    """The server created the post but the browser never heard back ("The upload failed"); the
    person clicks Share again."""
    login(page, "alice")
    _fill_form(page, live_server)
    held = _hold_new_post_requests(page)
    page.click(SHARE)
    _wait_for(page, held, 1)
    held[0].fetch()  # the server gets the request and answers ...
    held[0].abort("connectionreset")  # ... but the answer never reaches the browser
    expect(page.locator("#upload-errors")).to_contain_text("The upload failed")
    assert Post.objects.count() == 1
    page.unroute(re.compile(r".*/p/new/$"))
    page.click(SHARE)
    _assert_one_post(page, media_root)


def test_double_click_on_a_slow_connection_without_javascript_creates_one_post(_browser, live_server, alice, media_root):
    """Without JS nothing disables the button: the second click sends the form again while the first
    is still uploading (the browser drops the first navigation, the server still gets it)."""
    context = _browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=login]", "alice")
        page.fill("input[name=password]", DEFAULT_PASSWORD)
        page.click("form.form button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")
        _fill_form(page, live_server)
        held = _hold_new_post_requests(page)
        box = page.locator(SHARE).bounding_box()
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        page.mouse.click(x, y)  # raw clicks: Playwright's own click would wait for the first navigation
        _wait_for(page, held, 1)
        page.mouse.click(x, y)
        _wait_for(page, held, 2)
        answers = [route.fetch(max_redirects=0) for route in held]  # both reach the server, in order
        assert [a.status for a in answers] == [302, 302]
        for route, answer in zip(held, answers, strict=True):
            try:
                route.fulfill(response=answer)
            except Exception:  # noqa: BLE001, S110 - the browser already dropped the first navigation
                pass
        _assert_one_post(page, media_root)
    finally:
        context.close()
