"""Issue 5, section 5, in a real browser: B reports A's post; a moderator hides it from the admin;
B's feed and the post's URL no longer show it; A sees the "hidden by moderators" notice."""

import pytest

from accounts.services import graph
from instaclone.testing import DEFAULT_PASSWORD, image_upload, make_user
from posts.services import post_create
from social.models import Report

from .moderation_support import make_moderator


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_reported_post_hidden_by_a_moderator_disappears(page, _browser, live_server, login, media_root):
    alice = make_user("alice")
    bob = make_user("bob")
    make_moderator("mod")
    post = post_create(author=alice, caption="Totally legit giveaway", files=[(image_upload(), "a red square")])
    graph.follow_create(follower=bob, followee=alice)
    post_url = f"{live_server.url}/p/{post.pk}/"

    # B reports A's post through the menu's dialog
    login(page, "bob")
    assert page.locator(f'a[href="/p/{post.pk}/"]').count() > 0  # in B's feed
    page.goto(post_url)
    page.click(".post-menu summary")
    page.click("a.menu-report")
    dialog = page.locator("dialog.report-dialog--modal")
    dialog.wait_for()
    dialog.get_by_role("radio", name="Something else").check()
    dialog.get_by_role("button", name="Send report").click()
    page.locator("dialog.report-dialog--modal").get_by_text("Tell us what is wrong.").wait_for()  # inline, 400
    dialog = page.locator("dialog.report-dialog--modal")
    dialog.get_by_role("radio", name="Spam").check()
    dialog.get_by_role("button", name="Send report").click()
    page.get_by_text("Thanks for letting us know").wait_for()
    page.keyboard.press("Escape")  # a native modal: Esc closes and removes it
    page.locator("dialog").wait_for(state="detached")
    report = Report.objects.get()
    assert (report.reporter_id, report.post_id, report.reason) == (bob.pk, post.pk, "spam")

    # a moderator (own browser context, own cookies) opens the report in the admin and hides the post
    mod_context = _browser.new_context()
    try:
        mod_context.set_default_timeout(10_000)
        mod_page = mod_context.new_page()
        mod_page.goto(f"{live_server.url}/admin/")
        mod_page.fill("#id_username", "mod")
        mod_page.fill("#id_password", DEFAULT_PASSWORD)
        mod_page.click("input[type=submit]")
        mod_page.click("text=Reports")
        mod_page.click(f'a[href$="/admin/social/report/{report.pk}/change/"] >> nth=0')
        mod_page.get_by_text("Totally legit giveaway").first.wait_for()
        mod_page.fill("#id_moderation_notes", "fake giveaway")
        mod_page.get_by_role("button", name="Hide the reported content", exact=True).click()
        mod_page.get_by_text("Hidden: 1").wait_for()
        report.refresh_from_db()
        assert report.status == "actioned"
    finally:
        mod_context.close()

    # B's feed and the post's URL no longer show it
    page.goto(f"{live_server.url}/")
    assert page.locator(f'a[href="/p/{post.pk}/"]').count() == 0
    assert "Totally legit giveaway" not in page.content()
    response = page.goto(post_url)
    assert response.status == 404

    # A sees the notice on their own post
    page.context.clear_cookies()
    login(page, "alice")
    page.goto(post_url)
    page.get_by_text("This post is hidden by moderators").wait_for()
