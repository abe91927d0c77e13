"""Idle timeout, absolute lifetime and a real "remember me" (issue 9, item 11, sessions)."""

import datetime as dt

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from instaclone.testing import DEFAULT_PASSWORD

LOGIN = "/accounts/login/"
DAY = 24 * 60 * 60


@pytest.fixture
def clock(monkeypatch):
    """Move django.utils.timezone.now forward: `clock(days=31)`."""
    start = timezone.now()

    def move(**delta):
        monkeypatch.setattr(timezone, "now", lambda: start + dt.timedelta(**delta))

    return move


def _sign_in(client, remember: bool = True):
    data = {"login": "alice", "password": DEFAULT_PASSWORD}
    if remember:
        data["remember"] = "on"
    response = client.post(LOGIN, data)
    assert response.status_code == 302
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def _signed_in(client) -> bool:
    return client.get("/settings/").status_code == 200


@pytest.mark.django_db
def test_login_page_offers_remember_me(client):
    assert 'name="remember"' in client.get(LOGIN).content.decode()


@pytest.mark.django_db
def test_without_remember_me_the_cookie_ends_with_the_browser(client, alice):
    _sign_in(client, remember=False)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["max-age"] == "" and cookie["expires"] == ""


@pytest.mark.django_db
def test_with_remember_me_the_cookie_is_kept(client, alice):
    _sign_in(client, remember=True)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert int(cookie["max-age"]) == settings.SESSION_IDLE_TIMEOUT
    assert cookie["expires"]


@pytest.mark.django_db
def test_idle_session_is_signed_out_and_its_cookie_is_dead(client, alice, clock, settings):
    # Shorter than the cookie's age, so that the middleware, not the row's own expiry, ends it.
    settings.SESSION_IDLE_TIMEOUT = 2 * DAY
    key = _sign_in(client)
    clock(days=1)
    assert _signed_in(client)  # used within the idle timeout: still signed in, and seen now
    clock(days=2, hours=12)
    assert _signed_in(client)
    clock(days=5)  # then idle for longer than the timeout
    response = client.get("/settings/")
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    assert not Session.objects.filter(session_key=key).exists()  # deleted, not just expired
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = key
    assert replay.get("/settings/").status_code == 302
    assert "session has expired" in client.get(response["Location"]).content.decode()


@pytest.mark.django_db
def test_absolute_lifetime_signs_out_even_an_active_session(client, alice, clock, settings):
    settings.SESSION_IDLE_TIMEOUT = 3 * DAY
    settings.SESSION_ABSOLUTE_LIFETIME = 10 * DAY
    key = _sign_in(client)
    for days in range(2, 11, 2):
        clock(days=days)
        assert _signed_in(client), days
    clock(days=10, hours=1)
    assert not _signed_in(client)
    assert not Session.objects.filter(session_key=key).exists()


@pytest.mark.django_db
def test_the_defaults_end_a_remembered_session_after_the_idle_timeout(client, alice, clock):
    key = _sign_in(client)
    clock(seconds=settings.SESSION_IDLE_TIMEOUT + 60)
    assert not _signed_in(client)
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = key
    assert replay.get("/settings/").status_code == 302


@pytest.mark.django_db
def test_browsing_writes_last_seen_at_most_every_few_minutes(client, alice, clock):
    _sign_in(client)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    before = Session.objects.get(session_key=key).expire_date
    clock(seconds=60)
    client.get("/settings/")
    assert Session.objects.get(session_key=key).expire_date == before  # no session write
    clock(seconds=settings.SESSION_ACTIVITY_RESOLUTION + 1)
    client.get("/settings/")
    assert Session.objects.get(session_key=key).expire_date > before  # seen: expiry slides


@pytest.mark.django_db
def test_htmx_request_of_an_expired_session_gets_a_client_redirect(client, alice, clock, settings):
    settings.SESSION_ABSOLUTE_LIFETIME = DAY
    _sign_in(client)
    clock(days=2)
    response = client.get("/settings/", headers={"HX-Request": "true"})
    assert response["HX-Redirect"].startswith(LOGIN)


def test_limits_are_sane():
    assert settings.SESSION_ACTIVITY_RESOLUTION < settings.SESSION_IDLE_TIMEOUT <= settings.SESSION_ABSOLUTE_LIFETIME
    assert settings.SESSION_COOKIE_AGE == settings.SESSION_IDLE_TIMEOUT


BACKGROUND = {"X-Background": "1"}


@pytest.mark.django_db
def test_background_requests_do_not_keep_an_idle_session_alive(client, alice, clock, settings):
    settings.SESSION_IDLE_TIMEOUT = 2 * DAY
    key = _sign_in(client)
    before = Session.objects.get(session_key=key).expire_date
    for hours in range(12, 2 * 24 + 1, 12):  # a tab left open polls, and nobody looks at it
        clock(hours=hours)
        response = client.get("/settings/", headers=BACKGROUND)
        assert response.status_code == 200, hours
    assert Session.objects.get(session_key=key).expire_date == before  # no session write
    clock(days=2, hours=1)
    response = client.get("/settings/", headers={**BACKGROUND, "HX-Request": "true"})
    assert response.status_code == 302 and "HX-Redirect" not in response  # answered as signed out
    assert not Session.objects.filter(session_key=key).exists()
    assert not _signed_in(client)


@pytest.mark.django_db
def test_a_page_view_refreshes_the_session_that_polls_do_not(client, alice, clock, settings):
    settings.SESSION_IDLE_TIMEOUT = 2 * DAY
    _sign_in(client)
    clock(days=1)
    client.get("/settings/", headers=BACKGROUND)
    clock(days=1, hours=12)
    assert _signed_in(client)  # a person's page view: seen now
    clock(days=3, hours=6)
    assert _signed_in(client)  # within two days of that view
