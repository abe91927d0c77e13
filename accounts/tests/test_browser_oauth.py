"""In a real browser (issue 14): an app registered over HTTP sends a signed-out person to the
consent page; they sign in and come back to it, authorize, and copy the out-of-band code, which
Mastodon.py exchanges for a token; then they revoke the app on Settings → Apps and the client is
refused. SCREENSHOT_DIR=docs/screenshots/14 saves consent-1280.png, oob-code-390.png and
apps-settings-1280.png."""

import os

import pytest
from mastodon import Mastodon
from mastodon.errors import MastodonUnauthorizedError

from instaclone.testing import DEFAULT_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("SCREENSHOT_DIR")
OOB = "urn:ietf:wg:oauth:2.0:oob"
SCOPES = ["read", "write", "follow"]


def _shot(page, name):
    if SHOTS:
        os.makedirs(SHOTS, exist_ok=True)
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"))


def test_authorize_by_oob_code_then_revoke_on_the_apps_page(page, live_server, alice):
    client_id, client_secret = Mastodon.create_app(
        "Pocket client", scopes=SCOPES, redirect_uris=OOB, website="https://pocket.example", api_base_url=live_server.url
    )
    masto = Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=live_server.url, version_check_mode="none")
    url = masto.auth_request_url(redirect_uris=OOB, scopes=SCOPES, allow_http=True)

    page.goto(url)  # signed out: the site's sign-in page, then back here
    page.fill("input[name=login]", "alice")
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("form.form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/oauth/authorize?**")
    assert page.get_by_role("heading", name="Authorize Pocket client?").is_visible()
    assert page.get_by_text("Follow, unfollow and block people").is_visible()
    assert page.get_by_role("link", name="https://pocket.example").is_visible()
    _shot(page, "consent-1280")

    page.set_viewport_size({"width": 390, "height": 844})
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Authorization code").is_visible()
    code = page.get_by_label("Authorization code").input_value()
    assert code
    _shot(page, "oob-code-390")

    token = masto.log_in(code=code, redirect_uri=OOB, scopes=SCOPES, allow_http=True)
    assert masto.account_verify_credentials()["username"] == "alice"

    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{live_server.url}/settings/apps/")
    assert page.get_by_role("heading", name="Pocket client").is_visible()
    _shot(page, "apps-settings-1280")
    page.get_by_role("button", name="Revoke access for Pocket client").click()
    page.wait_for_load_state()
    assert page.get_by_text("No apps can use your account.").is_visible()

    refused = Mastodon(access_token=token, api_base_url=live_server.url, version_check_mode="none")
    with pytest.raises(MastodonUnauthorizedError):
        refused.account_verify_credentials()
