"""The carousel of a post's photos and videos (posts/_card.html, detail.html, static/js/posts.js):
in a feed card every slide is there, arrows, dots and arrow keys move the track, a touch swipe on a
phone moves it natively (CSS scroll-snap), and the card keeps one height whatever the slide."""

import pytest
from playwright.sync_api import expect

from posts.services import post_create

from .factories import jpeg

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COLOURS = [(220, 20, 20), (20, 160, 20), (20, 20, 220)]


def _three_photo_post(author, sizes=((800, 600), (600, 800), (800, 800))):
    files = [(jpeg(f"p{i}.jpg", size=size, color=COLOURS[i]), f"photo {i + 1}") for i, size in enumerate(sizes)]
    return post_create(author=author, caption="three", files=files, aspect="square")


def _current(card):
    """The slide the track shows (from its scroll position) and the dot marked current."""
    at = card.locator("[data-carousel-track]").evaluate("t => Math.round(t.scrollLeft / t.clientWidth)")
    dots = card.locator(".carousel__dot")
    current = [i for i in range(dots.count()) if dots.nth(i).get_attribute("aria-current") == "true"]
    return at, current


def _wait_for_slide(page, card, index):
    slide = card.locator(".carousel__slide").nth(index)
    expect(slide).to_be_in_viewport(ratio=0.95)
    page.wait_for_function(
        "([sel, i]) => { const t = document.querySelector(sel); return Math.abs(t.scrollLeft - i * t.clientWidth) < 2; }",
        arg=[f"#{card.get_attribute('id')} [data-carousel-track]", index],
    )
    assert _current(card) == (index, [index])


def test_feed_card_shows_every_slide_and_arrows_dots_and_keys_move_it(page, live_server, login, alice, media_root):
    post = _three_photo_post(alice)
    login(page, "alice")
    card = page.locator(f"#post-{post.pk}")
    expect(card.locator(".carousel__slide")).to_have_count(3)
    expect(card.locator(".carousel__slide img")).to_have_count(3)
    assert card.locator(".carousel__slide img").nth(1).get_attribute("loading") == "lazy"
    prev, nxt = card.locator("[data-carousel-prev]"), card.locator("[data-carousel-next]")
    expect(prev).to_be_hidden()
    expect(nxt).to_be_visible()
    height = card.bounding_box()["height"]
    media_box = card.locator(".carousel__frame").bounding_box()

    nxt.click()
    _wait_for_slide(page, card, 1)
    expect(prev).to_be_visible()
    assert card.bounding_box()["height"] == height  # one height, whatever the slide's own shape

    card.locator(".carousel__dot").nth(2).click()
    _wait_for_slide(page, card, 2)
    expect(nxt).to_be_hidden()
    assert card.locator(".carousel__frame").bounding_box() == media_box

    card.locator("[data-carousel-track]").focus()
    page.keyboard.press("ArrowLeft")
    _wait_for_slide(page, card, 1)
    page.keyboard.press("ArrowLeft")
    _wait_for_slide(page, card, 0)
    assert card.bounding_box()["height"] == height

    # the dots are 24 px targets with names
    dot = card.locator(".carousel__dot").nth(1)
    box = dot.bounding_box()
    assert box["width"] >= 24 and box["height"] >= 24
    expect(dot).to_have_attribute("aria-label", "Go to 2 of 3")


def test_a_touch_swipe_on_a_phone_moves_the_card_to_the_second_slide(_browser, live_server, alice, media_root):
    from conftest import browser_login

    post = _three_photo_post(alice)
    context = _browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True)
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        browser_login(page, live_server, "alice")
        card = page.locator(f"#post-{post.pk}")
        card.scroll_into_view_if_needed()
        height = card.bounding_box()["height"]
        box = card.locator(".carousel__frame").bounding_box()
        y = box["y"] + box["height"] / 2
        x0, x1 = box["x"] + box["width"] * 0.8, box["x"] + box["width"] * 0.2

        # a real finger: touchStart, moves, touchEnd through the DevTools protocol
        cdp = context.new_cdp_session(page)
        cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x0, "y": y}]})
        steps = 8
        for i in range(1, steps + 1):
            cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x0 + (x1 - x0) * i / steps, "y": y}]})
            page.wait_for_timeout(16)
        cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})

        _wait_for_slide(page, card, 1)  # scroll-snap lands on slide 2, and the dots follow
        assert card.bounding_box()["height"] == height
    finally:
        context.close()


def test_post_page_uses_the_same_carousel(page, live_server, login, alice, media_root):
    post = _three_photo_post(alice)
    login(page, "alice")
    page.goto(f"{live_server.url}/p/{post.pk}/")
    card = page.locator(f"#post-{post.pk}")
    expect(card.locator(".carousel__slide")).to_have_count(3)
    page.keyboard.press("ArrowRight")  # the page's one carousel takes the arrow keys
    _wait_for_slide(page, card, 1)
    card.locator("[data-carousel-next]").click()
    _wait_for_slide(page, card, 2)


def test_without_javascript_the_track_still_scrolls_between_slides(_browser, live_server, alice, media_root):
    from conftest import browser_login

    post = _three_photo_post(alice)
    context = _browser.new_context(viewport={"width": 1280, "height": 900}, java_script_enabled=False)
    try:
        page = context.new_page()
        browser_login(page, live_server, "alice")
        card = page.locator(f"#post-{post.pk}")
        expect(card.locator(".carousel__slide")).to_have_count(3)
        track = card.locator("[data-carousel-track]")
        width = track.evaluate("t => t.clientWidth")
        assert track.evaluate("t => t.scrollWidth") == 3 * width  # all three are there, side by side
        card.locator(".carousel__slide").nth(1).scroll_into_view_if_needed()
        expect(card.locator(".carousel__slide").nth(1)).to_be_in_viewport(ratio=0.95)
    finally:
        context.close()
