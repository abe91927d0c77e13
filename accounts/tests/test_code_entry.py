"""The code-entry pages (sign-in code, email verification code): "Confirm" is the primary,
full-width button, "Cancel" a secondary one (issue 13)."""

import re

import pytest

pytestmark = pytest.mark.django_db


def _buttons(html):
    return {text.strip(): classes for classes, text in re.findall(r'<(?:button|a)[^>]*class="([^"]*)"[^>]*>\s*([^<]+?)\s*</', html)}


def test_sign_in_code_page_confirm_is_primary_and_full_width(client, alice):
    response = client.post("/accounts/login/code/", {"email": "alice@example.com"}, follow=True)
    html = response.content.decode()
    assert "Enter Sign-In Code" in html
    buttons = _buttons(html)
    assert buttons["Confirm"].split() == ["btn", "btn--primary", "btn--block"]
    assert "btn--primary" not in buttons["Cancel"].split()


def test_email_verification_code_page_confirm_is_primary_and_full_width(client, alice):
    from instaclone.testing import DEFAULT_PASSWORD

    client.force_login(alice)
    response = client.post(
        "/accounts/email/", {"action_add": "", "email": "new-alice@example.com", "password": DEFAULT_PASSWORD}, follow=True
    )
    html = response.content.decode()
    assert "Enter Email Verification Code" in html
    buttons = _buttons(html)
    assert buttons["Confirm"].split() == ["btn", "btn--primary", "btn--block"]
    assert "btn--primary" not in buttons["Cancel"].split()


def test_other_allauth_buttons_keep_their_style(client):
    html = client.get("/accounts/login/").content.decode()
    assert "btn--block" not in " ".join(_buttons(html).values())
