"""The whole auth story driven by Mastodon.py, unmodified, against the live server (issue 14):
create_app, auth_request_url + sign-in for the out-of-band code, log_in(code=...),
app_verify_credentials / account_verify_credentials, create_account with an app token (a token
back; refused most things until the email is confirmed), revoke_access_token, then refused."""

from urllib.parse import urlsplit

import pytest
from django.test import Client
from mastodon import Mastodon
from mastodon.errors import MastodonAPIError, MastodonIllegalArgumentError, MastodonUnauthorizedError

pytestmark = pytest.mark.django_db(transaction=True)
OOB = "urn:ietf:wg:oauth:2.0:oob"
SCOPES = ["read", "write", "follow"]


def _code_from_consent_page(url: str, user) -> str:
    """What a person does in a browser: open the URL signed in, press Authorize, read the code."""
    browser = Client()
    browser.force_login(user)
    parts = urlsplit(url)
    path = f"{parts.path}?{parts.query}"
    page = browser.get(path)
    assert page.status_code == 200 and b"Authorize" in page.content
    data = {k: v for k, v in page.context["form"].initial.items() if v is not None}
    response = browser.post(path, {**data, "allow": "Authorize"})
    assert response.status_code == 200
    return response.context["code"]


@pytest.fixture
def app_credentials(live_server):
    return Mastodon.create_app("Mastodon.py test", scopes=SCOPES, redirect_uris=OOB, api_base_url=live_server.url)


def _client(live_server, client_id, client_secret, **kwargs):
    return Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=live_server.url,
                    version_check_mode="none", **kwargs)


def test_sign_in_by_oob_code_then_revoke(live_server, app_credentials, alice):
    masto = _client(live_server, *app_credentials)
    info = masto.oauth_authorization_server_info()
    assert "password" not in info["grant_types_supported"]
    url = masto.auth_request_url(redirect_uris=OOB, scopes=SCOPES, allow_http=True)
    assert url.startswith(f"{live_server.url}/oauth/authorize?")
    code = _code_from_consent_page(url, alice)
    token = masto.log_in(code=code, redirect_uri=OOB, scopes=SCOPES, allow_http=True)
    assert token
    assert masto.app_verify_credentials()["name"] == "Mastodon.py test"
    assert masto.account_verify_credentials()["username"] == "alice"

    masto.revoke_access_token(allow_http=True)
    refused = _client(live_server, *app_credentials, access_token=token)
    with pytest.raises(MastodonUnauthorizedError):
        refused.account_verify_credentials()


def test_the_password_grant_is_refused(live_server, app_credentials, alice):
    masto = _client(live_server, *app_credentials)
    with pytest.raises(MastodonIllegalArgumentError, match="Password flow is not supported"):
        masto.log_in(username="alice@example.com", password="correct-horse-battery-staple", scopes=SCOPES)


def test_a_read_token_cannot_write(live_server, app_credentials, alice):
    masto = _client(live_server, *app_credentials)
    url = masto.auth_request_url(redirect_uris=OOB, scopes=["read"], allow_http=True)
    masto.log_in(code=_code_from_consent_page(url, alice), redirect_uri=OOB, scopes=["read"], allow_http=True)
    assert masto.account_verify_credentials()["username"] == "alice"
    with pytest.raises(MastodonAPIError) as refused:
        masto.account_update_credentials(note="changed by a read token")
    assert refused.value.args[1] == 403


def test_create_account_returns_a_token_that_waits_for_the_email(live_server, app_credentials):
    from allauth.account.models import EmailAddress

    masto = _client(live_server, *app_credentials)
    token = masto.create_account("newbie", "a-long-pass-phrase-9", "newbie@example.com", agreement=True, scopes=SCOPES)
    assert token
    assert masto.account_verify_credentials()["username"] == "newbie"  # allowed before confirmation
    with pytest.raises(MastodonAPIError) as refused:
        masto.timeline_home()
    assert refused.value.args[1] == 403  # "Your login is missing a confirmed e-mail address"

    EmailAddress.objects.filter(email="newbie@example.com").update(verified=True)
    assert masto.timeline_home() == []

    masto.revoke_access_token(allow_http=True)
    with pytest.raises(MastodonUnauthorizedError):
        _client(live_server, *app_credentials, access_token=token).account_verify_credentials()


def test_create_account_reports_mastodons_errors(live_server, app_credentials, alice):
    masto = _client(live_server, *app_credentials)
    token, error = masto.create_account("alice", "a-long-pass-phrase-9", "x@example.com", agreement=True,
                                        scopes=SCOPES, return_detailed_error=True)
    assert token is None
    assert error["details"]["username"][0]["error"] == "ERR_TAKEN"
