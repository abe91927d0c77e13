"""Failed sign-ins lock the account whatever was typed, say when to try again, and per-IP limits see
the real client behind a trusted proxy (issue 9, item 9)."""

import os
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.test import RequestFactory

from accounts.ratelimits import client_ip
from instaclone.testing import DEFAULT_PASSWORD, make_user

LOGIN = "/accounts/login/"


def _login(client, login, password="wrong-password", **meta):
    return client.post(LOGIN, {"login": login, "password": password}, **meta)


@pytest.mark.django_db
def test_five_failures_in_any_spelling_lock_the_account(client, charlie):
    for login in ["charlie", "charlie@example.com", "CHARLIE", "Charlie@Example.COM", "Charlie"]:
        response = _login(client, login)
        assert "not correct" in response.content.decode()
    response = _login(client, "charlie", DEFAULT_PASSWORD)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Too many failed attempts. Try again in 5 minutes." in page
    assert "<nav" in page or "<main" in page  # the site's layout, not a bare error page
    assert "_auth_user_id" not in client.session
    # locked for every spelling, the email too
    assert "Try again in" in _login(client, "charlie@example.com", DEFAULT_PASSWORD).content.decode()


@pytest.mark.django_db
def test_the_lockout_is_per_account_not_per_page(client, charlie, alice):
    for _ in range(5):
        _login(client, "charlie@example.com")
    response = _login(client, "alice", DEFAULT_PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(alice.pk)


@pytest.mark.django_db
def test_unknown_logins_share_a_counter_ignoring_case(client):
    for login in ["ghost", "GHOST", "Ghost", "ghost", "gHost"]:
        _login(client, login)
    assert "Try again in" in _login(client, "ghost").content.decode()


@pytest.mark.django_db
def test_the_retry_time_counts_down(client, charlie, monkeypatch):
    import time as time_module

    start = time_module.time()
    for _ in range(5):
        _login(client, "charlie")
    monkeypatch.setattr(time_module, "time", lambda: start + 150)
    response = _login(client, "charlie", DEFAULT_PASSWORD)
    assert "Try again in 3 minutes." in response.content.decode()
    monkeypatch.setattr(time_module, "time", lambda: start + 301)
    assert _login(client, "charlie", DEFAULT_PASSWORD).status_code == 302


# --- client address -----------------------------------------------------------------------------


def _request(**meta):
    return RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", **meta)


def test_without_a_trusted_proxy_forwarded_for_is_ignored(settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    assert client_ip(_request(HTTP_X_FORWARDED_FOR="203.0.113.7")) == "10.0.0.2"


def test_behind_one_trusted_proxy_the_last_forwarded_address_is_the_client(settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    # the client may send its own X-Forwarded-For; our proxy appends the address it saw
    assert client_ip(_request(HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7")) == "203.0.113.7"
    assert client_ip(_request()) == "10.0.0.2"


def test_a_short_forwarded_for_falls_back_to_the_peer_instead_of_a_500(settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 2
    assert client_ip(_request(HTTP_X_FORWARDED_FOR="203.0.113.7")) == "10.0.0.2"


def test_a_trusted_client_ip_header(settings):
    settings.ALLAUTH_TRUSTED_CLIENT_IP_HEADER = "X-Real-IP"
    assert client_ip(_request(HTTP_X_REAL_IP="203.0.113.9")) == "203.0.113.9"


def _fail_from(client, n, **meta):
    for i in range(n):
        _login(client, f"nobody{i}", **meta)  # different names: only the per-IP limit counts


@pytest.mark.django_db
def test_behind_a_trusted_proxy_one_attacker_does_not_block_everyone(client, alice, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    _fail_from(client, 10, HTTP_X_FORWARDED_FOR="203.0.113.66")
    assert "Try again in" in _login(client, "alice", DEFAULT_PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.66").content.decode()
    response = _login(client, "alice", DEFAULT_PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.5")
    assert response.status_code == 302


@pytest.mark.django_db
def test_without_a_trusted_proxy_a_spoofed_header_does_not_escape_the_ip_limit(client, alice, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    _fail_from(client, 10, HTTP_X_FORWARDED_FOR="203.0.113.66")
    response = _login(client, "alice", DEFAULT_PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.5")
    assert response.status_code == 200
    assert "Try again in" in response.content.decode()


@pytest.mark.parametrize(
    "env,expected",
    [({}, "0 None"), ({"TRUSTED_PROXY_COUNT": "1"}, "1 None"), ({"TRUSTED_CLIENT_IP_HEADER": "X-Real-IP"}, "0 X-Real-IP")],
)
def test_proxy_settings_come_from_the_environment(env, expected):
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='instaclone.settings'; "
        "from django.conf import settings as s; "
        "print(s.ALLAUTH_TRUSTED_PROXY_COUNT, s.ALLAUTH_TRUSTED_CLIENT_IP_HEADER)"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith("TRUSTED_")}
    out = subprocess.run(  # noqa: S603 - our own interpreter and a fixed script
        [sys.executable, "-c", code], env={**clean, **env}, capture_output=True, text=True,
        cwd=django_settings.BASE_DIR, check=True,
    )
    assert out.stdout.strip() == expected


@pytest.fixture
def charlie(db):
    return make_user("charlie")


@pytest.mark.django_db
def test_a_password_reset_lifts_the_lockout_of_that_account(client, charlie):
    import re

    from django.core import mail

    for login in ["charlie", "CHARLIE", "charlie@example.com", "charlie", "Charlie"]:
        _login(client, login)
    assert "Try again in" in _login(client, "charlie", DEFAULT_PASSWORD).content.decode()
    client.post("/accounts/password/reset/", {"email": "charlie@example.com"})
    link = re.search(r"http://testserver(/accounts/password/reset/key/\S+/)", mail.outbox[-1].body).group(1)
    response = client.get(link, follow=True)
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else link
    client.post(form_url, {"password1": "an-entirely-new-one-77", "password2": "an-entirely-new-one-77"})
    assert _login(client, "charlie", "an-entirely-new-one-77").status_code == 302
