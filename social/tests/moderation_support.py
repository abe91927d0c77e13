"""Shared helpers for the moderation tests (persona fixtures live in the root conftest.py)."""

from __future__ import annotations

import importlib

import pytest
from django.contrib.auth.models import Group, Permission
from django.db.models import F

from accounts.models import User
from instaclone.testing import make_user
from posts.models import Comment, Post


def make_post(author: User, caption: str = "a photo", **fields) -> Post:
    post = Post.objects.create(author=author, caption=caption, **fields)
    User.objects.filter(pk=author.pk).update(post_count=F("post_count") + 1)
    return post


def make_comment(author: User, post: Post, body: str = "nice") -> Comment:
    comment = Comment.objects.create(author=author, post=post, body=body)
    Post.objects.filter(pk=post.pk).update(comment_count=F("comment_count") + 1)
    return comment


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
    user = make_user(username, is_staff=True)
    user.groups.add(moderators_group())
    return user


@pytest.fixture
def moderator(db):
    return make_moderator()


@pytest.fixture
def staff_user(db):
    """Staff, but not a moderator and not a superuser: no permissions at all."""
    return make_user("staffer", is_staff=True)


@pytest.fixture
def superuser(db):
    return make_user("root_admin", is_staff=True, is_superuser=True)
