"""Moderation personas for social's tests (alice, bob, charlie live in the root conftest.py)."""

from __future__ import annotations

import pytest

from accounts.tests.factories import UserFactory

from .moderation_support import make_moderator


@pytest.fixture
def moderator(db):
    return make_moderator()


@pytest.fixture
def staff_user(db):
    """Staff, but not a moderator and not a superuser: no permissions at all."""
    return UserFactory(username="staffer", is_staff=True)


@pytest.fixture
def superuser(db):
    return UserFactory(username="root_admin", is_staff=True, is_superuser=True)
