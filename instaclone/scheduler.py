"""The periodic part of the task engine: every TASKS_PERIODIC entry is enqueued once per period.

Written here rather than taken from a library because it is a dozen lines over the task API we already
use and must work on both backends (RQ's cron needs Redis; the embedded default has none). Each
worker runs one, so several workers enqueue a period's task once between them: `cache.add` of a
key naming the task and the period. On SQLite (one machine, locmem cache) there is one worker; with
Redis every node shares the key. During a Redis outage `cache.add` answers True, so two nodes may
both enqueue a sweep: periodic tasks are idempotent, the cost is one repeated sweep.
"""

from __future__ import annotations

import logging
import threading
import time

from django.conf import settings
from django.core.cache import cache
from django.db import close_old_connections
from django.utils.module_loading import import_string

log = logging.getLogger("instaclone.tasks")


def enqueue_due(now: float | None = None) -> list[str]:
    """Enqueue each periodic task whose current period has not been enqueued yet; return their paths."""
    now = time.time() if now is None else now
    enqueued = []
    for path, every in settings.TASKS_PERIODIC.items():
        slot = int(now // every)
        if not cache.add(f"tasks:periodic:{path}:{slot}", 1, timeout=every * 2):
            continue
        try:
            import_string(path).enqueue()
            enqueued.append(path)
        except Exception:
            log.exception("could not enqueue periodic task %s", path)
    return enqueued


class Scheduler(threading.Thread):
    """A daemon thread in the worker process: checks the schedule every `tick` seconds."""

    def __init__(self, tick: float = 30.0):
        super().__init__(name="instaclone-scheduler", daemon=True)
        self.tick = tick
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                enqueue_due()
            except Exception:
                log.exception("scheduler tick failed")
            finally:
                close_old_connections()
            self.stopping.wait(self.tick)

    def stop(self) -> None:
        self.stopping.set()
