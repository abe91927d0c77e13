"""In a real browser: the login form offers "Remember me", and without it the session cookie ends
with the browser (issue 9, item 11)."""

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
