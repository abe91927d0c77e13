"""The report queue in a real browser, as a moderator at 1280x800 (issue 13): it opens on open
reports, fits the screen without sideways scrolling, and a report's page shows the reported post as
its viewers saw it."""

import pytest

from instaclone.testing import DEFAULT_PASSWORD, image_upload, make_user
from posts.services import post_create
from social import moderation

from .moderation_support import make_moderator

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def mod_page(_browser, live_server):
    make_moderator("mod")
    context = _browser.new_context(viewport={"width": 1280, "height": 800})
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(f"{live_server.url}/admin/")
    page.fill("#id_username", "mod")
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")
    yield page
    context.close()


def _report_post(author, reporter, caption):
    post = post_create(author=author, caption=caption, files=[(image_upload(size=(800, 600)), "")])
    return post, moderation.report_create(reporter=reporter, target=post, reason="spam").report


def test_queue_fits_a_laptop_screen_and_opens_on_open_reports(mod_page, live_server, media_root):
    alice, bob = make_user("alice"), make_user("bob_with_a_rather_long_usernam")  # 30: the longest a username may be
    long = "Unbelievable giveaway of watches and phones, click the link in my bio to claim yours " * 4
    _, open_report = _report_post(alice, bob, long)
    handled_post, _ = _report_post(bob, alice, "handled already")
    moderation.post_hide(moderator=handled_post.author, post=handled_post)  # any staff user records it
    for i in range(3):
        moderation.report_create(reporter=make_user(f"reporter{i}"), target=alice, reason="other", text="bot " * 40)

    mod_page.click("text=Reports")
    mod_page.locator("#result_list").wait_for()
    assert mod_page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    # nor inside the admin's scrolling results box: every column is on screen
    assert mod_page.evaluate("(() => { const r = document.querySelector('.results'); return r.scrollWidth <= r.clientWidth; })()")
    assert mod_page.locator("#result_list th.column-status").bounding_box()["x"] + 40 < 1280
    assert mod_page.locator("#changelist-filter li.selected a", has_text="Open").count() == 1
    assert "handled already" not in mod_page.locator("#result_list").inner_text()
    assert mod_page.locator("#result_list tbody tr").count() == 4

    mod_page.locator("#changelist-filter a", has_text="All").first.click()
    mod_page.wait_for_url("**status__exact=all")
    assert "handled already" in mod_page.locator("#result_list").inner_text()
    assert mod_page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def test_report_page_shows_the_post_as_its_viewers_saw_it(mod_page, live_server, media_root):
    alice, bob = make_user("alice"), make_user("bob")
    post, report = _report_post(alice, bob, "cheap watches, DM me")
    mod_page.goto(f"{live_server.url}/admin/social/report/{report.pk}/change/")
    card = mod_page.locator(f".moderation-preview article#post-{post.pk}.post-card")
    card.wait_for()
    assert card.is_visible()
    assert "cheap watches, DM me" in card.inner_text()
    image = card.locator(".post-card__media img").first
    image.scroll_into_view_if_needed()
    mod_page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())
    box = card.bounding_box()
    assert 300 <= box["width"] <= 500  # drawn as a feed card, not stretched across the admin
    assert mod_page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")

    moderation.post_hide(moderator=bob, post=post)
    mod_page.reload()
    assert mod_page.get_by_text("Post hidden by moderators").is_visible()
    assert mod_page.locator(f"article#post-{post.pk}").is_visible()  # still shown, as stored
