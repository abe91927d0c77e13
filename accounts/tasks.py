"""Periodic work for accounts (enqueued by the worker's scheduler, settings.TASKS_PERIODIC)."""

from __future__ import annotations

from importlib import import_module

from django.conf import settings

from instaclone.tasks import background


@background()
def sessions_clear_expired() -> None:
    """Delete expired sessions, and with them the one-time codes they carry (sign-up and sign-in
    codes, password-reset keys in progress live in the session). Idempotent."""
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
