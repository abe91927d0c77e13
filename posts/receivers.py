"""Receivers for accounts' domain events that concern posts' own rows (accounts/signals.py).
Connected in PostsConfig.ready()."""

from __future__ import annotations


def on_account_purging(sender, user_id, batch=500, **kwargs):
    """The account is being purged: every posts row of the person, and their files."""
    from .services.purge import account_posts_purge

    account_posts_purge(user_id=user_id, batch=batch)


def on_account_deactivated(sender, user_id, **kwargs):
    """The person deleted their account: their imports still running stop before their next post."""
    from .imports.services import import_cancel
    from .models import ImportJob

    for job in ImportJob.objects.filter(owner_id=user_id, status__in=[ImportJob.Status.PENDING, ImportJob.Status.RUNNING]):
        import_cancel(job=job)


def connect() -> None:
    from accounts import signals as account_signals

    account_signals.account_deactivated.connect(on_account_deactivated, dispatch_uid="posts.account_deactivated")
    account_signals.account_purging.connect(on_account_purging, dispatch_uid="posts.account_purging")
