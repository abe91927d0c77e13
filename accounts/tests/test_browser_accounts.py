"""First journey in a real browser: sign up → read the code from the outbox → verify → edit profile →
sign out → replay the old cookie (signed out) → sign in."""

import pytest
from django.conf import settings

from accounts.models import User
from instaclone.testing import image_bytes

from .helpers import last_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_signup_verify_edit_logout_replay_login(page, browser_context, live_server, tmp_path):
    base = live_server.url
    page.goto(f"{base}/")
    page.click("text=Sign up")
    page.fill("input[name=email]", "Zoe@Example.com")
    page.fill("input[name=username]", "zoe")
    page.fill("input[name=password1]", "a-long-pass-phrase-9")
    page.click("form.form button[type=submit]")

    page.wait_for_url(f"{base}/accounts/confirm-email/")
    page.fill("input[name=code]", last_code("Zoe@Example.com"))
    page.click("form.form button[type=submit]")
    page.wait_for_url(f"{base}/")
    assert page.get_by_role("navigation", name="Main").is_visible()

    # Edit profile with an avatar
    page.goto(f"{base}/settings/profile/")
    page.fill("input[name=display_name]", "Zoë Washburne")
    page.fill("textarea[name=bio]", "Pilot. <b>not bold</b>")
    avatar = tmp_path / "me.png"
    avatar.write_bytes(image_bytes("PNG", (500, 300)))
    page.set_input_files("input[name=avatar_upload]", str(avatar))
    page.click("form.form button[type=submit]")
    page.wait_for_selector("text=Profile saved.")
    user = User.objects.get(username="zoe")
    assert user.display_name == "Zoë Washburne" and user.avatar.startswith("avatars/")

    page.goto(f"{base}/zoe/")
    assert page.locator(".profile__name").inner_text() == "Zoë Washburne"
    assert page.locator(".profile__bio").inner_text() == "Pilot. <b>not bold</b>"  # escaped, shown as text
    src = page.locator("img.avatar--xl").get_attribute("src")
    assert user.avatar in src
    assert page.request.get(f"{base}{src}").status == 200

    # Sign out, keeping a copy of the session cookie
    stolen = next(c for c in browser_context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME)
    page.click("nav .nav__button:has-text('Log out')")
    page.wait_for_url(f"{base}/")
    assert page.locator("text=Sign up to see photos").is_visible()

    # Replay the old cookie: still signed out
    browser_context.add_cookies([stolen])
    page.goto(f"{base}/settings/")
    assert "/accounts/login/" in page.url

    # Sign in again with the email address
    page.fill("input[name=login]", "zoe@example.com")
    page.fill("input[name=password]", "a-long-pass-phrase-9")
    page.click("form.form button[type=submit]")
    page.wait_for_url(f"{base}/settings/")
    assert page.locator("text=@zoe").is_visible()


def test_bad_avatar_shows_a_visible_error(page, live_server, login, tmp_path):
    from instaclone.testing import make_user

    make_user("yara")
    login(page, "yara")
    page.goto(f"{live_server.url}/settings/profile/")
    fake = tmp_path / "fake.jpg"
    fake.write_text("not an image at all")
    page.set_input_files("input[name=avatar_upload]", str(fake))
    page.click("form.form button[type=submit]")
    error = page.locator(".field__errors")
    error.wait_for()
    assert "isn't a photo" in error.inner_text()
    assert User.objects.get(username="yara").avatar == ""
