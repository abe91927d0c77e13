"""Issue 3, section 6, in a real browser (Chromium through Playwright)."""

import re

import pytest
from playwright.sync_api import expect

from instaclone.testing import image_bytes
from posts.models import Post

from .factories import post_files

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _jpeg(name, color):
    return {"name": name, "mimeType": "image/jpeg", "buffer": image_bytes("JPEG", (800, 600), color=color)}


def test_create_view_carousel_edit_and_delete_a_two_photo_post(page, live_server, login, alice, media_root):
    login(page, "alice")
    page.click("nav >> text=Create")
    page.set_input_files("input[name=media]", [_jpeg("red.jpg", (220, 20, 20)), _jpeg("blue.jpg", (20, 20, 220))])
    expect(page.locator(".preview")).to_have_count(2)  # previews, each with its own alt text field
    page.locator(".preview").nth(0).locator("input[name=alt_text_0]").fill("A red square")
    page.locator(".preview").nth(1).locator("input[name=alt_text_1]").fill("A blue square")
    page.fill("textarea[name=caption]", "Colours #squares")
    page.click("button:has-text('Share')")
    page.wait_for_url(re.compile(r"/p/\d+/$"))
    post = Post.objects.get()
    assert page.url.endswith(f"/p/{post.pk}/")

    # It is the first tile on the profile grid; open it from there.
    page.goto(f"{live_server.url}/alice/")
    first_tile = page.locator(".post-grid .tile").first
    expect(first_tile).to_have_attribute("href", f"/p/{post.pk}/")
    first_tile.click()
    page.wait_for_url(f"{live_server.url}/p/{post.pk}/")

    first = page.locator(".carousel__slide img").nth(0)
    second = page.locator(".carousel__slide img").nth(1)
    expect(first).to_be_in_viewport(ratio=0.9)
    expect(first).to_have_attribute("alt", "A red square")
    expect(second).not_to_be_in_viewport()  # scrolled out of the carousel's track
    page.click("[data-carousel-next]")
    expect(second).to_be_in_viewport(ratio=0.9)
    expect(second).to_have_attribute("alt", "A blue square")
    expect(first).not_to_be_in_viewport()
    page.keyboard.press("ArrowLeft")  # keyboard arrows work too
    expect(first).to_be_in_viewport(ratio=0.9)
    expect(page.locator(".post-caption__text a")).to_have_text("#squares")

    # Edit the caption.
    page.click(".post-menu summary")
    page.click(".post-menu >> text=Edit")
    page.fill("textarea[name=caption]", "Edited colours")
    page.click("button:has-text('Save')")
    page.wait_for_url(f"{live_server.url}/p/{post.pk}/")
    expect(page.locator(".post-caption__text")).to_have_text("Edited colours")

    # Delete it, through the confirmation page.
    page.click(".post-menu summary")
    page.click(".post-menu >> text=Delete")
    expect(page.locator("h1")).to_have_text("Delete post?")
    page.click("button:has-text('Delete')")
    page.wait_for_url(f"{live_server.url}/alice/")
    expect(page.locator(".post-grid .tile")).to_have_count(0)
    assert not Post.objects.exists()
    assert post_files(media_root) == []


def test_text_file_renamed_jpg_shows_an_error_and_creates_nothing(page, live_server, login, alice, media_root):
    login(page, "alice")
    page.goto(f"{live_server.url}/p/new/")
    page.set_input_files(
        "input[name=media]", [{"name": "holiday.jpg", "mimeType": "image/jpeg", "buffer": b"Dear diary, not a photo."}]
    )
    page.click("button:has-text('Share')")
    error = page.locator(".preview .preview__error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("isn't a photo")
    expect(page.locator("#upload-errors")).to_contain_text("holiday.jpg")
    assert page.url == f"{live_server.url}/p/new/"
    assert Post.objects.count() == 0
    assert post_files(media_root) == []


def test_too_large_file_is_flagged_before_sending(page, live_server, login, alice, settings):
    settings.IMAGE_MAX_BYTES = 2000
    login(page, "alice")
    page.goto(f"{live_server.url}/p/new/")
    requests = []
    page.on("request", lambda r: requests.append(r) if r.method == "POST" else None)
    page.set_input_files("input[name=media]", [_jpeg("huge.jpg", (1, 2, 3))])
    error = page.locator(".preview .preview__error")
    expect(error).to_contain_text("huge.jpg is too large")
    page.click("button:has-text('Share')")
    expect(page.locator("#upload-errors")).to_contain_text("too large")
    assert requests == []  # nothing was uploaded
    assert Post.objects.count() == 0
