import pytest
from allauth.account.models import EmailAddress
from django.core import mail

from accounts.models import User

from .helpers import last_code

SIGNUP = "/accounts/signup/"
CONFIRM = "/accounts/confirm-email/"
GOOD = {"email": "zed@example.com", "username": "zed", "password1": "a-long-pass-phrase-9"}


def _signup(client, **overrides):
    return client.post(SIGNUP, {**GOOD, **overrides})


@pytest.mark.django_db
def test_signup_sends_code_and_verifying_it_signs_in(client):
    response = _signup(client)
    assert response.status_code == 302 and response["Location"] == CONFIRM
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["zed@example.com"]
    user = User.objects.get(username="zed")
    assert not EmailAddress.objects.get(user=user).verified
    assert "_auth_user_id" not in client.session  # not signed in before the code

    response = client.post(CONFIRM, {"code": last_code("zed@example.com")})
    assert response.status_code == 302
    assert EmailAddress.objects.get(user=user).verified
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.get("/").context["user"] == user


@pytest.mark.django_db
def test_wrong_code_is_refused_and_attempts_run_out(client):
    _signup(client)
    for _ in range(3):
        response = client.post(CONFIRM, {"code": "AAAA-AAAA"})
        assert response.status_code in (200, 302)
    # after the allowed attempts the code is void even when right
    code = last_code()
    response = client.post(CONFIRM, {"code": code})
    assert not EmailAddress.objects.get(email="zed@example.com").verified
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_wrong_code_shows_an_error_on_the_form(client):
    _signup(client)
    response = client.post(CONFIRM, {"code": "AAAA-AAAA"})
    assert response.status_code == 200
    assert "Incorrect code" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["ALICE", "Alice", "alice"])
def test_taken_username_in_any_case_is_refused(client, alice, username):
    response = _signup(client, username=username, email="new@example.com")
    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    assert User.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("email", ["ALICE@EXAMPLE.COM", "Alice@Example.com"])
def test_taken_email_in_any_case_is_refused(client, alice, email):
    response = _signup(client, email=email)
    assert response.status_code == 200
    assert "already registered" in response.content.decode()
    assert not User.objects.filter(username="zed").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "username,message",
    [
        ("admin", "available"),
        ("explore", "available"),
        ("api", "available"),
        ("static", "available"),
        ("bad name", "only use letters"),
        ("<script>", "only use letters"),
        (".dot", "period"),
        ("a..b", "period"),
    ],
)
def test_reserved_and_malformed_usernames_are_refused(client, username, message):
    response = _signup(client, username=username)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert User.objects.count() == 0
    assert mail.outbox == []


@pytest.mark.django_db
def test_usernames_are_stored_lower_case(client):
    _signup(client, username="MixedCase")
    assert User.objects.filter(username="mixedcase").exists()
