"""POST /api/v1/accounts (issue 14): sign-up with an app's token through the web's sign-up form,
answered with a token for the new person; until their email is confirmed the token may call only
what Mastodon allows an unconfirmed login (verify_credentials), everything else is 403."""

import json

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.http import JsonResponse
from django.test import RequestFactory
from oauth2_provider.models import get_access_token_model, get_application_model

from accounts.models import User
from accounts.tests.helpers import CODE_RE
from instaclone.api import endpoint
from instaclone.testing import api_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def app(db):
    return get_application_model().objects.create(
        name="Signup app", client_type="confidential", authorization_grant_type="authorization-code",
        redirect_uris="urn:ietf:wg:oauth:2.0:oob", scopes="read write follow",
    )


@pytest.fixture
def app_token(app):
    return api_token(None, scope="read write follow", app=app)


def register(client, token, **data):
    data = {"username": "newbie", "email": "newbie@example.com", "password": "a-long-pass-phrase-9",
            "agreement": "true", "locale": "en", **data}
    return client.post("/api/v1/accounts", data, HTTP_AUTHORIZATION=f"Bearer {token}")


def test_registration_creates_the_account_and_returns_a_token(client, app_token, app):
    response = register(client, app_token)
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"access_token", "token_type", "scope", "created_at"}
    assert body["token_type"] == "Bearer" and body["scope"] == "read write follow"
    user = User.objects.get(username="newbie")
    assert user.check_password("a-long-pass-phrase-9")
    address = EmailAddress.objects.get(user=user)
    assert address.email == "newbie@example.com" and address.primary and not address.verified
    token = get_access_token_model().objects.get(user=user)
    assert token.application == app and token.token != body["access_token"]  # stored hashed
    [email] = mail.outbox
    assert email.to == ["newbie@example.com"] and "Confirm your email address" in email.subject
    assert "http://testserver/accounts/login/" in email.body and "Signup app" in email.body


def test_registration_takes_json(client, app_token):
    body = {"username": "jsonuser", "email": "j@example.com", "password": "a-long-pass-phrase-9",
            "agreement": True, "locale": "en"}
    response = client.post("/api/v1/accounts", json.dumps(body), content_type="application/json",
                           HTTP_AUTHORIZATION=f"Bearer {app_token}")
    assert response.status_code == 200, response.content


@pytest.mark.parametrize("data, field, code", [
    ({"username": "alice"}, "username", "ERR_TAKEN"),
    ({"username": "ALICE"}, "username", "ERR_TAKEN"),
    ({"email": "ALICE@example.com"}, "email", "ERR_TAKEN"),
    ({"username": "al\u0131ce"}, "username", "ERR_INVALID"),  # look-alike: not ASCII
    ({"username": "settings"}, "username", "ERR_RESERVED"),
    ({"username": ""}, "username", "ERR_BLANK"),
    ({"email": "not-an-email"}, "email", "ERR_INVALID"),
    ({"password": "short"}, "password", "ERR_TOO_SHORT"),
    ({"agreement": "false"}, "agreement", "ERR_ACCEPTED"),
])
def test_registration_errors_are_mastodons_422(client, app_token, alice, data, field, code):
    response = register(client, app_token, **data)
    assert response.status_code == 422
    body = response.json()
    assert body["error"].startswith("Validation failed")
    assert code in [detail["error"] for detail in body["details"][field]]
    assert not User.objects.filter(email="newbie@example.com").exists()


def test_registration_needs_an_app_token_with_write_accounts(client, app, alice):
    assert register(client, api_token(None, scope="read", app=app)).status_code == 403
    assert register(client, api_token(alice, scope="read write", app=app)).status_code == 403
    assert client.post("/api/v1/accounts", {"username": "x"}).status_code == 401
    assert not User.objects.filter(username="newbie").exists()


def test_registration_is_rate_limited_per_address(client, app_token, settings):
    settings.API_SIGNUP_RATE_LIMIT = (1, 1800)
    assert register(client, app_token).status_code == 200
    response = register(client, app_token, username="second", email="second@example.com")
    assert response.status_code == 429
    assert not User.objects.filter(username="second").exists()


# --- the unconfirmed token --------------------------------------------------------------------------


@endpoint(scope="read:accounts", unconfirmed=True)
def _whoami(request):
    return JsonResponse({"username": request.user.username})


@endpoint(scope="read:statuses")
def _home(request):
    return JsonResponse([], safe=False)


def _call(view, token):
    return view(RequestFactory().get("/api/v1/x", HTTP_AUTHORIZATION=f"Bearer {token}"))


def test_an_unconfirmed_token_may_verify_credentials_only(client, app_token):
    token = register(client, app_token).json()["access_token"]
    assert _call(_whoami, token).status_code == 200
    refused = _call(_home, token)
    assert refused.status_code == 403
    assert json.loads(refused.content) == {"error": "Your login is missing a confirmed e-mail address"}


def test_a_confirmed_email_lifts_the_limit(client, app_token):
    token = register(client, app_token).json()["access_token"]
    address = EmailAddress.objects.get(email="newbie@example.com")
    from allauth.account.signals import email_confirmed

    address.verified = True
    address.save()
    email_confirmed.send(sender=EmailAddress, request=None, email_address=address)
    assert "unconfirmed" not in get_access_token_model().objects.get(user=address.user).scope
    assert _call(_home, token).status_code == 200


def test_a_confirmation_the_signal_missed_is_seen_on_the_next_call(client, app_token):
    token = register(client, app_token).json()["access_token"]
    EmailAddress.objects.filter(email="newbie@example.com").update(verified=True)
    assert _call(_home, token).status_code == 200
    assert get_access_token_model().objects.get(user__username="newbie").scope == "read write follow"


def test_other_tokens_cost_no_query_for_the_check(alice, django_assert_num_queries):
    token = api_token(alice, scope="read")
    with django_assert_num_queries(1):  # the token with its app and user
        assert _call(_home, token).status_code == 200


def test_signing_in_on_the_web_confirms_the_email_by_code(client, app_token):
    """The person confirms their address as any unconfirmed account does: signing in on the
    website sends a code, entering it confirms the address, and the API token then works."""
    token = register(client, app_token).json()["access_token"]
    client.cookies.clear()
    mail.outbox.clear()
    response = client.post("/accounts/login/", {"login": "newbie", "password": "a-long-pass-phrase-9"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    code = CODE_RE.search(mail.outbox[0].body).group(1)
    response = client.post(response["Location"], {"code": code})
    assert response.status_code == 302
    assert EmailAddress.objects.get(email="newbie@example.com").verified
    assert _call(_home, token).status_code == 200


@pytest.mark.parametrize(
    ("data", "field", "code"),
    [
        ({"username": "alice"}, "username", "username_taken"),
        ({"email": "ALICE@example.com"}, "email", "email_taken"),
        ({"username": "settings"}, "username", "reserved"),
        ({"username": "al\u0131ce"}, "username", "invalid"),
    ],
)
def test_the_sign_up_forms_refusals_carry_codes(alice, data, field, code):
    """The API's ERR_TAKEN / ERR_RESERVED come from these codes, never from the English messages."""
    from accounts.forms import SignupForm

    form = SignupForm(data={"username": "newperson", "email": "new@example.com", "password1": "x8s7d6f5g4h3"} | data)
    assert not form.is_valid()
    assert [e.code for e in form.errors.as_data()[field]] == [code]
