"""Tasks the task-engine tests enqueue and a real worker process runs. They write auth Group rows
(unique names) so a test can read what ran, how often, from another process."""

from __future__ import annotations

import time

from django.contrib.auth.models import Group
from django.db import OperationalError

from instaclone.tasks import background


@background()
def steps(name: str, count: int, pause: float = 0.0) -> int:
    """`count` idempotent steps, one row each (get_or_create), `pause` seconds apart."""
    for i in range(count):
        Group.objects.get_or_create(name=f"{name}-{i:04d}")
        if pause:
            time.sleep(pause)
    return count


@background(retries=4)
def flaky(name: str, failures: int) -> int:
    """Fails with a transient database error on its first `failures` attempts (counted in rows)."""
    attempt = Group.objects.filter(name__startswith=f"{name}-attempt-").count()
    Group.objects.create(name=f"{name}-attempt-{attempt}")
    if attempt < failures:
        raise OperationalError("the database went away (simulated)")
    return attempt


@background()
def broken(name: str) -> None:
    """A bug, not a transient error: fails at once, no retry."""
    Group.objects.get_or_create(name=f"{name}-ran")
    raise ValueError(f"{name}: a bug")


@background()
def tick() -> None:
    Group.objects.create(name=f"tick-{Group.objects.filter(name__startswith='tick-').count()}")
