"""The feed's fan-out for real: the database task backend (django-tasks-db) and real worker processes
(`manage.py worker`) on one site database (instaclone.testing.SiteProcesses: a SQLite file, or a
throw-away PostgreSQL database when the suite runs on PostgreSQL), as the task engine's own tests
do. A post by an author with 2,500 followers reaches every one of them, in batches; a worker killed
in the middle of the fan-out and started again with the same id leaves every follower with the
post exactly once."""

from __future__ import annotations

import sqlite3

import pytest

from instaclone.testing import SiteProcesses, wait_until

FOLLOWERS = 2500
FAN_OUT = "social.tasks.feed_fan_out"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    site = SiteProcesses(tmp_path_factory.mktemp("feed"), TASKS_RETRY_DELAY="0.2")
    yield site
    site.close()


def _populate(site, name: str) -> int:
    """An author with FOLLOWERS followers (rows written in bulk, counters set), then a post made by
    the real service (posts.services.post_create through the test factory): returns its id."""
    out = site.shell(
        "from django.db.models import F\n"
        "from accounts.models import Follow, User\n"
        "from posts.tests.factories import PostFactory\n"
        f"author = User.objects.create(username='{name}', email='{name}@example.com')\n"
        f"User.objects.bulk_create([User(username=f'{name}_{{i}}', email=f'{name}_{{i}}@example.com') for i in range({FOLLOWERS})])\n"
        f"ids = User.objects.filter(username__startswith='{name}_').values_list('pk', flat=True)\n"
        "Follow.objects.bulk_create([Follow(follower_id=i, followee_id=author.pk) for i in ids])\n"
        "User.objects.filter(pk=author.pk).update(follower_count=len(ids))\n"
        "User.objects.filter(pk__in=ids).update(following_count=F('following_count') + 1)\n"
        "print(PostFactory(author=User.objects.get(pk=author.pk)).pk)\n"
    )
    return int(out.splitlines()[-1])


def _query(site, sql: str, params=()):
    """One value read straight from the site's database (no process start: fast enough to poll)."""
    if site.pg_name:
        import psycopg
        from django.conf import settings

        db = settings.DATABASES["default"]
        with psycopg.connect(
            host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"], password=db.get("PASSWORD") or None,
            dbname=site.pg_name, autocommit=True,
        ) as conn:
            return conn.execute(sql.replace("?", "%s"), params).fetchone()[0]
    with sqlite3.connect(site.tmp_path / "site.sqlite3", timeout=20) as conn:
        return conn.execute(sql, params).fetchone()[0]


def _rows(site, post_id: int) -> tuple[int, int]:
    """(feed rows of the post, distinct owners among them)."""
    return (
        _query(site, "SELECT COUNT(*) FROM social_feeditem WHERE post_id = ?", (post_id,)),
        _query(site, "SELECT COUNT(DISTINCT owner_id) FROM social_feeditem WHERE post_id = ?", (post_id,)),
    )


def _fan_out_runs(site, status: str) -> int:
    return _query(site, "SELECT COUNT(*) FROM django_tasks_database_dbtaskresult WHERE task_path = ? AND status = ?", (FAN_OUT, status))


def test_a_post_by_an_author_with_2500_followers_reaches_all_of_them_in_batches(site):
    site.env["FEED_FANOUT_BATCH"] = "1000"
    done_before = _fan_out_runs(site, "SUCCESSFUL")
    post_id = _populate(site, "star")
    assert _rows(site, post_id) == (1, 1)  # the author's own row, written with the post
    site.manage("worker", "--batch", "--id", "test-1")
    assert _rows(site, post_id) == (FOLLOWERS + 1, FOLLOWERS + 1)
    assert _fan_out_runs(site, "SUCCESSFUL") - done_before == 3  # 1,000 + 1,000 + 500, one task each


def test_a_worker_killed_mid_fan_out_loses_nothing_and_repeats_nothing(site):
    site.env["FEED_FANOUT_BATCH"] = "10"  # 250 batches: time to kill it in the middle
    post_id = _populate(site, "killed")
    worker = site.start("worker", "--id", "test-k", "--interval", "0.05", "--no-scheduler", log_name="worker-k")
    wait_until(lambda: _rows(site, post_id)[0] > 200, timeout=120, message="the fan-out to be under way")
    site.kill(worker)  # SIGKILL, wherever it is
    rows_then = _rows(site, post_id)[0]
    assert rows_then < FOLLOWERS + 1, "the fan-out finished before the kill; nothing was tested"
    site.manage("worker", "--batch", "--id", "test-k")  # same id: re-queues what it was running
    assert _rows(site, post_id) == (FOLLOWERS + 1, FOLLOWERS + 1)
    assert _fan_out_runs(site, "RUNNING") == 0
