"""Revocation everywhere (issue 14): Settings → Apps lists the apps holding a token and revokes
one app's tokens; a password change or reset and "sign out other sessions" revoke every token
(suspension: social/tests/test_suspension_tokens.py). A revoked token is refused (401) on its
very next request."""

import pytest
from allauth.usersessions.models import UserSession
from django.test import Client
from oauth2_provider.models import get_application_model

from accounts.oauth.services import tokens_revoke_for_user
from accounts.tests.factories import UserFactory
from instaclone.testing import DEFAULT_PASSWORD, api_token

pytestmark = pytest.mark.django_db


def _app(name, **extra):
    return get_application_model().objects.create(
        name=name, client_type="confidential", authorization_grant_type="authorization-code",
        redirect_uris="urn:ietf:wg:oauth:2.0:oob", scopes="read write follow", **extra,
    )


def _works(client, token) -> bool:
    status = client.get("/api/v1/apps/verify_credentials", HTTP_AUTHORIZATION=f"Bearer {token}").status_code
    assert status in (200, 401)
    return status == 200


@pytest.fixture
def tokens(alice):
    toot = _app("Toot", website="https://toot.example")
    ivory = _app("Ivory")
    return {
        "toot": api_token(alice, scope="read write", app=toot),
        "ivory": api_token(alice, scope="read", app=ivory),
        "app": api_token(None, scope="read", app=toot),  # the app's own token: not alice's
    }


def test_the_apps_page_lists_authorised_apps(alice_client, tokens, django_assert_num_queries):
    # session, user, the tokens with their apps (one query for any number), the nav's unread badge,
    # the nav's Direct badge (conversations with unread messages; both cached, cold here)
    with django_assert_num_queries(5):
        response = alice_client.get("/settings/apps/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Toot" in html and "Ivory" in html and "https://toot.example" in html
    assert "Change everything on your account" in html  # Toot's write, in words
    assert html.count('aria-label="Revoke access for') == 2


def test_the_apps_page_is_in_the_settings_menu(alice_client):
    assert 'href="/settings/apps/"' in alice_client.get("/settings/").content.decode()
    assert 'href="/settings/apps/"' in alice_client.get("/accounts/sessions/").content.decode()


def test_the_apps_page_needs_sign_in(client):
    assert client.get("/settings/apps/")["Location"].startswith("/accounts/login/")


def test_revoke_on_the_apps_page_ends_that_apps_tokens_at_once(alice_client, tokens):
    assert _works(Client(), tokens["toot"])
    toot = get_application_model().objects.get(name="Toot")
    response = alice_client.post(f"/settings/apps/{toot.pk}/revoke/")
    assert response.status_code == 302 and response["Location"] == "/settings/apps/"
    assert not _works(Client(), tokens["toot"])
    assert _works(Client(), tokens["ivory"])  # another app
    assert _works(Client(), tokens["app"])  # the app's own token is not alice's to revoke
    assert "Toot" not in alice_client.get("/settings/apps/").content.decode()


def test_revoke_is_post_only_and_touches_only_your_own_tokens(client, tokens):
    bob = UserFactory(username="bob")
    client.force_login(bob)
    toot = get_application_model().objects.get(name="Toot")
    assert client.get(f"/settings/apps/{toot.pk}/revoke/").status_code == 405
    client.post(f"/settings/apps/{toot.pk}/revoke/")
    assert _works(Client(), tokens["toot"])


def test_a_password_change_revokes_every_token(alice_client, tokens):
    response = alice_client.post("/accounts/password/change/", {
        "oldpassword": DEFAULT_PASSWORD, "password1": "another-long-phrase-7", "password2": "another-long-phrase-7",
    })
    assert response.status_code == 302
    assert not _works(Client(), tokens["toot"]) and not _works(Client(), tokens["ivory"])
    assert _works(Client(), tokens["app"])


def test_a_password_reset_revokes_every_token(client, tokens):
    import re

    from django.core import mail

    client.post("/accounts/password/reset/", {"email": "alice@example.com"})
    link = re.search(r"http://testserver(/accounts/password/reset/key/\S+/)", mail.outbox[-1].body).group(1)
    response = client.get(link, follow=True)
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else link
    response = client.post(form_url, {"password1": "an-entirely-new-one-77", "password2": "an-entirely-new-one-77"})
    assert response.status_code == 302
    assert not _works(Client(), tokens["toot"]) and not _works(Client(), tokens["ivory"])


def test_signing_out_other_sessions_revokes_every_token(alice, tokens):
    phone, laptop = Client(), Client()
    for browser in (phone, laptop):
        browser.post("/accounts/login/", {"login": "alice", "password": DEFAULT_PASSWORD})
    assert UserSession.objects.filter(user=alice).count() == 2
    assert "also revokes every app's access" in laptop.get("/accounts/sessions/").content.decode()
    response = laptop.post("/accounts/sessions/")
    assert response.status_code == 302
    assert not _works(Client(), tokens["toot"]) and not _works(Client(), tokens["ivory"])


def test_tokens_revoke_for_user_leaves_others_alone(alice, bob, tokens):
    bobs = api_token(bob, scope="read")
    assert tokens_revoke_for_user(user=alice) == 2
    assert _works(Client(), bobs)
