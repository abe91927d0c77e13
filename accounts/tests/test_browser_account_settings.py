"""In a real browser (issue 13): the sessions page names the browser and device in words, and
changing the email asks for the current password."""

import pytest
from django.core import mail

from instaclone.testing import DEFAULT_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.5 Mobile/15E148 Safari/604.1"
)


def test_sessions_page_shows_a_readable_device(_browser, live_server, login, alice):
    context = _browser.new_context(viewport={"width": 390, "height": 844}, user_agent=IPHONE, is_mobile=True, has_touch=True)
    try:
        page = context.new_page()
        login(page, "alice")
        page.goto(f"{live_server.url}/accounts/sessions/")
        device = page.locator(".session__device").first
        assert device.inner_text() == "Safari on iPhone"
        assert device.get_attribute("title") == IPHONE
        assert "AppleWebKit" not in page.locator("main").inner_text()
    finally:
        context.close()


def test_email_change_asks_for_the_password(page, live_server, login, alice):
    login(page, "alice")
    page.goto(f"{live_server.url}/accounts/email/")
    password = page.get_by_label("Your password")
    assert password.is_visible() and password.get_attribute("type") == "password"
    page.fill("input[name=email]", "new-alice@example.com")
    password.fill("not-my-password")
    with page.expect_navigation():
        page.click("button[name=action_add]")
    assert page.get_by_text("Incorrect password.").is_visible()
    assert page.url == f"{live_server.url}/accounts/email/"
    assert not [m for m in mail.outbox if "new-alice@example.com" in m.to]  # no code sent

    page.fill("input[name=email]", "new-alice@example.com")
    page.get_by_label("Your password").fill(DEFAULT_PASSWORD)
    with page.expect_navigation():
        page.click("button[name=action_add]")
    assert page.get_by_text("Enter Email Verification Code").is_visible()  # the code was sent
    assert [m for m in mail.outbox if "new-alice@example.com" in m.to]
