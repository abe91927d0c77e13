import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client

from instaclone.testing import DEFAULT_PASSWORD

LOGIN = "/accounts/login/"
LOGOUT = "/accounts/logout/"


def _login(client, login, password=DEFAULT_PASSWORD, **extra):
    return client.post(LOGIN, {"login": login, "password": password, **extra})


def _signed_in_user_id(client):
    return client.get("/settings/").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("login", ["alice", "ALICE", "alice@example.com", "Alice@Example.COM"])
def test_login_by_username_or_email_in_any_case(client, alice, login):
    response = _login(client, login)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(alice.pk)


@pytest.mark.django_db
def test_wrong_password_shows_error(client, alice):
    response = _login(client, "alice", "wrong-password")
    assert response.status_code == 200
    assert "not correct" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_repeated_wrong_passwords_are_rate_limited(client, alice):
    for _ in range(5):
        _login(client, "alice", "wrong-password")
    response = _login(client, "alice", DEFAULT_PASSWORD)  # even the right one, for now
    assert response.status_code in (200, 429)
    assert "Too many failed attempts. Try again in" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_session_key_rotates_at_login(client, alice):
    client.get(LOGIN)
    client.session.save()
    before = client.cookies[settings.SESSION_COOKIE_NAME].value
    _login(client, "alice")
    after = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert before != after
    assert not Session.objects.filter(session_key=before).exists()


@pytest.mark.django_db
def test_logout_deletes_the_session_so_a_copied_cookie_is_useless(client, alice):
    _login(client, "alice")
    stolen = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert Session.objects.filter(session_key=stolen).exists()

    assert client.post(LOGOUT).status_code == 302
    assert not Session.objects.filter(session_key=stolen).exists()

    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = stolen
    response = replay.get("/settings/")
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    assert "Sign up" in replay.get("/").content.decode()


@pytest.mark.django_db
def test_logout_by_get_does_not_sign_out(client, alice):
    _login(client, "alice")
    client.get(LOGOUT)  # shows a confirmation page; only POST signs out
    assert _signed_in_user_id(client)


@pytest.mark.django_db
def test_password_change_ends_other_sessions_but_keeps_this_one(alice):
    laptop, phone = Client(), Client()
    _login(laptop, "alice")
    _login(phone, "alice")
    response = laptop.post(
        "/accounts/password/change/",
        {"oldpassword": DEFAULT_PASSWORD, "password1": "a-brand-new-secret-42", "password2": "a-brand-new-secret-42"},
    )
    assert response.status_code == 302
    assert _signed_in_user_id(laptop)
    assert not _signed_in_user_id(phone)


@pytest.mark.django_db
def test_sign_out_other_sessions(alice):
    from allauth.usersessions.models import UserSession

    laptop, phone = Client(), Client()
    _login(laptop, "alice")
    _login(phone, "alice")
    assert UserSession.objects.filter(user=alice).count() == 2
    response = laptop.post("/accounts/sessions/", {"action": "logout"})
    assert response.status_code == 302
    assert _signed_in_user_id(laptop)
    assert not _signed_in_user_id(phone)


@pytest.mark.django_db
@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "http://evil.example"])
def test_login_next_pointing_off_site_is_ignored(client, alice, target):
    response = _login(client, "alice", next=target)
    assert response.status_code == 302
    assert "evil" not in response["Location"]


@pytest.mark.django_db
def test_login_next_on_site_is_followed(client, alice):
    response = _login(client, "alice", next="/settings/profile/")
    assert response["Location"] == "/settings/profile/"


@pytest.mark.django_db
def test_login_by_emailed_code(client, alice):
    from .helpers import last_code

    response = client.post("/accounts/login/code/", {"email": "alice@example.com"})
    assert response.status_code == 302
    response = client.post("/accounts/login/code/confirm/", {"code": last_code("alice@example.com")})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(alice.pk)
