"""accounts.sessions, the SESSION_ENGINE: Django's database sessions with a cheaper read. The read
must answer exactly as Django's does (data for a live key; nothing, and the key forgotten, for an
unknown or expired one), and sessions must stay in the database only (a logout kills the cookie)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore as DjangoSessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from accounts.sessions import SessionStore
from instaclone.testing import make_user

pytestmark = pytest.mark.django_db


def test_it_is_the_engine_and_a_database_engine():
    assert settings.SESSION_ENGINE == "accounts.sessions"
    assert issubclass(SessionStore, DjangoSessionStore)


def test_it_loads_what_django_saved_and_what_django_loads():
    store = SessionStore()
    store["answer"] = 42
    store["nested"] = {"a": [1, 2]}
    store.save()
    key = store.session_key
    assert (
        SessionStore(key).load() == DjangoSessionStore(key).load() == {"answer": 42, "nested": {"a": [1, 2]}}
    )


@pytest.mark.parametrize("case", ["unknown", "expired"])
def test_an_unknown_or_expired_key_loads_nothing_and_is_forgotten(case):
    store = DjangoSessionStore()
    store["x"] = 1
    store.save()
    key = store.session_key
    if case == "unknown":
        Session.objects.filter(session_key=key).delete()
    else:
        Session.objects.filter(session_key=key).update(expire_date=timezone.now() - timedelta(seconds=1))
    loaded = SessionStore(key)
    assert loaded.load() == {}
    assert loaded.session_key is None  # saving issues a new key, never the one the client sent
    loaded["y"] = 2
    loaded.save()
    assert loaded.session_key != key


def test_signing_out_kills_the_cookie_everywhere(client):
    alice = make_user("alice")
    client.force_login(alice)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert client.get("/").context["user"] == alice
    client.post("/accounts/logout/")
    assert not Session.objects.filter(session_key=cookie).exists()
    client.cookies[settings.SESSION_COOKIE_NAME] = cookie  # a replayed cookie
    assert not client.get("/").context["user"].is_authenticated
