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


@background()
def account_purge_run(user_id: int, now: bool = False) -> str:
    """Purge one account (accounts.services.deletion.account_purge): resumable, so the engine may
    run it again after a failure or a killed worker and it continues."""
    from .services.deletion import account_purge

    result = account_purge(user_id=user_id, now=now)
    return f"account {user_id}: " + ("purged" if result.purged else "nothing to purge")


@background()
def accounts_purge_due() -> int:
    """Daily (TASKS_PERIODIC): queue the purge of every account whose grace period is over, one
    task each (a large account does not hold up the others). Returns how many were queued."""
    from instaclone.tasks import enqueue_on_commit

    from .services.deletion import accounts_due_for_purge

    ids = list(accounts_due_for_purge())
    for user_id in ids:
        enqueue_on_commit(account_purge_run, user_id)
    return len(ids)
