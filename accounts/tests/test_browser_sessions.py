"""In a real browser: the login form offers "Remember me", and without it the session cookie ends
with the browser (issue 9, item 11); a locked account is told when to try again (item 9)."""

import pytest
from django.conf import settings

from instaclone.testing import DEFAULT_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _session_cookie(browser_context):
    [cookie] = [c for c in browser_context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME]
    return cookie


def test_sign_in_without_remember_me_gives_a_browser_session_cookie(page, browser_context, live_server, alice):
    page.goto(f"{live_server.url}/accounts/login/")
    remember = page.get_by_label("Remember me", exact=False)
    assert remember.is_visible() and not remember.is_checked()
    page.fill("input[name=login]", "alice")
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("form.form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    assert _session_cookie(browser_context)["expires"] == -1  # a session cookie: gone at browser close


def test_sign_in_with_remember_me_keeps_the_cookie(page, browser_context, live_server, alice):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", "alice")
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.get_by_label("Remember me", exact=False).check()
    page.click("form.form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    import time

    expires = _session_cookie(browser_context)["expires"]
    assert expires > time.time() + settings.SESSION_IDLE_TIMEOUT - 3600


def test_a_locked_account_is_told_when_to_try_again(page, live_server, alice):
    page.goto(f"{live_server.url}/accounts/login/")
    for login in ["alice", "ALICE", "alice@example.com", "Alice", "alice"]:
        page.fill("input[name=login]", login)
        page.fill("input[name=password]", "wrong-password")
        page.click("form.form button[type=submit]")
        page.wait_for_load_state()
    page.fill("input[name=login]", "alice")
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("form.form button[type=submit]")
    page.wait_for_load_state()
    assert page.get_by_text("Too many failed attempts. Try again in 5 minutes.").is_visible()
    assert page.locator("input[name=password]").is_visible()  # still the sign-in page, in the layout
