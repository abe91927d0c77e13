"""The aspect chosen at upload (1:1, 4:5, 1.91:1 or the first file's own shape within those bounds):
the preview shows the crop, the post stores it, and every slide of the card is a frame of that ratio;
a tall photo never makes a card taller than 4:5, with or without JavaScript."""

import re

import pytest
from playwright.sync_api import expect

from instaclone.testing import image_bytes
from posts.models import Post
from posts.services import post_create

from .factories import jpeg

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _file(name, size, color=(200, 60, 30)):
    return {"name": name, "mimeType": "image/jpeg", "buffer": image_bytes("JPEG", size, color=color)}


def _ratio(locator):
    box = locator.bounding_box()
    return box["width"] / box["height"]


def test_chosen_aspect_is_previewed_stored_and_frames_every_slide(page, live_server, login, alice, media_root):
    login(page, "alice")
    page.goto(f"{live_server.url}/p/new/")
    page.set_input_files("input[name=media]", [_file("wide.jpg", (800, 600)), _file("tall.jpg", (600, 900))])
    thumbs = page.locator(".preview__thumb")
    expect(thumbs).to_have_count(2)
    # original: the first file's 4:3 for both
    page.wait_for_function("() => document.querySelector('.preview__thumb').style.aspectRatio !== ''")
    assert [round(_ratio(thumbs.nth(i)), 2) for i in range(2)] == [1.33, 1.33]
    page.get_by_label("Portrait (4:5)").check()
    assert [round(_ratio(thumbs.nth(i)), 2) for i in range(2)] == [0.8, 0.8]  # the crop, live
    page.get_by_label("Landscape (1.91:1)").check()
    assert round(_ratio(thumbs.first), 2) == 1.91
    page.get_by_label("Portrait (4:5)").check()
    page.click("button:has-text('Share')")
    page.wait_for_url(re.compile(r"/p/\d+/$"))

    post = Post.objects.get()
    assert (post.aspect, post.aspect_ratio) == ("portrait", pytest.approx(0.8))
    page.goto(f"{live_server.url}/")
    card = page.locator(f"#post-{post.pk}")
    assert _ratio(card.locator(".carousel__frame")) == pytest.approx(0.8, abs=0.01)
    slides = card.locator(".carousel__slide img")
    boxes = [slides.nth(i).bounding_box() for i in range(2)]
    assert boxes[0]["height"] == boxes[1]["height"] and boxes[0]["width"] == boxes[1]["width"]
    assert boxes[0]["width"] / boxes[0]["height"] == pytest.approx(0.8, abs=0.01)
    # the photo is centre-cropped into the frame, not letterboxed
    assert slides.first.evaluate("img => getComputedStyle(img).objectFit") == "cover"


@pytest.mark.parametrize("javascript", [True, False])
def test_tall_photo_is_framed_at_4_5_at_most_and_original_keeps_its_shape(_browser, live_server, alice, media_root, javascript):
    from conftest import browser_login

    tall = post_create(author=alice, caption="tall", files=[(jpeg(size=(200, 800)), "")])
    wide = post_create(author=alice, caption="4:3", files=[(jpeg(size=(400, 300)), "")])
    square = post_create(author=alice, caption="sq", files=[(jpeg(size=(400, 300)), "")], aspect="square")
    context = _browser.new_context(viewport={"width": 1280, "height": 900}, java_script_enabled=javascript)
    try:
        page = context.new_page()
        browser_login(page, live_server, "alice")
        frames = {p.pk: page.locator(f"#post-{p.pk} .carousel__frame") for p in (tall, wide, square)}
        assert _ratio(frames[tall.pk]) == pytest.approx(0.8, abs=0.01)  # 1:4 photo, 4:5 card
        assert _ratio(frames[wide.pk]) == pytest.approx(4 / 3, abs=0.01)
        assert _ratio(frames[square.pk]) == pytest.approx(1.0, abs=0.01)
    finally:
        context.close()
