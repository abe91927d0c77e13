"""Fixtures of the Direct tests (alice, bob and charlie are the root conftest's personas)."""

from __future__ import annotations

import pytest

from accounts.tests.factories import FollowFactory, UserFactory


@pytest.fixture
def dora(db):
    return UserFactory(username="dora", display_name="Dora Explorer")


@pytest.fixture
def follows():
    """`follows(a, b)`: a follows b (accepted at once when b is private)."""

    def _follows(a, b):
        return FollowFactory(follower=a, followee=b)

    return _follows


@pytest.fixture
def published(monkeypatch):
    """The live events published (instaclone.live.publish, after commit): [(user_ids, event)]."""
    sent = []
    from instaclone import live

    def fake_send(user_ids, event):
        sent.append((sorted(user_ids), event))
        return True

    monkeypatch.setattr(live, "send_now", fake_send)
    return sent


@pytest.fixture
def client_of(client):
    """`client_of(user)`: the test client signed in as `user` (one client; signing in switches)."""

    def _as(user):
        client.force_login(user)
        return client

    return _as
