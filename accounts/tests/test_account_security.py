"""Two-factor authentication, password reset and email change, through allauth's real views."""

import re
import time

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY, format_hotp_value, hotp_value
from django.core import mail
from django.test import Client

from instaclone.testing import DEFAULT_PASSWORD

from .helpers import last_code


def _totp(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def _login(client, login="alice", password=DEFAULT_PASSWORD):
    return client.post("/accounts/login/", {"login": login, "password": password})


@pytest.mark.django_db
def test_totp_two_factor_activation_then_login_needs_the_code(client, alice):
    _login(client)
    response = client.get("/accounts/2fa/totp/activate/")
    if response.status_code == 302 and "reauthenticate" in response["Location"]:
        client.post(response["Location"], {"password": DEFAULT_PASSWORD})  # allauth asks to confirm it's you
        response = client.get("/accounts/2fa/totp/activate/")
    assert response.status_code == 200
    secret = client.session[SECRET_SESSION_KEY]
    response = client.post("/accounts/2fa/totp/activate/", {"code": _totp(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=alice, type=Authenticator.Type.TOTP).exists()
    assert Authenticator.objects.filter(user=alice, type=Authenticator.Type.RECOVERY_CODES).exists()

    client.post("/accounts/logout/")
    response = _login(client)
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert "_auth_user_id" not in client.session  # the password alone is not enough

    response = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    response = client.post("/accounts/2fa/authenticate/", {"code": _totp(secret)})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(alice.pk)


@pytest.mark.django_db
def test_password_reset_by_emailed_link(client, alice):
    response = client.post("/accounts/password/reset/", {"email": "ALICE@example.com"})
    assert response.status_code == 302
    link = re.search(r"http://testserver(/accounts/password/reset/key/\S+/)", mail.outbox[-1].body).group(1)
    response = client.get(link, follow=True)
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else link
    response = client.post(form_url, {"password1": "an-entirely-new-one-77", "password2": "an-entirely-new-one-77"})
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password("an-entirely-new-one-77")


@pytest.mark.django_db
def test_email_change_is_verified_by_code_before_it_counts(client, alice):
    _login(client)
    response = client.post("/accounts/email/", {"action_add": "", "email": "new-alice@example.com", "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    assert not EmailAddress.objects.filter(email="new-alice@example.com", verified=True).exists()
    alice.refresh_from_db()
    assert alice.email == "alice@example.com"

    client.post(response["Location"], {"code": last_code("new-alice@example.com")})
    assert EmailAddress.objects.filter(user=alice, email="new-alice@example.com", verified=True, primary=True).exists()
    alice.refresh_from_db()
    assert alice.email == "new-alice@example.com"


@pytest.mark.django_db
def test_email_change_to_someone_elses_address_is_refused(client, alice, bob):
    _login(client)
    response = client.post("/accounts/email/", {"action_add": "", "email": "BOB@example.com", "password": DEFAULT_PASSWORD})
    assert response.status_code == 200
    assert "already" in response.content.decode()
    alice.refresh_from_db()
    assert alice.email == "alice@example.com"


# --- changing the email asks for the password (issue 13) ---------------------------------------------


def _add_email(client, **password):
    return client.post("/accounts/email/", {"action_add": "", "email": "new-alice@example.com", **password})


@pytest.mark.django_db
@pytest.mark.parametrize(("password", "error"), [({}, "This field is required."), ({"password": "not-it-at-all"}, "Incorrect password.")])
def test_email_change_without_the_right_password_is_refused(client, alice, password, error):
    _login(client)
    response = _add_email(client, **password)
    assert response.status_code == 200  # the form again, with the error on the password field
    assert error in response.content.decode()
    assert not EmailAddress.objects.filter(email="new-alice@example.com").exists()
    assert not mail.outbox  # no verification code sent to the new address
    alice.refresh_from_db()
    assert alice.email == "alice@example.com"


@pytest.mark.django_db
def test_email_page_has_a_current_password_field(client, alice):
    _login(client)
    html = client.get("/accounts/email/").content.decode()
    assert re.search(r'<input[^>]*name="password"[^>]*autocomplete="current-password"[^>]*type="password"', html)


@pytest.mark.django_db
def test_wrong_passwords_on_the_email_page_lock_the_account_as_sign_in_does(client, alice):
    _login(client)
    for _ in range(5):
        _add_email(client, password="wrong-password")
    response = _add_email(client, password=DEFAULT_PASSWORD)  # right, but too late
    assert "Too many failed attempts" in response.content.decode()
    assert not EmailAddress.objects.filter(email="new-alice@example.com").exists()
    # the same per-account counter as the sign-in form's
    response = Client().post("/accounts/login/", {"login": "alice", "password": DEFAULT_PASSWORD})
    assert "Too many failed attempts" in response.content.decode()


@pytest.mark.django_db
def test_the_pending_address_cannot_be_made_primary_without_verifying_it(client, alice):
    _login(client)
    _add_email(client, password=DEFAULT_PASSWORD)
    client.post("/accounts/email/", {"action_primary": "", "email": "new-alice@example.com"})
    assert EmailAddress.objects.get(user=alice, primary=True).email == "alice@example.com"
    alice.refresh_from_db()
    assert alice.email == "alice@example.com"
