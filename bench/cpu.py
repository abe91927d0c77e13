"""In-process CPU per request (the performance issue's harness). One command:

    .venv/bin/python bench/cpu.py [--db sqlite|postgres] [-n 100] [--redis URL] [--http]

On its own database (SQLite bench/out/cpu.sqlite3, or PostgreSQL `instaclone_bench_cpu`; seeded
once with the issue's dataset — `seed_demo --users 2000 --posts-per-user 10 --likes 200000
--comments 20000 --follows 50 --probe-followees 200` — and reused while the options match), with
bench.settings (production settings, DEBUG=0, the bare ceiling view, an X-Queries header), Django's
test client in this process measures `time.process_time()` for each of N requests of:

- the bare view signed out (same middleware, no session to load: the framework's floor, the issue's
  "bare view") and signed in (the session row and its lifetime check, on every signed-in request);
- the home feed of `probe_200` (12 cards), a profile with 10+ posts, a post page with 8+ comments;
- the like toggle: POST like / unlike with HX-Request, alternating.

It prints and stores fastest-of-N and median CPU ms, the ratio of the fastest to the bare view's,
and the queries (bench/out/cpu-<db>.json; the table between the cpu markers in bench/RESULTS.md).
Other work on a shared machine only adds time: the fastest request is the cleanest figure.

--redis URL: the same with Django's cache on Redis (the production cache; the nav's unread count is
read from it on every page). Use a database number of its own (e.g. redis://127.0.0.1:6379/14): the
run deletes only its own key prefix afterwards.
--http: also over HTTP: gunicorn with 2 sync workers on the same database, `wrk -t1 -c16 -d10s` on the
home feed and the bare view (req/s, p50/p99), as the issue measured it.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
PG_BASE = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
PG_NAME = "instaclone_bench_cpu"
SEED = {"users": 2000, "posts_per_user": 10, "likes": 200_000, "comments": 20_000, "follows": 50, "probe_followees": "200"}


def log(msg: str) -> None:
    print(f"[cpu {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def configure(db: str, redis_url: str = "") -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    url = f"{PG_BASE}/{PG_NAME}" if db == "postgres" else f"sqlite:///{OUT / 'cpu.sqlite3'}"
    for key in ("REDIS_URL", "RQ_REDIS_URL"):
        os.environ.pop(key, None)
    if redis_url:
        os.environ.update({"REDIS_URL": redis_url, "CACHE_KEY_PREFIX": "instaclone-bench-cpu"})
    os.environ.update({
        "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "bench.settings", "DEBUG": "0", "HTTPS": "0",
        "SECRET_KEY": "bench-only-secret-key-not-for-production-0123456789abcdef", "TASKS_BACKEND": "db",
        "ALLOWED_HOSTS": "testserver,127.0.0.1", "MEDIA_ROOT": str(OUT / "cpu-media"), "LOG_LEVEL": "ERROR",
    })


def ensure_database(db: str) -> None:
    """Create and seed the dataset unless a marker says it was seeded with the same options."""
    marker = OUT / f"cpu-{db}.seeded.json"
    if db == "postgres":
        import psycopg

        with psycopg.connect(f"{PG_BASE}/postgres", autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [PG_NAME]).fetchone()
            if not exists or not marker.exists() or json.loads(marker.read_text()) != SEED:
                conn.execute(f'DROP DATABASE IF EXISTS "{PG_NAME}" WITH (FORCE)')
                conn.execute(f'CREATE DATABASE "{PG_NAME}"')
                marker.unlink(missing_ok=True)
    elif not marker.exists() or json.loads(marker.read_text()) != SEED:
        (OUT / "cpu.sqlite3").unlink(missing_ok=True)
        marker.unlink(missing_ok=True)
    import django

    sys.path.insert(0, str(ROOT))
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)  # DEBUG=0: hashed names (into bench/out/static)
    if not marker.exists():
        log("seeding the dataset (once): " + json.dumps(SEED))
        call_command("seed_demo", verbosity=0, **SEED)
        marker.write_text(json.dumps(SEED))


def measure(client, method: str, path: str, n: int, **extra) -> dict:
    call = getattr(client, method)
    for _ in range(3):  # warm templates, caches, connections
        response = call(path, **extra)
        assert response.status_code in (200, 204), (path, response.status_code)
    cpu = []
    for _ in range(n):
        start = time.process_time()
        response = call(path, **extra)
        cpu.append((time.process_time() - start) * 1000)
    return {"min": min(cpu), "median": statistics.median(cpu), "queries": int(response.get("X-Queries", -1))}


def measure_like(client, post_id: int, n: int) -> dict:
    headers = {"HTTP_HX_REQUEST": "true"}
    for _ in range(2):
        client.post(f"/p/{post_id}/like/", **headers)
        client.post(f"/p/{post_id}/unlike/", **headers)
    cpu, queries = [], []
    for i in range(n):
        path = f"/p/{post_id}/{'like' if i % 2 == 0 else 'unlike'}/"
        start = time.process_time()
        response = client.post(path, **headers)
        cpu.append((time.process_time() - start) * 1000)
        assert response.status_code == 200, (path, response.status_code)
        queries.append(int(response.get("X-Queries", -1)))
    return {"min": min(cpu), "median": statistics.median(cpu), "queries": max(queries)}


def run(n: int) -> dict:
    from django.test import Client

    from accounts.models import User
    from posts.models import Post

    probe = User.objects.get(username="probe_200")
    anonymous = Client()
    client = Client()
    client.force_login(probe)
    author = User.objects.filter(is_private=False, is_active=True, post_count__gte=10).exclude(pk=probe.pk).order_by("post_count", "pk").first()
    post = (
        Post.objects.visible_to(probe)
        .filter(comment_count__gte=8, author__is_private=False)
        .exclude(author=probe)
        .order_by("comment_count", "pk")
        .first()
    )
    from instaclone.testing import api_token

    api = {"HTTP_AUTHORIZATION": f"Bearer {api_token(probe, 'read')}"}
    liked = Post.objects.visible_to(probe).filter(author__is_private=False).exclude(author=probe).order_by("-pk").first()
    rows = {
        "bare view (signed out)": measure(anonymous, "get", "/__bench__/bare/", n),
        "bare view (signed in)": measure(client, "get", "/__bench__/bare/", n),
        "home feed": measure(client, "get", "/", n),
        f"profile ({author.post_count} posts)": measure(client, "get", f"/{author.username}/", n),
        f"post page ({post.comment_count} comments)": measure(client, "get", f"/p/{post.pk}/", n),
        "like toggle (POST, htmx)": measure_like(client, liked.pk, n),
        # The client API (issue 14): the same feed as Mastodon JSON, and one status.
        "API home timeline (20 statuses)": measure(client, "get", "/api/v1/timelines/home?limit=20", n, **api),
        "API status": measure(client, "get", f"/api/v1/statuses/{post.pk}", n, **api),
    }
    for name, row in rows.items():
        log(f"{name:32} min {row['min']:6.2f} ms  median {row['median']:6.2f} ms  {row['queries']} queries")
    return rows


def over_http(seconds: float = 10, connections: int = 16) -> dict:
    """gunicorn, 2 sync workers, on this run's database and settings; wrk (or bench/loadgen.py) on
    the home feed of probe_200 and on the bare view, after a 2 s warm-up each."""
    from django.test import Client

    from accounts.models import User
    from bench import run as harness

    client = Client()
    client.force_login(User.objects.get(username="probe_200"))
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    server = harness.Server("sqlite", "main")
    server.env = {**os.environ, "SECURE_SSL_REDIRECT": "0", "SERVE_MEDIA": "1", "PYTHONPATH": str(ROOT)}
    results = {}
    with server:
        for name, path in (("home feed", "/"), ("bare view (signed in)", "/__bench__/bare/")):
            harness.load(server.port, path, cookie=cookie, seconds=2, connections=connections)
            results[name] = harness.load(server.port, path, cookie=cookie, seconds=seconds, connections=connections)
            row = results[name]
            log(f"HTTP {name:24} {row['rps']:7.1f} req/s  p50 {row['p50_ms']:6.1f} ms  p99 {row['p99_ms']:6.1f} ms  "
                f"errors {row['errors']} ({row['tool']})")
    return results


def write(db: str, rows: dict, n: int, *, redis: bool = False, http: dict | None = None) -> None:
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    key = f"{db}+redis" if redis else db
    (OUT / f"cpu-{key}.json").write_text(json.dumps({"db": db, "redis": redis, "when": when, "n": n, "rows": rows,
                                                     "http": http}, indent=2))
    bare = rows["bare view (signed out)"]["min"]
    load = os.getloadavg()[0]
    cache = "Redis" if redis else "local memory"
    lines = [f"### {db}, cache in {cache} — {when} (fastest and median of {n}; load average {load:.1f})", "",
             "| request | queries | CPU ms (fastest) | CPU ms (median) | × bare view (signed out) |", "|---|---:|---:|---:|---:|"]
    for name, row in rows.items():
        lines.append(f"| {name} | {row['queries']} | {row['min']:.2f} | {row['median']:.2f} | {row['min'] / bare:.0f}× |")
    if http:
        lines += ["", "Over HTTP (gunicorn 2 sync workers, `wrk -t1 -c16 -d10s` on the same 2 cores):", "",
                  "| page | req/s | p50 ms | p99 ms | errors |", "|---|---:|---:|---:|---:|"]
        for name, row in http.items():
            lines.append(f"| {name} | {row['rps']:.0f} | {row['p50_ms']:.1f} | {row['p99_ms']:.1f} | {row['errors']} |")
    block = "\n".join(lines) + "\n"
    results = ROOT / "bench" / "RESULTS.md"
    text = results.read_text()
    start, end = f"<!-- cpu:{key}:start -->", f"<!-- cpu:{key}:end -->"
    if start in text:
        text = re.sub(re.escape(start) + r".*?" + re.escape(end), f"{start}\n{block}{end}", text, flags=re.S)
    else:
        if "## In-process CPU per request" not in text:
            text += (
                "\n## In-process CPU per request (`.venv/bin/python bench/cpu.py [--db postgres]`)\n\n"
                "The performance issue's harness: Django's test client in one process, `time.process_time()` a "
                "request, on its dataset (2,000 people, 20,000 posts, 200,000 likes, 20,000 comments, a probe "
                "following 200), DEBUG=0. Baseline before any of that issue's work.\n"
            )
        text += f"\n{start}\n{block}{end}\n"
    results.write_text(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("-n", type=int, default=100, help="requests per row")
    parser.add_argument("--redis", default="", metavar="URL", help="cache on Redis (a database number of its own)")
    parser.add_argument("--http", action="store_true", help="also gunicorn + wrk on the feed and the bare view")
    args = parser.parse_args()
    configure(args.db, args.redis)
    ensure_database(args.db)
    try:
        rows = run(args.n)
        http = over_http() if args.http else None
    finally:
        if args.redis:  # only this run's keys (its own prefix), never the rest of that database
            import redis

            conn = redis.Redis.from_url(args.redis)
            for key in conn.scan_iter("instaclone-bench-cpu:*"):
                conn.delete(key)
    write(args.db, rows, args.n, redis=bool(args.redis), http=http)
    log("wrote bench/RESULTS.md")


if __name__ == "__main__":
    main()
