"""Password reset and "email me a sign-in code" answer the same for any address (issue 9, item 8).

allauth 65 with ACCOUNT_PREVENT_ENUMERATION = True: both forms accept any well-formed address and
redirect to the same next page; a registered address gets its reset link or code, an unregistered
one gets allauth's "unknown account" mail (ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS, default True), so even
the mailbox looks alike apart from the content. Sign-up still says "taken": a product decision
(tests/test_signup.py)."""

import re

import pytest
from django.core import mail

KNOWN, UNKNOWN = "alice@example.com", "nobody-here@example.com"


def _page_text(response, address: str) -> str:
    """The page with the address and per-request tokens taken out."""
    html = response.content.decode()
    html = html.replace(address, "ADDRESS")
    html = re.sub(r'(nonce|value|content)="[A-Za-z0-9+/=_-]{20,}"', r'\1="TOKEN"', html)
    html = re.sub(r'"X-CSRFToken": ?"[^"]+"', '"X-CSRFToken": "TOKEN"', html)
    return html


def _submit(client, url: str, address: str):
    first = client.post(url, {"email": address})
    final = client.get(first["Location"]) if first.status_code == 302 else first
    return first, final


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/accounts/password/reset/", "/accounts/login/code/"])
def test_known_and_unknown_address_get_the_same_answer(client_factory, alice, url):
    known_first, known_page = _submit(client_factory(), url, KNOWN)
    unknown_first, unknown_page = _submit(client_factory(), url, UNKNOWN)
    assert known_first.status_code == unknown_first.status_code == 302
    assert known_first["Location"] == unknown_first["Location"]
    assert known_page.status_code == unknown_page.status_code == 200
    assert _page_text(known_page, KNOWN) == _page_text(unknown_page, UNKNOWN)


@pytest.mark.django_db
def test_password_reset_mails_a_link_to_a_known_address_and_a_notice_to_an_unknown_one(client, alice):
    client.post("/accounts/password/reset/", {"email": KNOWN})
    client.post("/accounts/password/reset/", {"email": UNKNOWN})
    [known_mail] = [m for m in mail.outbox if m.to == [KNOWN]]
    [unknown_mail] = [m for m in mail.outbox if m.to == [UNKNOWN]]
    assert "/accounts/password/reset/key/" in known_mail.body
    assert "/accounts/password/reset/key/" not in unknown_mail.body
    assert "/accounts/signup/" in unknown_mail.body  # allauth's "unknown account" notice


@pytest.mark.django_db
def test_login_code_goes_only_to_a_known_address(client_factory, alice):
    from .helpers import CODE_RE

    _submit(client_factory(), "/accounts/login/code/", KNOWN)
    _submit(client_factory(), "/accounts/login/code/", UNKNOWN)
    [known_mail] = [m for m in mail.outbox if m.to == [KNOWN]]
    [unknown_mail] = [m for m in mail.outbox if m.to == [UNKNOWN]]
    assert CODE_RE.search(known_mail.body)
    assert not CODE_RE.search(unknown_mail.body)


@pytest.mark.django_db
def test_a_guessed_code_for_an_unknown_address_signs_nobody_in(client, alice):
    client.post("/accounts/login/code/", {"email": UNKNOWN})
    response = client.post("/accounts/login/code/confirm/", {"code": "AAAA-AAAA"})
    assert "_auth_user_id" not in client.session
    assert response.status_code in (200, 302)


@pytest.fixture
def client_factory():
    from django.test import Client

    return Client
