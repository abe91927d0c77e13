"""The background task engine for real: the database backend (django-tasks-db), a real worker
process (`manage.py worker`) on the site's database (a SQLite file here, a throw-away PostgreSQL
database when the suite runs on PostgreSQL), and RQ on a redis-server of the test's own."""

from __future__ import annotations

import os
import shutil

import pytest
from django.db import transaction

from instaclone.tasks import enqueue_on_commit
from instaclone.testing import REDIS_SERVER, RedisServer, SiteProcesses, wait_until

from . import engine_tasks

DB_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
T = "instaclone.tests.engine_tasks"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """One migrated site for the module (migrating costs seconds); each test names its own rows."""
    site = SiteProcesses(tmp_path_factory.mktemp("engine"), TASKS_RETRY_DELAY="0.2")
    yield site
    site.close()


def _groups(site, prefix: str) -> list[str]:
    out = site.shell(f"from django.contrib.auth.models import Group; print('\\n'.join(Group.objects.filter(name__startswith='{prefix}').order_by('name').values_list('name', flat=True)))")
    return [line for line in out.splitlines() if line]


def _statuses(site, path: str, name: str) -> list[str]:
    """The states of the results of task `path` whose first argument is `name`, oldest first."""
    out = site.shell(
        "from django_tasks_db.models import DBTaskResult as R; "
        f"rows = R.objects.filter(task_path='{path}').order_by('enqueued_at').values_list('status', 'args_kwargs'); "
        f"print(' '.join(status for status, a in rows if a['args'][:1] == ['{name}']))"
    )
    return out.split()


def _enqueue(site, call: str) -> None:
    site.shell(f"from {T} import *; {call}")


@pytest.mark.django_db(transaction=True)
def test_enqueue_on_commit_waits_for_the_commit_and_drops_a_rollback(settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = DB_BACKEND
    with transaction.atomic():
        enqueue_on_commit(engine_tasks.steps, "committed", 1)
        assert not DBTaskResult.objects.exists()  # not before the rows it needs are committed
    assert list(DBTaskResult.objects.values_list("task_path", "args_kwargs")) == [
        (f"{T}.steps", {"args": ["committed", 1], "kwargs": {}})
    ]
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue_on_commit(engine_tasks.steps, "rolled-back", 1)
        raise RuntimeError("the request failed")
    assert DBTaskResult.objects.count() == 1


def test_worker_runs_tasks_retries_transient_errors_and_keeps_failures_for_staff(site):
    _enqueue(site, "steps.enqueue('s', 3); flaky.enqueue('f', 2); broken.enqueue('b')")
    worker = site.start("worker", "--id", "w-1", "--interval", "0.1", log_name="worker")
    wait_until(lambda: _statuses(site, f"{T}.flaky", "f")[-1:] == ["SUCCESSFUL"], timeout=90, message="flaky to succeed")
    site.kill(worker)

    assert _groups(site, "s-") == ["s-0000", "s-0001", "s-0002"]
    assert _statuses(site, f"{T}.steps", "s") == ["SUCCESSFUL"]
    # two transient failures, each recorded and followed by a deferred retry, then success
    assert _groups(site, "f-attempt-") == ["f-attempt-0", "f-attempt-1", "f-attempt-2"]
    assert _statuses(site, f"{T}.flaky", "f") == ["FAILED", "FAILED", "SUCCESSFUL"]
    # a bug fails once and waits for a person
    assert _statuses(site, f"{T}.broken", "b") == ["FAILED"]

    listing = site.manage("tasks")
    assert f"{T}.broken" in listing and "ValueError: b: a bug" in listing
    assert f"{T}.flaky" not in listing  # retried attempts are not final failures

    rerun = site.manage("tasks", "--rerun-failed")
    assert rerun.count("re-ran ") == 1 and f"{T}.broken" in rerun  # only the final failure
    site.manage("worker", "--batch", "--id", "w-1")
    assert _statuses(site, f"{T}.broken", "b") == ["FAILED", "FAILED"]  # it ran again (and is still a bug)


# Steps of 0.4 s (as the Redis test's): each check of progress starts a Django shell, which takes
# seconds on a loaded machine; with 0.1 s steps a whole task once finished before the kill.
def test_a_killed_worker_loses_nothing_and_repeats_nothing(site):
    _enqueue(site, "steps.enqueue('k', 40, 0.4)")
    worker = site.start("worker", "--id", "w-1", "--interval", "0.1", log_name="worker")
    wait_until(lambda: len(_groups(site, "k-")) >= 8, timeout=60, message="the task to be under way")
    site.kill(worker)  # SIGKILL in the middle of the task
    done_before = len(_groups(site, "k-"))
    assert 8 <= done_before < 40
    assert _statuses(site, f"{T}.steps", "k") == ["RUNNING"]  # orphaned: no worker will finish it

    # the same worker id started again re-queues what it was running and finishes it
    site.manage("worker", "--batch", "--id", "w-1")
    assert _statuses(site, f"{T}.steps", "k") == ["SUCCESSFUL"]
    assert _groups(site, "k-") == [f"k-{i:04d}" for i in range(40)]


def test_a_second_worker_with_a_running_workers_id_refuses_to_start(site):
    """It would otherwise re-queue, and so repeat, the task the first one is running."""
    _enqueue(site, "steps.enqueue('dup', 30, 0.1)")
    worker = site.start("worker", "--id", "w-dup", "--interval", "0.1", log_name="worker-dup")
    wait_until(lambda: len(_groups(site, "dup-")) >= 3, timeout=60, message="the task to be under way")
    with pytest.raises(AssertionError, match="A worker with --id w-dup is already running"):
        site.manage("worker", "--batch", "--id", "w-dup")
    wait_until(lambda: _statuses(site, f"{T}.steps", "dup") == ["SUCCESSFUL"], timeout=60, message="the first to finish")
    site.kill(worker)
    assert _groups(site, "dup-") == [f"dup-{i:04d}" for i in range(30)]


def test_a_task_whose_worker_never_returns_is_requeued_by_the_stale_sweep(site):
    _enqueue(site, "steps.enqueue('z', 30, 0.4)")
    worker = site.start("worker", "--id", "w-gone", "--interval", "0.1", log_name="worker")
    wait_until(lambda: len(_groups(site, "z-")) >= 3, timeout=60, message="the task to be under way")
    site.kill(worker)
    # another worker does not touch it while it may still be running ...
    site.manage("worker", "--batch", "--id", "w-other")
    assert _statuses(site, f"{T}.steps", "z") == ["RUNNING"]
    # ... until the periodic sweep finds it older than TASKS_STALE_AFTER
    sweep = "from django.conf import settings; from instaclone.tasks import tasks_requeue_stale; "
    assert site.shell(sweep + "print(tasks_requeue_stale.call())") == "0"  # not stale yet (900 s)
    assert site.shell(sweep + "settings.TASKS_STALE_AFTER = 0; print(tasks_requeue_stale.call())") == "1"
    site.manage("worker", "--batch", "--id", "w-other")
    assert _statuses(site, f"{T}.steps", "z") == ["SUCCESSFUL"]
    assert len(_groups(site, "z-")) == 30


@pytest.mark.django_db
def test_the_scheduler_enqueues_each_periodic_task_once_per_period(settings):
    from django.contrib.auth.models import Group

    from instaclone.scheduler import enqueue_due

    settings.TASKS_PERIODIC = {f"{T}.tick": 60}
    assert enqueue_due(now=6000.0) == [f"{T}.tick"]
    assert enqueue_due(now=6059.0) == []  # same period: another worker's scheduler already did it
    assert enqueue_due(now=6060.0) == [f"{T}.tick"]
    assert Group.objects.filter(name__startswith="tick-").count() == 2


def test_rq_on_redis_runs_tasks_through_the_same_worker_command(tmp_path):
    if not (os.path.exists(REDIS_SERVER) or shutil.which(REDIS_SERVER)):
        pytest.skip(f"redis-server is not installed at {REDIS_SERVER} (apt-get install redis-server)")
    redis = RedisServer(tmp_path / "redis").start()  # the test's own server: nothing else is touched
    site = SiteProcesses(tmp_path, TASKS_BACKEND="rq", REDIS_URL=redis.url, TASKS_RETRY_DELAY="0.2")
    try:
        _enqueue(site, "steps.enqueue('r', 2); flaky.enqueue('rf', 1); broken.enqueue('rb')")
        worker = site.start("worker", "--id", "rq-1", log_name="worker")
        wait_until(lambda: len(_groups(site, "rf-attempt-")) == 2, timeout=90, message="the RQ retry to run")
        assert _groups(site, "r-") == ["r-0000", "r-0001"]

        # staff see the final failure (not the retried attempt) and can run it again
        wait_until(lambda: "FAILED: 2" in site.manage("tasks"), timeout=30, message="two failed jobs")
        listing = site.manage("tasks")
        assert f"{T}.broken" in listing and "ValueError: rb: a bug" in listing and f"{T}.flaky" not in listing
        rerun = site.manage("tasks", "--rerun-failed")
        assert rerun.count("re-ran ") == 1 and f"{T}.broken" in rerun
        wait_until(lambda: "FAILED: 2" in site.manage("tasks") and "READY: 0" in site.manage("tasks"), timeout=30,
                   message="the re-run to fail again")

        # a worker killed mid-task: RQ finds the job abandoned once the worker's heartbeat expires
        # (forced here instead of waiting minutes); the stale sweep puts it back; nothing is repeated
        # 40 steps of 0.4 s: long enough that a loaded machine's `manage.py shell` polls (seconds
        # each) still see it under way when the worker is killed
        _enqueue(site, "steps.enqueue('ra', 40, 0.4)")
        wait_until(lambda: len(_groups(site, "ra-")) >= 5, timeout=60, message="the task to be under way")
        site.kill(worker)
        assert len(_groups(site, "ra-")) < 40
        site.shell(
            "import time, django_rq; from rq.registry import StartedJobRegistry; "
            "q = django_rq.get_queue('default'); StartedJobRegistry(queue=q).cleanup(time.time() + 10**6)"
        )
        assert site.shell("from instaclone.tasks import tasks_requeue_stale; print(tasks_requeue_stale.call())") == "1"
        site.manage("worker", "--batch", "--id", "rq-1")
        assert _groups(site, "ra-") == [f"ra-{i:04d}" for i in range(40)]
    finally:
        site.close()
        redis.stop()


def test_every_periodic_entry_is_a_task():
    from django.conf import settings
    from django.utils.module_loading import import_string
    from django_tasks.base import Task

    assert settings.TASKS_PERIODIC
    for path, every in settings.TASKS_PERIODIC.items():
        assert isinstance(import_string(path), Task), path
        assert every >= 60


@pytest.mark.django_db
def test_old_results_are_pruned_and_recent_ones_and_open_work_kept(settings):
    from datetime import timedelta

    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from instaclone.tasks import tasks_prune_results

    settings.TASKS = DB_BACKEND
    now = timezone.now()
    for name, status, age in [("old-ok", "SUCCESSFUL", 8), ("new-ok", "SUCCESSFUL", 1), ("old-fail", "FAILED", 8),
                              ("older-fail", "FAILED", 15), ("waiting", "READY", 30)]:
        result = engine_tasks.steps.enqueue(name, 1)
        DBTaskResult.objects.filter(pk=result.id).update(status=status, finished_at=now - timedelta(days=age))
    assert tasks_prune_results.call() == 2
    kept = sorted(r.args_kwargs["args"][0] for r in DBTaskResult.objects.filter(task_path=f"{T}.steps"))
    assert kept == ["new-ok", "old-fail", "waiting"]


@pytest.mark.django_db
def test_expired_sessions_and_the_codes_they_carry_are_cleared(client, alice):
    from datetime import timedelta

    from django.contrib.sessions.models import Session
    from django.utils import timezone

    from accounts.tasks import sessions_clear_expired

    client.force_login(alice)
    Session.objects.create(session_key="x" * 32, session_data="", expire_date=timezone.now() - timedelta(seconds=1))
    sessions_clear_expired.call()
    assert list(Session.objects.values_list("session_key", flat=True)) == [client.session.session_key]


@pytest.mark.django_db
def test_staff_see_failed_tasks_in_the_admin_and_run_them_again(client, settings):
    from django_tasks_db.models import DBTaskResult

    from accounts.tests.factories import UserFactory

    settings.TASKS = DB_BACKEND
    failed = engine_tasks.broken.enqueue("admin")
    done = engine_tasks.steps.enqueue("admin-ok", 1)
    DBTaskResult.objects.filter(pk=failed.id).update(
        status="FAILED", exception_class_path="builtins.ValueError", traceback="ValueError: admin: a bug"
    )
    DBTaskResult.objects.filter(pk=done.id).update(status="SUCCESSFUL")
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))

    listing = client.get("/admin/django_tasks_database/dbtaskresult/?status__exact=FAILED")
    assert listing.status_code == 200
    assert str(failed.id) in listing.content.decode() and str(done.id) not in listing.content.decode()

    response = client.post(
        "/admin/django_tasks_database/dbtaskresult/",
        {"action": "run_again", "_selected_action": [str(failed.id), str(done.id)]},
        follow=True,
    )
    assert "Queued 1 task(s) again." in response.content.decode()
    assert DBTaskResult.objects.filter(task_path=f"{T}.broken", status="READY").count() == 1
    assert DBTaskResult.objects.filter(task_path=f"{T}.steps").count() == 1  # a success is not re-run


@pytest.mark.django_db
def test_a_moderator_cannot_see_the_task_queue(client):
    from social.tests.moderation_support import make_moderator

    client.force_login(make_moderator())
    assert client.get("/admin/django_tasks_database/dbtaskresult/").status_code == 403
