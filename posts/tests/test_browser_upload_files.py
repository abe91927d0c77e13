"""Choosing files for a new post (posts/new.html, static/js/posts.js): a file that cannot be shared
(its type, its size, one too many, or refused by the server) is named next to its preview, and
"Remove" takes just that file out before sharing; the other files keep their alt texts."""

import re

import pytest
from playwright.sync_api import expect

from instaclone.testing import image_bytes
from posts.models import Post

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _jpeg(name, color=(200, 60, 30)):
    return {"name": name, "mimeType": "image/jpeg", "buffer": image_bytes("JPEG", (320, 240), color=color)}


def test_a_refused_type_is_named_and_removing_just_that_file_lets_the_post_go(page, live_server, login, alice, media_root):
    login(page, "alice")
    page.goto(f"{live_server.url}/p/new/")
    page.set_input_files("input[name=media]", [
        _jpeg("beach.jpg"),
        {"name": "notes.txt", "mimeType": "text/plain", "buffer": b"not a photo"},
        _jpeg("sunset.jpg", (20, 20, 200)),
    ])
    previews = page.locator(".preview")
    expect(previews).to_have_count(3)
    expect(previews.nth(1)).to_have_class(re.compile("preview--error"))
    expect(previews.nth(1).locator(".preview__error")).to_contain_text("notes.txt can't be shared")
    expect(page.locator("#upload-errors")).to_contain_text("notes.txt")
    page.locator("input[name=alt_text_0]").fill("Beach")
    page.locator("input[name=alt_text_2]").fill("Sunset")

    page.click("button:has-text('Share')")  # refused here: nothing is sent
    page.wait_for_timeout(300)
    assert not Post.objects.exists()

    page.get_by_role("button", name="Remove notes.txt").click()
    expect(previews).to_have_count(2)
    expect(page.locator(".preview--error")).to_have_count(0)
    expect(page.locator("#upload-errors")).to_be_empty()
    expect(previews.nth(1).locator(".preview__name")).to_contain_text("sunset.jpg")
    expect(page.locator("input[name=alt_text_1]")).to_have_value("Sunset")  # its alt text moved with it
    page.click("button:has-text('Share')")
    page.wait_for_url(re.compile(r"/p/\d+/$"))
    post = Post.objects.get()
    assert [m.alt_text for m in post.media.order_by("position")] == ["Beach", "Sunset"]


def test_one_file_too_many_is_named_and_can_be_removed(page, live_server, login, alice, media_root, settings):
    settings.POST_MAX_MEDIA = 2
    login(page, "alice")
    page.goto(f"{live_server.url}/p/new/")
    page.set_input_files("input[name=media]", [_jpeg("a.jpg"), _jpeg("b.jpg"), _jpeg("c.jpg")])
    expect(page.locator(".preview").nth(2).locator(".preview__error")).to_contain_text("c.jpg is one too many")
    page.get_by_role("button", name="Remove a.jpg").click()
    expect(page.locator(".preview")).to_have_count(2)
    expect(page.locator(".preview--error")).to_have_count(0)
    page.click("button:has-text('Share')")
    page.wait_for_url(re.compile(r"/p/\d+/$"))
    assert Post.objects.get().media_count == 2


def test_a_file_the_server_refuses_is_named_and_can_be_removed(page, live_server, login, alice, media_root):
    login(page, "alice")
    page.goto(f"{live_server.url}/p/new/")
    page.set_input_files("input[name=media]", [
        _jpeg("good.jpg"),
        {"name": "holiday.jpg", "mimeType": "image/jpeg", "buffer": b"Dear diary, not a photo."},
    ])
    expect(page.locator(".preview--error")).to_have_count(0)  # the browser cannot tell
    page.click("button:has-text('Share')")
    bad = page.locator(".preview").nth(1)
    expect(bad).to_have_class(re.compile("preview--error"))
    expect(page.locator("#upload-errors")).to_contain_text("holiday.jpg")
    bad.get_by_role("button", name="Remove holiday.jpg").click()
    expect(page.locator(".preview")).to_have_count(1)
    page.click("button:has-text('Share')")
    page.wait_for_url(re.compile(r"/p/\d+/$"))
    assert Post.objects.get().media_count == 1
