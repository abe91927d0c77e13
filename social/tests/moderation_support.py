"""Shared helpers for the moderation tests: the Moderators group and moderator personas (the fixtures
are in social/tests/conftest.py; posts and comments come from posts.tests.factories)."""

from __future__ import annotations

import importlib

from django.contrib.auth.models import Group, Permission

from accounts.models import User
from accounts.tests.factories import UserFactory


def moderators_group() -> Group:
    """The Moderators group with the permissions its data migration grants. A transactional test
    (browser tests) flushes the database, data-migration rows included; this puts them back."""
    group, _ = Group.objects.get_or_create(name="Moderators")
    if not group.permissions.exists():
        grants = importlib.import_module("social.migrations.0005_moderators_permissions").MODERATOR_PERMISSIONS
        group.permissions.set(
            [
                Permission.objects.get(content_type__app_label=app_label, codename=f"{action}_{model}")
                for app_label, model, actions in grants
                for action in actions
            ]
        )
    return group


def make_moderator(username: str = "mod") -> User:
    user = UserFactory(username=username, is_staff=True)
    user.groups.add(moderators_group())
    return user
