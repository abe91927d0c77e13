"""Stories in a real browser (Chromium through Playwright): alice adds a story through the form; bob,
who follows her, sees her coloured ring first on his feed, watches her stories in the full-screen
viewer with the arrow keys, holds to pause, drags on to the next person, closes it with Esc, and her
ring turns grey; he replies (Direct opens the conversation with the story quoted); alice sees bob
among her story's viewers. Without JavaScript the ring is a link to the plain page, whose "Mark as
seen" works. axe-core finds nothing on the tray, the viewer and the story pages (light and dark,
desktop and phone). Screenshots: docs/screenshots/16/stories-*.png."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.conf import settings
from PIL import Image, ImageDraw

from accounts.services import follow_create
from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from conftest import browser_login
from posts.stories.models import Story, StoryView
from posts.stories.services import story_create
from posts.tests.factories import upload

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(settings.BASE_DIR) / "docs" / "screenshots" / "16"
AXE = Path(settings.BASE_DIR) / "instaclone" / "tests" / "vendor" / "axe.min.js"
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
RUN_AXE = """() => axe.run(document, {resultTypes: ['violations']}).then(r => r.violations.map(v => ({
  id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 6),
})))"""


def _picture(text: str, colours: tuple, size=(1080, 1920)) -> bytes:
    """A story-shaped picture: a gradient with a caption, as a phone would post."""
    img = Image.new("RGB", size, colours[0])
    draw = ImageDraw.Draw(img)
    top, bottom = colours
    for y in range(0, size[1], 8):
        t = y / size[1]
        colour = tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True))
        draw.rectangle([0, y, size[0], y + 8], fill=colour)
    draw.ellipse([size[0] * 0.25, size[1] * 0.3, size[0] * 0.75, size[1] * 0.3 + size[0] * 0.5], fill=(255, 255, 255))
    draw.text((size[0] * 0.1, size[1] * 0.75), text, fill=(255, 255, 255))
    out = io.BytesIO()
    img.save(out, "JPEG", quality=88)
    return out.getvalue()


def _story(author, text, colours):
    return story_create(author=author, upload=upload(f"{text}.jpg", _picture(text, colours), "image/jpeg"), alt_text=text)


def _shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"stories-{name}.png"))


def _axe(page, where, found):
    page.add_script_tag(path=str(AXE))
    for theme in ("light", "dark"):
        page.emulate_media(color_scheme=theme, reduced_motion="reduce")
        for violation in page.evaluate(RUN_AXE):
            found.append(f"{where}, {theme}: {violation['id']} ({violation['impact']}) {violation['help']} {violation['nodes']}")
    page.emulate_media(color_scheme="light")


def _people():
    alice = UserFactory(username="alice", display_name="Alice Liddell")
    bob = UserFactory(username="bob", display_name="Bob Builder")
    charlie = UserFactory(username="charlie", display_name="Charlie Brown")
    for name in ("dora", "erin", "frank"):
        UserFactory(username=name)
    for followee in (alice, charlie):
        follow_create(follower=bob, followee=followee)
    return alice, bob, charlie


def test_a_story_is_posted_watched_replied_to_and_its_viewers_listed(page, live_server, browser_context, tmp_path):
    alice, bob, charlie = _people()
    _story(charlie, "charlie at the beach", ((255, 170, 60), (200, 40, 120)))
    _story(alice, "alice, first", ((40, 90, 200), (20, 20, 60)))

    # alice adds a second story through the form (the tray's "+" leads there)
    browser_login(page, live_server, "alice")
    page.click("#story-tray a[aria-label='Add to your story']")
    page.wait_for_url("**/stories/new/")
    photo = tmp_path / "sunset.jpg"
    photo.write_bytes(_picture("alice, second", ((250, 120, 40), (90, 20, 80))))
    page.set_input_files("input[name=media]", str(photo))
    page.fill("input[name=alt_text]", "A sunset over the sea")
    _shot(page, "new-1280")
    page.click("form.form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    assert "Added to your story." in page.inner_text("#messages")
    assert Story.objects.filter(author=alice).count() == 2
    page.context.clear_cookies()

    # bob's feed: alice's coloured ring (newest unseen) first, then charlie's
    browser_login(page, live_server, "bob")
    rings = page.locator("#story-tray a[data-story-ring]")
    assert [rings.nth(i).get_attribute("href") for i in range(rings.count())] == ["/stories/alice/", "/stories/charlie/"]
    assert "story-ring--unseen" in rings.nth(0).get_attribute("class")
    _shot(page, "tray-1280")

    # the viewer: progress bars, the arrow keys, hold to pause (a photo shows for a minute here, not
    # 5 s, so a slow machine never moves on by itself mid-test)
    page.evaluate("document.getElementById('story-viewer-template').dataset.imageMs = '60000'")
    rings.nth(0).click()
    viewer = page.locator("dialog.story-viewer")
    viewer.wait_for()
    page.wait_for_selector(".story-viewer .story-item.is-current img")
    assert viewer.locator(".story-viewer__bar").count() == 2
    assert viewer.locator(".story-viewer__username").inner_text() == "alice"
    assert viewer.locator(".story-item.is-current img").get_attribute("alt") == "alice, first"
    page.wait_for_timeout(300)
    _shot(page, "viewer-1280")
    page.keyboard.press("ArrowRight")
    assert viewer.locator(".story-item.is-current img").get_attribute("alt") == "A sunset over the sea"
    page.keyboard.press("ArrowLeft")
    assert viewer.locator(".story-item.is-current img").get_attribute("alt") == "alice, first"
    page.keyboard.press("ArrowRight")
    box = viewer.locator(".story-viewer__nav--next").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.wait_for_timeout(400)
    assert "is-paused" in viewer.get_attribute("class")
    page.mouse.up()
    assert "is-paused" not in viewer.get_attribute("class")
    assert viewer.locator(".story-item.is-current img").get_attribute("alt") == "A sunset over the sea"  # a hold is no tap
    # both of alice's stories were recorded, once each
    page.wait_for_function("() => document.querySelectorAll('.story-viewer .story-item[data-seen=\"1\"]').length === 2")
    assert sorted(StoryView.objects.filter(viewer=bob).values_list("story__author__username", flat=True)) == ["alice", "alice"]
    assert "story-ring--seen" in page.locator("#story-tray a[href='/stories/alice/']").get_attribute("class")

    # replying: Direct opens (or continues) the conversation, the story quoted
    viewer.locator(".story-item.is-current input[name=text]").fill("Lovely colours!")
    viewer.locator(".story-item.is-current .story-reply button").click()
    viewer.locator(".story-item.is-current .story-viewer__sent").wait_for()
    assert "is-paused" not in viewer.get_attribute("class")

    # a drag to the left moves on to the next person (a swipe on a phone), in the tray's order
    box = viewer.locator(".story-viewer__nav--next").bounding_box()
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] * 0.8, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.2, y, steps=5)
    page.mouse.up()
    page.wait_for_function("() => document.querySelector('.story-viewer__username').textContent === 'charlie'")
    page.wait_for_selector(".story-viewer .story-item.is-current img")
    page.keyboard.press("Escape")
    viewer.wait_for(state="detached")
    assert page.evaluate("document.activeElement.getAttribute('href')") == "/stories/charlie/"  # focus back on the ring
    page.reload()
    assert "story-ring--seen" in page.locator("#story-tray a[href='/stories/alice/']").get_attribute("class")
    assert "story-ring--seen" in page.locator("#story-tray a[href='/stories/charlie/']").get_attribute("class")

    # the reply is a message in bob's conversation with alice, her story quoted (Direct's page)
    page.goto(f"{live_server.url}/direct/")
    assert "replied to a story: Lovely colours!" in page.inner_text("main")
    page.click("text=replied to a story")
    page.wait_for_selector(".dm-story__label")
    assert page.inner_text(".dm-story__label") == "Replied to alice's story"
    assert page.locator("#message-list", has_text="Lovely colours!").count() == 1
    page.context.clear_cookies()

    # alice sees bob among the viewers of each story
    browser_login(page, live_server, "alice")
    story = Story.objects.filter(author=alice).order_by("created").last()
    page.goto(f"{live_server.url}/stories/alice/{story.pk}/viewers/")
    assert "Seen by 1 person" in page.inner_text("main") and page.locator("#story-viewers .person__username", has_text="bob").count() == 1
    _shot(page, "viewers-1280")


def test_the_viewer_at_a_phones_size(_browser, live_server):
    alice, bob, charlie = _people()
    _story(alice, "alice on the phone", ((40, 160, 120), (10, 40, 60)))
    _story(charlie, "charlie", ((255, 170, 60), (200, 40, 120)))
    context = _browser.new_context(**PHONE)
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        browser_login(page, live_server, "bob")
        _shot(page, "tray-390")
        rings = page.locator("#story-tray a[data-story-ring]")
        assert rings.first.get_attribute("href") == "/stories/charlie/"  # the newest first
        rings.first.tap()
        page.wait_for_selector(".story-viewer .story-item.is-current img")
        page.wait_for_timeout(300)
        _shot(page, "viewer-390")
        page.locator(".story-viewer__nav--next").tap()  # a tap on the right: on to the next person
        page.wait_for_function("() => document.querySelector('.story-viewer__username').textContent === 'alice'")
        page.locator(".story-viewer__close").tap()
        page.wait_for_selector("dialog.story-viewer", state="detached")
    finally:
        context.close()


def test_the_viewer_plays_on_by_itself_through_the_rings_and_closes_after_the_last(page, live_server):
    alice, bob, charlie = _people()
    _story(charlie, "charlie", ((255, 170, 60), (200, 40, 120)))
    _story(alice, "alice, first", ((40, 90, 200), (20, 20, 60)))
    _story(alice, "alice, second", ((250, 120, 40), (90, 20, 80)))
    browser_login(page, live_server, "bob")
    page.evaluate("document.getElementById('story-viewer-template').dataset.imageMs = '700'")
    page.locator("#story-tray a[data-story-ring]").first.click()
    page.wait_for_function("() => document.querySelector('.story-viewer__username').textContent === 'alice'")
    page.wait_for_function("() => document.querySelectorAll('.story-viewer__bar--done').length === 1")  # the first bar filled
    page.wait_for_function("() => document.querySelector('.story-viewer__username').textContent === 'charlie'")
    page.wait_for_selector("dialog.story-viewer", state="detached")  # after the last ring
    assert StoryView.objects.filter(viewer=bob).count() == 3


def _open_first_ring(page, image_ms):
    page.evaluate(f"document.getElementById('story-viewer-template').dataset.imageMs = '{image_ms}'")
    page.locator("#story-tray a[data-story-ring]").first.click()
    page.wait_for_selector(".story-viewer .story-item.is-current img")
    return page.locator("dialog.story-viewer")


def _current_alt(viewer):
    return viewer.locator(".story-item.is-current img").get_attribute("alt")


def test_with_reduced_motion_nothing_moves_by_itself(_browser, live_server):
    alice, bob, charlie = _people()
    _story(alice, "alice, first", ((40, 90, 200), (20, 20, 60)))
    _story(alice, "alice, second", ((250, 120, 40), (90, 20, 80)))
    context = _browser.new_context(viewport={"width": 1280, "height": 900}, reduced_motion="reduce")
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        browser_login(page, live_server, "bob")
        viewer = _open_first_ring(page, 300)  # a photo would move on after 0.3 s
        fills = viewer.locator(".story-viewer__fill")
        page.wait_for_timeout(1500)
        assert _current_alt(viewer) == "alice, first"  # no auto-advance
        # the bars are still: the current one full at once, the next empty, nothing in between
        assert [fills.nth(i).evaluate("e => e.style.transform") for i in range(2)] == ["scaleX(1)", "scaleX(0)"]
        # "1 of 2" stays for screen readers; the pause button keeps its name and says it is pressed
        number = viewer.locator(".story-item.is-current .story-item__number")
        assert number.inner_text() == "1 of 2" and number.is_visible()
        pause = viewer.get_by_role("button", name="Pause", exact=True)
        assert pause.get_attribute("aria-pressed") == "false"
        pause.click()
        assert viewer.get_by_role("button", name="Pause", exact=True).get_attribute("aria-pressed") == "true"
        pause.click()
        page.keyboard.press("ArrowRight")  # the person moves on
        assert _current_alt(viewer) == "alice, second"
        page.wait_for_timeout(1000)
        assert _current_alt(viewer) == "alice, second" and viewer.is_visible()  # the last one waits too
    finally:
        context.close()


def test_report_from_inside_the_viewer_opens_the_dialog_and_holds_the_story(page, live_server):
    alice, bob, charlie = _people()
    _story(alice, "alice, first", ((40, 90, 200), (20, 20, 60)))
    _story(alice, "alice, second", ((250, 120, 40), (90, 20, 80)))
    browser_login(page, live_server, "bob")
    viewer = _open_first_ring(page, 2500)
    viewer.locator(".story-item.is-current .story-item__report").click()
    dialog = page.locator("dialog.report-dialog--modal[open]")  # htmx's dialog, not the plain page
    dialog.wait_for()
    assert page.url == f"{live_server.url}/"
    page.wait_for_timeout(3500)  # longer than a photo's time: it holds
    assert _current_alt(viewer) == "alice, first"
    dialog.locator("input[value=spam]").check()
    dialog.locator("button[type=submit]", has_text="Report").click()
    dialog.get_by_text("Thanks for letting us know").wait_for()  # social's answer (its tests check the row)
    dialog.get_by_role("button", name="Close").click()
    page.wait_for_selector("dialog.report-dialog--modal", state="detached")
    # playing again: on to the second story by itself
    page.wait_for_function("() => document.querySelector('.story-viewer .story-item.is-current img').alt === 'alice, second'")


def test_a_view_the_server_did_not_record_is_not_marked_seen(page, live_server):
    alice, bob, charlie = _people()
    _story(alice, "alice", ((40, 90, 200), (20, 20, 60)))
    refused = []

    def server_error(route):
        refused.append(route.request.url)
        route.fulfill(status=500, body="", content_type="text/plain")

    page.route("**/stories/alice/*/seen/", server_error)
    browser_login(page, live_server, "bob")
    viewer = _open_first_ring(page, 60000)
    page.wait_for_function("() => document.querySelector('.story-viewer .story-item.is-current').dataset.seen === '0'")
    assert len(refused) == 1 and not StoryView.objects.exists()
    ring = page.locator("#story-tray a[href='/stories/alice/']")
    assert "story-ring--unseen" in ring.get_attribute("class") and ", new" in ring.inner_text()
    viewer.locator(".story-viewer__close").click()
    viewer.wait_for(state="detached")
    page.unroute("**/stories/alice/*/seen/")
    _open_first_ring(page, 60000)  # shown again: posted again, recorded this time
    page.wait_for_function("() => document.querySelector('#story-tray a[href=\"/stories/alice/\"]').classList.contains('story-ring--seen')")
    page.wait_for_timeout(300)
    assert StoryView.objects.filter(viewer=bob).count() == 1


def test_going_back_a_person_opens_their_last_story(page, live_server):
    alice, bob, charlie = _people()
    _story(charlie, "charlie", ((255, 170, 60), (200, 40, 120)))
    _story(alice, "alice, first", ((40, 90, 200), (20, 20, 60)))
    _story(alice, "alice, second", ((250, 120, 40), (90, 20, 80)))
    browser_login(page, live_server, "bob")
    viewer = _open_first_ring(page, 60000)
    assert _current_alt(viewer) == "alice, first"
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => document.querySelector('.story-viewer__username').textContent === 'charlie'")
    page.wait_for_selector(".story-viewer .story-item.is-current img")
    page.keyboard.press("ArrowLeft")
    page.wait_for_function("() => document.querySelector('.story-viewer__username').textContent === 'alice'")
    page.wait_for_selector(".story-viewer .story-item.is-current img")
    assert _current_alt(viewer) == "alice, second"


def test_the_author_deletes_a_story_from_the_viewer_after_confirming(page, live_server):
    alice, bob, charlie = _people()
    first = _story(alice, "alice, first", ((40, 90, 200), (20, 20, 60)))
    _story(alice, "alice, second", ((250, 120, 40), (90, 20, 80)))
    browser_login(page, live_server, "alice")
    viewer = _open_first_ring(page, 60000)
    questions = []

    def answer(dialog, accept):
        questions.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda dialog: answer(dialog, False))
    viewer.locator(".story-item.is-current .story-item__delete").click()
    page.wait_for_timeout(300)
    assert questions == ["Delete this story? It can't be undone."] and Story.objects.count() == 2  # cancelled

    page.once("dialog", lambda dialog: answer(dialog, True))
    viewer.locator(".story-item.is-current .story-item__delete").click()
    page.wait_for_selector("#messages >> text=Story deleted.")
    assert list(Story.objects.values_list("alt_text", flat=True)) == ["alice, second"]
    assert not Story.objects.filter(pk=first.pk).exists()


def test_without_javascript_the_ring_leads_to_the_plain_page(_browser, live_server):
    alice, bob, _ = _people()
    first = _story(alice, "alice, first", ((40, 90, 200), (20, 20, 60)))
    second = _story(alice, "alice, second", ((250, 120, 40), (90, 20, 80)))
    context = _browser.new_context(viewport={"width": 1280, "height": 900}, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=login]", "bob")
        page.fill("input[name=password]", DEFAULT_PASSWORD)
        page.click("form.form button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")
        page.click("#story-tray a[href='/stories/alice/']")
        page.wait_for_url("**/stories/alice/")
        alts = page.locator(".story-items .story-item img").evaluate_all("els => els.map(e => e.alt)")
        assert alts == ["alice, first", "alice, second"]  # in order
        assert page.locator("[data-story-play]").is_hidden()  # the viewer's button needs JavaScript
        _shot(page, "page-1280")
        page.click("text=Mark as seen")
        page.wait_for_url(f"{live_server.url}/")
        assert set(StoryView.objects.filter(viewer=bob).values_list("story_id", flat=True)) == {first.pk, second.pk}
        assert "story-ring--seen" in page.locator("#story-tray a[href='/stories/alice/']").get_attribute("class")
    finally:
        context.close()


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_the_story_pages_have_no_axe_violations(_browser, live_server, device):
    alice, bob, charlie = _people()
    story = _story(alice, "alice", ((40, 90, 200), (20, 20, 60)))
    _story(charlie, "charlie", ((255, 170, 60), (200, 40, 120)))
    from posts.stories.services import story_views_record

    story_views_record(viewer=bob, story_ids=[story.pk])
    options = PHONE if device == "phone" else {"viewport": {"width": 1280, "height": 800}}
    context = _browser.new_context(**options, bypass_csp=True, reduced_motion="reduce")
    context.set_default_timeout(15_000)
    page = context.new_page()
    found: list[str] = []
    try:
        browser_login(page, live_server, "bob")
        _axe(page, f"feed with the tray, {device}", found)
        page.locator("#story-tray a[data-story-ring]").first.click()
        page.wait_for_selector(".story-viewer .story-item.is-current img")
        page.locator(".story-viewer__pause").click()  # hold it still while axe reads it
        _axe(page, f"the viewer, {device}", found)
        page.goto(f"{live_server.url}/stories/alice/")
        _axe(page, f"a person's stories, {device}", found)
        page.goto(f"{live_server.url}/stories/new/")
        _axe(page, f"your story (new), {device}", found)
        page.context.clear_cookies()
        browser_login(page, live_server, "alice")
        _axe(page, f"feed with your own ring, {device}", found)
        page.goto(f"{live_server.url}/stories/alice/")
        _axe(page, f"your stories, {device}", found)
        if device == "desktop":
            _shot(page, "own-page-1280")
        page.goto(f"{live_server.url}/stories/alice/{story.pk}/viewers/")
        _axe(page, f"viewers, {device}", found)
        if device == "phone":
            _shot(page, "viewers-390")
        page.goto(f"{live_server.url}/stories/alice/{story.pk}/delete/confirm/")
        _axe(page, f"delete a story (no JavaScript's question), {device}", found)
        _shot(page, f"delete-confirm-{'390' if device == 'phone' else '1280'}")
        Story.objects.filter(pk=story.pk).update(is_hidden=True)  # a moderator hid it: its author still sees it
        page.goto(f"{live_server.url}/stories/alice/")
        _axe(page, f"your hidden story, {device}", found)
        page.locator("[data-story-play]").click()
        page.wait_for_selector(".story-viewer .story-item.is-current .story-item__hidden")
        page.locator(".story-viewer__pause").click()
        _axe(page, f"your hidden story in the viewer, {device}", found)
        _shot(page, f"hidden-{'390' if device == 'phone' else '1280'}")
    finally:
        context.close()
    assert not found, "\n".join(found)

