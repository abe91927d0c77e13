"""In a real browser (issue 15): alice deletes her account with her password and is signed out; bob
can no longer see her profile; alice signs in again, is offered the restore and takes it; she
deletes it again, the grace period passes, the daily purge runs, and bob's counters and the name
"alice" are free of her. SCREENSHOT_DIR=docs/screenshots/15 saves delete-account-1280.png,
delete-account-390.png and restore-offer-1280.png."""

import os

import pytest

from accounts.models import User
from accounts.services import follow_create
from instaclone.testing import DEFAULT_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("SCREENSHOT_DIR")


def _shot(page, name, full_page=False):
    if SHOTS:
        os.makedirs(SHOTS, exist_ok=True)
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=full_page)


def _sign_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("form.form button[type=submit]")
    page.wait_for_load_state()


def _delete(page, live_server):
    page.goto(f"{live_server.url}/settings/")
    page.get_by_role("link", name="Delete account").click()
    page.wait_for_url(f"{live_server.url}/settings/delete/")
    page.get_by_label("Your password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Delete my account").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Your account is deleted").is_visible()


def test_delete_restore_delete_and_purge(page, _browser, live_server, login, alice, bob, settings):
    follow_create(follower=bob, followee=alice)
    follow_create(follower=alice, followee=bob)
    bob_context = _browser.new_context(viewport={"width": 1280, "height": 900})
    bob_page = bob_context.new_page()
    login(bob_page, "bob")

    login(page, "alice")
    page.goto(f"{live_server.url}/settings/delete/")
    assert page.get_by_text("deactivated at once").is_visible()
    _shot(page, "delete-account-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    page.get_by_role("heading", name="Delete your account").scroll_into_view_if_needed()
    page.evaluate("window.scrollBy(0, 480)")
    _shot(page, "delete-account-390")
    page.set_viewport_size({"width": 1280, "height": 900})

    # a wrong password deletes nothing
    page.get_by_label("Your password").fill("not-my-password")
    page.get_by_role("button", name="Delete my account").click()
    page.wait_for_load_state()
    assert page.get_by_role("alert").first.is_visible()
    assert User.objects.get(pk=alice.pk).is_active

    _delete(page, live_server)
    page.goto(f"{live_server.url}/settings/")
    assert "/accounts/login/" in page.url  # signed out
    assert bob_page.goto(f"{live_server.url}/alice/").status == 404

    # signing in again offers the restore
    _sign_in(page, live_server, "alice")
    assert page.url == f"{live_server.url}/settings/restore/"
    assert page.get_by_role("heading", name="Restore your account?").is_visible()
    _shot(page, "restore-offer-1280")
    page.get_by_role("button", name="Restore my account").click()
    page.wait_for_url(f"{live_server.url}/")
    assert page.get_by_text("Your account is restored").is_visible()
    assert bob_page.goto(f"{live_server.url}/alice/").status == 200

    # deleted again; the grace period passes and the daily purge runs
    _delete(page, live_server)
    settings.ACCOUNT_DELETION_GRACE_DAYS = 0
    from accounts.tasks import accounts_purge_due

    accounts_purge_due.enqueue()
    assert not User.objects.filter(username="alice").exists()
    bob_page.goto(f"{live_server.url}/bob/")
    counts = bob_page.locator("#profile-counts").inner_text()
    assert "0 followers" in counts.replace("\n", " ") and "0 following" in counts.replace("\n", " ")
    bob.refresh_from_db()
    assert (bob.follower_count, bob.following_count) == (0, 0)
    assert bob_page.goto(f"{live_server.url}/alice/").status == 404

    # the name is free: a new person signs up as alice
    page.goto(f"{live_server.url}/accounts/signup/")
    page.fill("input[name=email]", "alice@example.com")
    page.fill("input[name=username]", "alice")
    page.fill("input[name=password1]", "a-brand-new-password-42")
    page.click("form.form button[type=submit]")
    page.wait_for_load_state()
    assert User.objects.filter(username="alice").exclude(pk=alice.pk).exists()
    bob_context.close()
