"""Deleting your account (issue 15): Settings → Delete account, the restore offer at sign-in, and
what the deactivation does at once (accounts/services/deletion.py). The purge's proof over every
layer's rows is social/tests/test_purge.py; here the accounts-only part."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from allauth.usersessions.models import UserSession
from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone
from oauth2_provider.models import get_access_token_model

from accounts.models import Block, Follow, FollowRequest, User
from accounts.services import (
    AccountDeletionError,
    account_deletion_cancel,
    account_deletion_request,
    account_purge,
    accounts_due_for_purge,
    block_create,
    follow_create,
)
from accounts.services.deletion import rows_referencing_user
from accounts.tests.factories import UserFactory
from instaclone.testing import DEFAULT_PASSWORD, api_token

DELETE = "/settings/delete/"
RESTORE = "/settings/restore/"
LOGIN = "/accounts/login/"


def _login(client, login="alice", password=DEFAULT_PASSWORD):
    return client.post(LOGIN, {"login": login, "password": password})


def _signed_in(client) -> Client:
    return "_auth_user_id" in client.session


def _totp(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def _age(user, days: float) -> None:
    """Move the deletion request `days` into the past."""
    User.objects.filter(pk=user.pk).update(deletion_requested_at=timezone.now() - timedelta(days=days))


# --- the page --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_settings_menu_links_the_delete_page_which_explains_what_happens(alice_client, settings):
    settings.ACCOUNT_DELETION_GRACE_DAYS = 30
    page = alice_client.get("/settings/").content.decode()
    assert 'href="/settings/delete/"' in page
    response = alice_client.get(DELETE)
    assert response.status_code == 200
    text = response.content.decode()
    assert "deactivated at once" in text and "30 days" in text and 'name="password"' in text
    assert 'name="code"' not in text  # no two-factor authentication: the password only


@pytest.mark.django_db
def test_delete_page_needs_sign_in(client):
    response = client.get(DELETE)
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


@pytest.mark.django_db
def test_wrong_password_deletes_nothing(alice_client, alice):
    response = alice_client.post(DELETE, {"password": "not-it"})
    assert response.status_code == 400
    alice.refresh_from_db()
    assert alice.is_active and alice.deletion_requested_at is None
    assert _signed_in(alice_client)


@pytest.mark.django_db
def test_delete_deactivates_signs_out_everywhere_and_revokes_tokens(client, alice, bob, settings):
    settings.ACCOUNT_DELETION_GRACE_DAYS = 30
    phone = Client()
    _login(phone)
    _login(client)
    token = api_token(alice)
    assert UserSession.objects.filter(user=alice).count() == 2

    response = client.post(DELETE, {"password": DEFAULT_PASSWORD})

    assert response.status_code == 200
    alice.refresh_from_db()
    assert not alice.is_active and alice.deletion_requested_at is not None
    due = alice.deletion_requested_at + timedelta(days=30)
    assert f"{due:%-d %B %Y}" in response.content.decode()  # the page says when it will be purged
    assert not _signed_in(client)
    assert not UserSession.objects.filter(user=alice).exists()
    assert phone.get("/settings/").status_code == 302  # the other browser is signed out too
    assert not get_access_token_model().objects.filter(user=alice).exists()
    assert Client().get("/api/v1/accounts/verify_credentials", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401
    # the username and email stay taken during the grace period
    assert User.objects.filter(username="alice").exists()
    response = Client().post("/accounts/signup/", {"username": "alice", "email": "alice@example.com",
                                                   "password1": "a-long-new-password-9"})
    assert "already exists" in response.content.decode()


@pytest.mark.django_db
def test_a_deleted_account_is_invisible_through_the_visibility_rule(alice, bob):
    account_deletion_request(user=alice)
    assert not User.objects.visible_to(bob).filter(pk=alice.pk).exists()
    assert not User.objects.visible_to(None).filter(pk=alice.pk).exists()
    assert not User.objects.content_visible_to(bob).filter(pk=alice.pk).exists()
    bob_client = Client()
    bob_client.force_login(bob)
    assert bob_client.get("/alice/").status_code == 404


@pytest.mark.django_db
def test_two_factor_account_must_also_give_a_code(client, alice, settings):
    settings.MFA_TOTP_TOLERANCE = 1  # a code computed just before a 30 s boundary still counts
    secret = generate_totp_secret()
    TOTP.activate(alice, secret)
    client.force_login(alice)
    assert 'name="code"' in client.get(DELETE).content.decode()
    response = client.post(DELETE, {"password": DEFAULT_PASSWORD, "code": "000000"})
    assert response.status_code == 400
    alice.refresh_from_db()
    assert alice.is_active
    response = client.post(DELETE, {"password": DEFAULT_PASSWORD, "code": _totp(secret)})
    assert response.status_code == 200
    alice.refresh_from_db()
    assert not alice.is_active and alice.deletion_requested_at


@pytest.mark.django_db
def test_a_suspended_account_cannot_be_deleted_by_the_service(alice):
    User.objects.filter(pk=alice.pk).update(is_active=False)
    alice.refresh_from_db()
    with pytest.raises(AccountDeletionError):
        account_deletion_request(user=alice)


@pytest.mark.django_db
def test_a_staff_account_cannot_be_deleted_by_the_service_or_the_page(client, alice):
    """Their admin log entries (LogEntry.user cascades) and the reports they handled are the
    moderators' audit trail: a superuser removes the staff role first."""
    User.objects.filter(pk=alice.pk).update(is_staff=True)
    alice.refresh_from_db()
    with pytest.raises(AccountDeletionError, match="Staff accounts can't be deleted here: ask a superuser"):
        account_deletion_request(user=alice)
    _login(client)
    response = client.post(DELETE, {"password": DEFAULT_PASSWORD})
    assert response.status_code == 400
    assert "Staff accounts can&#x27;t be deleted here: ask a superuser to remove your staff role first." in (
        response.content.decode()
    )
    alice.refresh_from_db()
    assert alice.is_active and alice.deletion_requested_at is None and _signed_in(client)
    # nor purged, by the task or the command, while staff
    assert not account_purge(user_id=alice.pk, now=True).purged
    with pytest.raises(CommandError, match="Staff accounts are not purged"):
        call_command("purge_accounts", "--now", "alice")
    assert User.objects.filter(pk=alice.pk).exists()


# --- the restore offer at sign-in ----------------------------------------------------------------


@pytest.mark.django_db
def test_signing_in_during_the_grace_period_offers_the_restore(client, alice, bob):
    follow_create(follower=bob, followee=alice)
    account_deletion_request(user=alice)
    response = _login(client)
    assert response.status_code == 302 and response["Location"] == RESTORE
    assert not _signed_in(client)
    page = client.get(RESTORE).content.decode()
    assert "scheduled for deletion on" in page and "Restore my account" in page

    response = client.post(RESTORE)

    assert response.status_code == 302
    assert _signed_in(client) and client.session["_auth_user_id"] == str(alice.pk)
    alice.refresh_from_db()
    assert alice.is_active and alice.deletion_requested_at is None
    assert alice.follower_count == 1 and Follow.objects.filter(follower=bob, followee=alice).exists()
    assert Client().get("/alice/").status_code == 200


@pytest.mark.django_db
def test_wrong_password_is_the_usual_error_for_a_deleted_account(client, alice, charlie):
    account_deletion_request(user=alice)
    deleted = _login(client, "alice", "wrong-password")
    unknown = _login(Client(), "nobody-here", "wrong-password")
    wrong_for_active = _login(Client(), "charlie", "wrong-password")
    assert deleted.status_code == unknown.status_code == wrong_for_active.status_code == 200
    assert "deletion" not in deleted.content.decode().lower()
    assert client.get(RESTORE)["Location"] == LOGIN  # no offer without the right password


@pytest.mark.django_db
def test_a_suspended_account_gets_no_restore_offer(client, alice):
    User.objects.filter(pk=alice.pk).update(is_active=False)  # what moderators' suspension does
    response = _login(client)
    assert response["Location"] == "/accounts/inactive/"
    assert client.get(RESTORE)["Location"] == LOGIN
    alice.refresh_from_db()
    with pytest.raises(AccountDeletionError):
        account_deletion_cancel(user=alice)
    alice.refresh_from_db()
    assert not alice.is_active


@pytest.mark.django_db
def test_restore_asks_a_two_factor_account_for_its_code(client, alice, settings):
    settings.MFA_TOTP_TOLERANCE = 1  # a code computed just before a 30 s boundary still counts
    secret = generate_totp_secret()
    TOTP.activate(alice, secret)
    account_deletion_request(user=alice)
    assert _login(client)["Location"] == RESTORE
    assert client.post(RESTORE, {"code": "000000"}).status_code == 400
    alice.refresh_from_db()
    assert not alice.is_active and not _signed_in(client)
    response = client.post(RESTORE, {"code": _totp(secret)})
    assert response.status_code == 302 and _signed_in(client)
    assert Authenticator.objects.filter(user=alice).exists()


@pytest.mark.django_db
def test_after_the_grace_period_the_account_cannot_be_restored(client, alice, settings):
    settings.ACCOUNT_DELETION_GRACE_DAYS = 30
    account_deletion_request(user=alice)
    _age(alice, 31)
    assert _login(client)["Location"] == RESTORE
    page = client.get(RESTORE).content.decode()
    assert "can&#x27;t be restored" in page or "can't be restored" in page
    assert client.post(RESTORE).status_code == 400
    alice.refresh_from_db()
    assert not alice.is_active


@pytest.mark.django_db
def test_the_restore_offer_expires(client, alice):
    account_deletion_request(user=alice)
    _login(client)
    session = client.session
    session["accounts_restore_offer"]["at"] = time.time() - 3600
    session.save()
    assert client.get(RESTORE)["Location"] == LOGIN


# --- the purge: accounts' own rows ---------------------------------------------------------------


@pytest.mark.django_db
def test_purge_waits_for_the_grace_period(alice, settings):
    settings.ACCOUNT_DELETION_GRACE_DAYS = 30
    account_deletion_request(user=alice)
    assert list(accounts_due_for_purge()) == []
    assert not account_purge(user_id=alice.pk).purged
    _age(alice, 30.01)
    assert list(accounts_due_for_purge()) == [alice.pk]
    assert account_purge(user_id=alice.pk).purged
    assert not User.objects.filter(pk=alice.pk).exists()


@pytest.mark.django_db
def test_purge_never_touches_an_active_or_suspended_account(alice, bob):
    User.objects.filter(pk=bob.pk).update(is_active=False)
    assert not account_purge(user_id=alice.pk).purged
    assert not account_purge(user_id=bob.pk).purged
    assert User.objects.filter(pk__in=[alice.pk, bob.pk]).count() == 2


@pytest.mark.django_db
def test_purge_removes_the_graph_with_other_peoples_counters_and_frees_the_name(alice, bob, charlie):
    private = UserFactory(username="dora", private=True)
    follow_create(follower=alice, followee=bob)
    follow_create(follower=charlie, followee=alice)
    follow_create(follower=alice, followee=private)  # a request
    block_create(blocker=alice, blocked=UserFactory(username="eve"))
    api_token(alice)
    account_deletion_request(user=alice)

    result = account_purge(user_id=alice.pk, now=True)

    assert result.purged and result.left_for_cascade == {}
    bob.refresh_from_db()
    charlie.refresh_from_db()
    assert bob.follower_count == 0 and charlie.following_count == 0
    assert not Follow.objects.exists() and not FollowRequest.objects.exists() and not Block.objects.exists()
    assert rows_referencing_user(alice.pk) == {}
    out = call_command("check_counters")
    assert out is None  # no CommandError: every counter matches its rows
    # the username and email can be registered again
    response = Client().post("/accounts/signup/", {"username": "alice", "email": "alice@example.com",
                                                   "password1": "a-long-new-password-9"})
    assert response.status_code == 302
    assert User.objects.get(username="alice").pk != alice.pk


@pytest.mark.django_db
def test_purge_task_of_the_day_purges_the_accounts_due(alice, bob, settings):
    from accounts.tasks import accounts_purge_due

    settings.ACCOUNT_DELETION_GRACE_DAYS = 0
    account_deletion_request(user=alice)
    accounts_purge_due.enqueue()  # the immediate backend runs it, and the purge it queues
    assert not User.objects.filter(pk=alice.pk).exists()
    assert User.objects.filter(pk=bob.pk).exists()


@pytest.mark.django_db
def test_purge_command(alice, bob, capsys):
    call_command("purge_accounts", "--now", "alice")
    assert "purged @alice" in capsys.readouterr().out
    assert not User.objects.filter(pk=alice.pk).exists()
    call_command("purge_accounts")  # nothing due: nothing happens
    assert User.objects.filter(pk=bob.pk).exists()


@pytest.mark.django_db
def test_sessions_of_a_purged_account_are_gone(client, alice):
    _login(client)
    key = client.session.session_key
    account_purge(user_id=alice.pk, now=True)
    assert not Session.objects.filter(session_key=key).exists()


@pytest.mark.django_db
def test_no_sign_in_code_is_sent_to_a_deleted_account(client, alice):
    """allauth treats an inactive account as unknown for emailed codes: the password is the way back."""
    from django.core import mail

    account_deletion_request(user=alice)
    client.post("/accounts/login/code/", {"email": "alice@example.com"})
    assert [m.subject for m in mail.outbox] == ["[Instaclone] Unknown Account"]
