"""Background work on Django's task API (the django-tasks backport of Django 6's `django.tasks`).

The engine is a library (django-tasks-db by default, RQ on Redis in production; settings.TASKS).
What the library leaves to the application, and this module adds in a few lines each:

- `background(...)`: a task decorator that retries on transient errors (database or network away)
  with exponential back-off and jitter, by enqueueing the next attempt with `run_after`; the failed
  attempt is recorded as `RetryScheduled` with the original error, the last one fails for real.
  Neither the database backend nor the task API retries by itself.
- `enqueue_on_commit(task, ...)`: enqueue when the surrounding transaction commits (never before the
  rows exist, never for a rolled-back request).
- `tasks_requeue_stale` / `requeue_interrupted`: a task whose worker died (killed, machine gone)
  stays RUNNING in the database backend for ever; these put it back in the queue. Every task must
  therefore be idempotent: running it twice changes nothing twice.
- `failed_tasks` / `task_rerun`: what the `tasks` management command and the admin show staff.

Nothing here imports an app: tasks live beside the services they run (`social/tasks.py`,
`posts/tasks.py`) and name their work by argument (ids, never model instances).
"""

from __future__ import annotations

import contextlib
import functools
import logging
import random
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import InterfaceError, OperationalError, transaction
from django.utils import timezone
from django_tasks import DEFAULT_TASK_QUEUE_NAME, task

log = logging.getLogger("instaclone.tasks")

# Errors worth another try: the database or another service is away for a moment. A bug
# (TypeError, IntegrityError from bad data...) fails at once and waits for a person.
TRANSIENT: tuple[type[BaseException], ...] = (OperationalError, InterfaceError, ConnectionError, TimeoutError)
try:  # Redis errors, when the redis client is installed (RQ's queue, the cache)
    from redis.exceptions import ConnectionError as _RedisConnectionError
    from redis.exceptions import TimeoutError as _RedisTimeoutError

    TRANSIENT += (_RedisConnectionError, _RedisTimeoutError)
except ImportError:  # pragma: no cover - redis is in requirements.txt
    pass

MAX_DELAY = 300.0  # seconds: the longest wait between two attempts


class RetryScheduled(Exception):  # noqa: N818 - it names what happened, not an error class
    """This attempt failed with a transient error and the next one is queued (see the chain)."""


def retry_delay(attempt: int) -> float:
    """Seconds before attempt `attempt + 1`: TASKS_RETRY_DELAY doubled per attempt, capped, +0-50%."""
    base = min(settings.TASKS_RETRY_DELAY * 2 ** (attempt - 1), MAX_DELAY)
    return base * (1 + random.random() / 2)


def background(*, priority: int = 0, queue_name: str = DEFAULT_TASK_QUEUE_NAME, retries: int | None = None):
    """Make `fn` a task that is retried on TRANSIENT errors, `retries` attempts in all
    (settings.TASKS_RETRIES by default). Arguments must be JSON-serialisable (ids, not objects)."""

    def wrap(fn: Callable):
        @functools.wraps(fn)
        def attempt(*args, _attempt: int = 1, **kwargs):
            try:
                return fn(*args, **kwargs)
            except TRANSIENT as exc:
                allowed = retries if retries is not None else settings.TASKS_RETRIES
                if _attempt >= allowed:
                    log.error("task %s failed after %d attempts: %r", the_task.module_path, _attempt, exc)
                    raise
                delay = retry_delay(_attempt)
                retry = the_task
                if the_task.get_backend().supports_defer:
                    retry = the_task.using(run_after=timezone.now() + timedelta(seconds=delay))
                retry.enqueue(*args, _attempt=_attempt + 1, **kwargs)
                log.warning("task %s attempt %d failed (%r); retrying in %.0f s", the_task.module_path, _attempt, exc, delay)
                raise RetryScheduled(
                    f"attempt {_attempt} failed ({type(exc).__name__}: {exc}); attempt {_attempt + 1} in {delay:.0f} s"
                ) from exc

        the_task = task(priority=priority, queue_name=queue_name)(attempt)
        return the_task

    return wrap


def enqueue_on_commit(the_task, *args, **kwargs) -> None:
    """Enqueue `the_task(*args, **kwargs)` once the current transaction commits (at once outside
    one). A queue that refuses (Redis away) is logged; the periodic repairs pick the work up."""

    def enqueue():
        try:
            the_task.enqueue(*args, **kwargs)
        except Exception:
            log.exception("could not enqueue %s", the_task.module_path)

    transaction.on_commit(enqueue)


# --- Interrupted and failed tasks (the database backend) --------------------------------------


def backend_kind() -> str:
    """"db", "rq" or "immediate": which engine settings.TASKS points at (tests may override it)."""
    backend = settings.TASKS["default"]["BACKEND"]
    return "db" if "DatabaseBackend" in backend else "rq" if "RQBackend" in backend else "immediate"


def _db_results():
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.all()


class WorkerIdTaken(Exception):  # noqa: N818
    """Another live worker already runs under this --id."""


@contextlib.contextmanager
def worker_id_lock(worker_id: str):
    """Hold `worker_id` for this process's life, so a second worker started with the same id stops
    at once instead of re-queueing (and so repeating) what the first one is running. PostgreSQL: a
    session advisory lock on a connection of its own (Django's connections come and go); SQLite:
    an flock on a file beside the database. Both go when the process dies, however it dies."""
    from django.db import connection

    if connection.vendor == "postgresql":
        import psycopg

        params = connection.get_connection_params()
        params.pop("cursor_factory", None)
        params.pop("context", None)
        with psycopg.connect(**params, autocommit=True) as conn:
            key = f"instaclone-worker:{worker_id}"
            if not conn.execute("SELECT pg_try_advisory_lock(hashtext(%s))", [key]).fetchone()[0]:
                raise WorkerIdTaken(worker_id)
            yield
    elif connection.vendor == "sqlite" and not connection.is_in_memory_db():  # (a test's database: no file to lock beside)
        import fcntl
        import hashlib

        digest = hashlib.sha1(worker_id.encode(), usedforsecurity=False).hexdigest()[:16]
        with open(f"{connection.settings_dict['NAME']}.worker-{digest}.lock", "w") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise WorkerIdTaken(worker_id) from None
            yield
    else:
        yield


def requeue_interrupted(*, worker_id: str) -> int:
    """Put back in the queue the tasks a previous worker with this id was running when it died
    (worker ids are unique among live workers, so a RUNNING task under ours is an orphan)."""
    if backend_kind() != "db":
        return 0
    orphans = [r.pk for r in _db_results().filter(status="RUNNING").only("pk", "worker_ids") if r.worker_ids[-1:] == [worker_id]]
    return _db_results().filter(pk__in=orphans, status="RUNNING").update(status="READY", started_at=None)


@background(retries=1)
def tasks_requeue_stale() -> int:
    """Periodic: tasks RUNNING for longer than TASKS_STALE_AFTER lost their worker; run them again."""
    if backend_kind() == "rq":
        return _requeue_abandoned_rq_jobs()
    if backend_kind() != "db":
        return 0
    cutoff = timezone.now() - timedelta(seconds=settings.TASKS_STALE_AFTER)
    count = _db_results().filter(status="RUNNING", started_at__lt=cutoff).update(status="READY", started_at=None)
    if count:
        log.warning("requeued %d task(s) whose worker stopped answering", count)
    return count


@background(retries=1)
def tasks_prune_results() -> int:
    """Periodic: forget finished task results older than TASKS_KEEP_RESULTS_DAYS (final failures are
    kept twice as long, for staff to look at)."""
    if backend_kind() != "db":
        return 0
    now = timezone.now()
    keep = timedelta(days=settings.TASKS_KEEP_RESULTS_DAYS)
    done = _db_results().filter(status="SUCCESSFUL", finished_at__lt=now - keep).delete()[0]
    failed = _db_results().filter(status="FAILED", finished_at__lt=now - 2 * keep).delete()[0]
    return done + failed


def _requeue_abandoned_rq_jobs() -> int:
    """RQ notices a dead worker itself (its heartbeat expires) and moves the job to the failed
    registry as AbandonedJobError; such a job did not fail, it lost its worker: queue it again."""
    count = 0
    for job, error in _rq_failed():
        if "AbandonedJobError" in error:
            job.failed_job_registry.requeue(job.id)
            count += 1
    if count:
        log.warning("requeued %d RQ job(s) whose worker died", count)
    return count


def rq_queues():
    import django_rq

    return [django_rq.get_queue(name) for name in settings.RQ_QUEUES]


def _rq_failed():
    """(job, its last error text) for every job in RQ's failed registries."""
    for queue in rq_queues():
        for job_id in queue.failed_job_registry.get_job_ids():
            job = queue.fetch_job(job_id)
            if job is not None:
                result = job.latest_result()
                yield job, (result.exc_string if result else "") or ""


def rq_failed_jobs() -> list:
    """RQ's final failures (not the attempts that were retried, nor jobs that lost their worker and
    wait for the stale sweep), oldest first."""
    retried = f"{RetryScheduled.__module__}.{RetryScheduled.__qualname__}"
    return [job for job, error in _rq_failed() if retried not in error and "AbandonedJobError" not in error]


def failed_tasks():
    """Final failures (not the attempts that were retried), newest first."""
    retried = f"{RetryScheduled.__module__}.{RetryScheduled.__qualname__}"
    return _db_results().filter(status="FAILED").exclude(exception_class_path=retried).order_by("-finished_at")


def rerun_kwargs(the_task, kwargs: dict) -> dict:
    """The keyword arguments for running a failed task again: its own, a fresh attempt count, and
    `rerun=True` for a task that takes it (one that can do more when a person asks again, e.g. try
    a failed video transcode once more)."""
    import inspect

    kwargs = {k: v for k, v in kwargs.items() if k != "_attempt"}
    if "rerun" in inspect.signature(the_task.func).parameters:
        kwargs["rerun"] = True
    return kwargs


def task_rerun(result) -> str:
    """Enqueue a failed task again with its arguments (a new result; the failure stays on record).
    Returns the new result's id."""
    args_kwargs = result.args_kwargs
    kwargs = rerun_kwargs(result.task, args_kwargs["kwargs"])
    new = result.task.enqueue(*args_kwargs["args"], **kwargs)
    log.info("re-ran task %s (%s) as %s", result.task_path, result.pk, new.id)
    return new.id
