# ruff: noqa: S603, S607 - the harness runs its own fixed commands (manage.py worker)
"""Background fan-out benchmark (issue 11). One command:

    .venv/bin/python bench/fanout.py [--db sqlite|postgres] [--followers 1,10000,100000] [--delivery 10000]

On a database of its own (SQLite bench/out/fanout.sqlite3, or PostgreSQL `instaclone_bench_fanout`,
created and dropped here) with the database task backend:

1. Request time of creating a post (`POST /p/new/` with one small JPEG, through Django's test client,
   in-process) by authors with 1, 10,000 and 100,000 followers: median of 7 posts each. Tasks are
   only enqueued here, never run, so this is what the author waits for.
2. Delivery: with 1 and then 2 `manage.py worker` processes already idle, the author with
   `--delivery` followers posts; the time until the last follower's feed row exists is the
   delivery delay, rows / delay the fan-out throughput. Then `--parallel` authors (as many
   followers each) post at once, with 1 and 2 workers: one post's batches run one after another,
   so a second worker shows on several posts at once.
3. Kill: 1 worker is killed with SIGKILL part-way through a fan-out and started again with the same
   --id; every follower must end with the post exactly once.

Writes bench/out/fanout-<db>.json, the "Background fan-out" table in bench/RESULTS.md and the plot
bench/fanout.png.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
PG_BASE = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
PG_NAME = "instaclone_bench_fanout"


def log(msg: str) -> None:
    print(f"[fanout {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG_BASE}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def configure(db: str) -> dict:
    OUT.mkdir(parents=True, exist_ok=True)
    if db == "postgres":
        pg_admin(f'DROP DATABASE IF EXISTS "{PG_NAME}" WITH (FORCE)')
        pg_admin(f'CREATE DATABASE "{PG_NAME}"')
        url = f"{PG_BASE}/{PG_NAME}"
    else:
        path = OUT / "fanout.sqlite3"
        path.unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    env = {
        "DATABASE_URL": url, "TASKS_BACKEND": "db", "DEBUG": "0", "HTTPS": "0", "SECRET_KEY": "bench-" + "x" * 50,
        "ALLOWED_HOSTS": "testserver,127.0.0.1", "MEDIA_ROOT": str(OUT / "fanout-media"), "POST_CREATE_RATE": "1000/m",
        "DJANGO_SETTINGS_MODULE": "instaclone.settings", "LOG_LEVEL": "ERROR",
    }
    for key in ("REDIS_URL", "RQ_REDIS_URL"):
        os.environ.pop(key, None)
    os.environ.update(env)
    return {**os.environ}


def seed(max_followers: int, authors: list[int], parallel: tuple[int, int] = (0, 0)) -> dict:
    """A pool of `max_followers` active people; author `n` is followed by the first n of them; and
    `parallel` = (k, n): k more authors followed by the first n each (keys "p0", "p1", ...)."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from accounts.models import Follow, User

    password = make_password("bench-password")
    today = timezone.localdate()
    has_last_active = any(f.name == "last_active" for f in User._meta.get_fields())
    extra = {"last_active": today} if has_last_active else {}
    log(f"seeding {max_followers:,} followers")
    with transaction.atomic():
        User.objects.bulk_create(
            [User(username=f"f{i}", email=f"f{i}@example.com", password=password, **extra) for i in range(max_followers)],
            batch_size=5000,
        )
    pool = list(User.objects.filter(username__startswith="f").order_by("pk").values_list("pk", flat=True))
    ids = {}
    for n in authors:
        author = User.objects.create_user(f"author{n}", f"author{n}@example.com", "bench-password", **extra)
        from allauth.account.models import EmailAddress

        EmailAddress.objects.create(user=author, email=author.email, primary=True, verified=True)
        with transaction.atomic():
            Follow.objects.bulk_create([Follow(follower_id=pk, followee_id=author.pk) for pk in pool[:n]], batch_size=5000)
            User.objects.filter(pk=author.pk).update(follower_count=n)
        ids[n] = author.pk
        log(f"author{n}: {n:,} followers")
    count, n = parallel
    for i in range(count):
        author = User.objects.create_user(f"authorp{i}", f"authorp{i}@example.com", "bench-password", **extra)
        with transaction.atomic():
            Follow.objects.bulk_create([Follow(follower_id=pk, followee_id=author.pk) for pk in pool[:n]], batch_size=5000)
            User.objects.filter(pk=author.pk).update(follower_count=n)
        ids[f"p{i}"] = author.pk
    if count:
        log(f"{count} more authors with {n:,} followers each")
    return ids


def jpeg() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (200, 90, 40)).save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def request_times(author_ids: dict[int, int], repeats: int = 7) -> dict[int, list[float]]:
    import uuid

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    from accounts.models import User

    image = jpeg()
    times: dict[int, list[float]] = {}
    for n, pk in author_ids.items():
        client = Client()
        client.force_login(User.objects.get(pk=pk))
        client.get("/p/new/")
        samples = []
        for i in range(repeats + 1):
            upload = SimpleUploadedFile("bench.jpg", image, content_type="image/jpeg")
            started = time.perf_counter()
            response = client.post("/p/new/", {"caption": f"bench {i}", "media": upload, "submission_key": str(uuid.uuid4())})
            elapsed = time.perf_counter() - started
            assert response.status_code == 302, (response.status_code, response.content[:300])
            if i:  # the first is a warm-up
                samples.append(elapsed * 1000)
        times[n] = samples
        log(f"post with {n:,} followers: median {statistics.median(samples):.1f} ms")
    return times


def clear_queue() -> None:
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.all().delete()


def start_workers(env: dict, count: int, prefix: str) -> list[subprocess.Popen]:
    workers = [
        subprocess.Popen(
            [sys.executable, "manage.py", "worker", "--id", f"{prefix}-{i}", "--interval", "0.05", "--no-scheduler"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )
        for i in range(1, count + 1)
    ]
    time.sleep(3)  # let them import Django and start polling
    return workers


def stop(workers: list[subprocess.Popen], sig=signal.SIGTERM) -> None:
    for worker in workers:
        if worker.poll() is None:
            os.killpg(worker.pid, sig)
    for worker in workers:
        worker.wait(timeout=60)


def post_now(author_pk: int, caption: str) -> tuple[int, float]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from accounts.models import User
    from posts.services import post_create

    upload = SimpleUploadedFile("bench.jpg", jpeg(), content_type="image/jpeg")
    started = time.perf_counter()
    post = post_create(author=User.objects.get(pk=author_pk), caption=caption, files=[(upload, "")])
    return post.pk, started


def feed_rows(post_id: int) -> int:
    from social.models import FeedItem

    return FeedItem.objects.filter(post_id=post_id).count()


def delivery(env: dict, author_pks: list[int], followers: int, workers: int) -> dict:
    """Every author in `author_pks` posts at once; the delay is until the last follower of the
    last post has it."""
    clear_queue()
    procs = start_workers(env, workers, f"bench{workers}")
    try:
        posts, starts = [], []
        for pk in author_pks:
            post_id, started_one = post_now(pk, f"delivery with {workers} worker(s)")
            posts.append(post_id)
            starts.append(started_one)
        started = starts[0]
        target = followers + 1  # every follower and the author
        while any(feed_rows(post_id) < target for post_id in posts):
            if time.perf_counter() - started > 600:
                raise RuntimeError("fan-out did not finish")
            time.sleep(0.02)
        delay = time.perf_counter() - started
    finally:
        stop(procs)
    rows = followers * len(posts)
    result = {"workers": workers, "posts": len(posts), "followers": followers, "delay_s": round(delay, 3),
              "rows_per_s": round(rows / delay)}
    log(f"{workers} worker(s), {len(posts)} post(s): {rows:,} feed rows in {delay:.2f} s ({rows / delay:,.0f} rows/s)")
    return result


def kill_and_resume(env: dict, author_pk: int, followers: int) -> dict:
    clear_queue()
    procs = start_workers(env, 1, "killme")
    post_id, _ = post_now(author_pk, "killed half-way")
    while feed_rows(post_id) < followers // 3:
        time.sleep(0.005)
    stop(procs, signal.SIGKILL)
    at_kill = feed_rows(post_id)
    procs = start_workers(env, 1, "killme")  # same --id: it re-queues its predecessor's task
    try:
        deadline = time.monotonic() + 600
        while feed_rows(post_id) < followers + 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(1)  # anything still running would show up as an extra row attempt
    finally:
        stop(procs)
    from django.db.models import Count

    from social.models import FeedItem

    final = feed_rows(post_id)
    duplicates = FeedItem.objects.filter(post_id=post_id).values("owner_id").annotate(n=Count("pk")).filter(n__gt=1).count()
    result = {"followers": followers, "rows_at_kill": at_kill, "rows_after": final, "expected": followers + 1, "duplicates": duplicates}
    log(f"killed at {at_kill:,} rows; after restart {final:,} of {followers + 1:,}, duplicates {duplicates}")
    return result


def plot(results: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    ns = sorted(results["request_ms"], key=int)
    left.bar([f"{int(n):,}" for n in ns], [statistics.median(results["request_ms"][n]) for n in ns], color="#c13584")
    left.set_xlabel("followers of the author")
    left.set_ylabel("POST /p/new/ median (ms)")
    left.set_title("Creating a post")
    rows = results["delivery"]
    right.bar([f"{r['workers']}w, {r['posts']} post{'s' if r['posts'] > 1 else ''}" for r in rows], [r["delay_s"] for r in rows], color="#405de6")
    right.set_ylabel("seconds until the last follower's feed row")
    right.set_title(f"Delivery, {rows[0]['followers']:,} followers a post" if rows else "Delivery")
    fig.suptitle(f"Background fan-out ({results['db']}, {results['when']})")
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def write_results(results: dict) -> None:
    (OUT / f"fanout-{results['db']}.json").write_text(json.dumps(results, indent=2))
    lines = [f"### {results['db']} — {results['when']}", "",
             "| author's followers | POST /p/new/ median (ms) | ratio to 1 follower |", "|---:|---:|---:|"]
    base = statistics.median(results["request_ms"]["1"]) if "1" in results["request_ms"] else None
    for n in sorted(results["request_ms"], key=int):
        median = statistics.median(results["request_ms"][n])
        lines.append(f"| {int(n):,} | {median:.1f} | {median / base:.2f}× |" if base else f"| {int(n):,} | {median:.1f} | |")
    lines += ["", "| workers | posts at once | followers each | delivery delay (s) | feed rows / s |", "|---:|---:|---:|---:|---:|"]
    for row in results["delivery"]:
        lines.append(f"| {row['workers']} | {row['posts']} | {row['followers']:,} | {row['delay_s']:.2f} | {row['rows_per_s']:,} |")
    kill = results.get("kill")
    if kill:
        lines += ["", f"Worker killed (SIGKILL) at {kill['rows_at_kill']:,} of {kill['expected']:,} rows and restarted "
                      f"with the same id: {kill['rows_after']:,} rows afterwards, {kill['duplicates']} duplicates."]
    block = "\n".join(lines) + "\n"
    results_md = ROOT / "bench" / "RESULTS.md"
    text = results_md.read_text()
    start, end = "<!-- fanout:" + results["db"] + ":start -->", "<!-- fanout:" + results["db"] + ":end -->"
    if start in text:
        text = re.sub(re.escape(start) + r".*?" + re.escape(end), f"{start}\n{block}{end}", text, flags=re.S)
    else:
        if "## Background fan-out" not in text:
            text += ("\n## Background fan-out (issue 11; `.venv/bin/python bench/fanout.py [--db postgres]`)\n\n"
                     "![fan-out](fanout.png)\n\n")
        text += f"\n{start}\n{block}{end}\n"
    results_md.write_text(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--followers", default="1,10000,100000", help="authors' follower counts for the request time")
    parser.add_argument("--delivery", type=int, default=10000, help="followers for the delivery and kill runs")
    parser.add_argument("--parallel", type=int, default=4, help="posts at once (authors with --delivery followers each)")
    parser.add_argument("--no-kill", action="store_true")
    args = parser.parse_args()

    counts = sorted({int(n) for n in args.followers.split(",")} | {args.delivery})
    env = configure(args.db)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    try:
        ids = seed(max(counts), counts, (args.parallel, args.delivery))
        results = {"db": args.db, "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "request_ms": {}, "delivery": []}
        timed = request_times({n: ids[n] for n in sorted({int(x) for x in args.followers.split(",")})})
        results["request_ms"] = {str(n): v for n, v in timed.items()}
        many = [ids[f"p{i}"] for i in range(args.parallel)]
        for workers in (1, 2):
            results["delivery"].append(delivery(env, [ids[args.delivery]], args.delivery, workers))
        for workers in (1, 2):
            if many:
                results["delivery"].append(delivery(env, many, args.delivery, workers))
        if not args.no_kill:
            results["kill"] = kill_and_resume(env, ids[args.delivery], args.delivery)
        write_results(results)
        plot(results, ROOT / "bench" / "fanout.png")
        log("wrote bench/RESULTS.md and bench/fanout.png")
    finally:
        from django.db import connections

        connections.close_all()
        if args.db == "postgres":
            pg_admin(f'DROP DATABASE IF EXISTS "{PG_NAME}" WITH (FORCE)')


if __name__ == "__main__":
    main()
