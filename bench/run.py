# ruff: noqa: S603 - the harness runs its own fixed commands (manage.py, gunicorn, wrk)
"""Instaclone benchmark harness. Use bench/run.sh (it installs what this needs), or:

    .venv/bin/python bench/run.py [--db sqlite|postgres] [--quick] [--duration 10] [--posts-series 10000,100000]

1. Seeds a database of its own (or reuses it when it was seeded with the same options):
   SQLite bench/out/bench-<dataset>.sqlite3, or PostgreSQL database instaclone_bench[_<dataset>].
2. Starts gunicorn (2 workers, 127.0.0.1, DEBUG=0, bench.settings = production settings plus the two
   ceiling views and an X-Queries header), signs probe users in (sessions via Django's test client).
3. For every page: one request to check it exists and count its queries, a short warm-up, then wrk
   (or bench/loadgen.py if wrk is missing) for a fixed time with 16 connections.
4. Feed latency against followees (probe users following 10 … 5,000 accounts) and against total
   posts (one dataset per size).
5. Writes bench/out/results-<db>.json, updates the table in bench/RESULTS.md, draws
   bench/feed_scaling.png.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
OUT = BENCH / "out"
PY = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv" / "bin" / "python").exists() else sys.executable
GUNICORN = str(Path(PY).parent / "gunicorn")
PG_BASE = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
PG_PREFIX = "instaclone_bench"

# name -> seed_demo options. "main" is the one every page is measured on.
DATASETS = {
    "main": {"users": 10000, "posts_per_user": 10, "likes": 1_000_000, "follows": 30},
    "posts10k": {"users": 10000, "posts_per_user": 1, "likes": 100_000, "follows": 30},
    # 1M posts: fewer follows per person (10), or the fan-out table alone would hold ~31M rows; the
    # probe users (whose feeds are measured) follow the same accounts as in the other datasets.
    "posts1m": {"users": 10000, "posts_per_user": 100, "likes": 1_000_000, "follows": 10},
    "quick": {"users": 1000, "posts_per_user": 10, "likes": 50_000, "follows": 30},
}
PROBES = "10,100,1000,5000"
FEW, MANY = "probe_10", "probe_1000"


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", flush=True)


# --- databases --------------------------------------------------------------------------------


def database_url(db: str, dataset: str) -> str:
    if db == "sqlite":
        return f"sqlite:///{OUT / f'bench-{dataset}.sqlite3'}"
    name = PG_PREFIX if dataset == "main" else f"{PG_PREFIX}_{dataset}"
    return f"{PG_BASE}/{name}"


def server_env(db: str, dataset: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("IMAGEKIT_")}
    env.update({
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": database_url(db, dataset),
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-secret-key-not-for-production-0123456789abcdef",
        "SECURE_SSL_REDIRECT": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "MEDIA_ROOT": str(OUT / f"media-{db}-{dataset}"),
        "SERVE_MEDIA": "1",
        "LOG_LEVEL": "ERROR",
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL", ""),
        "PYTHONPATH": str(ROOT),
    })
    return env


def manage(env: dict, *args: str, nice: bool = True) -> None:
    cmd = (["nice", "-n", "10"] if nice else []) + [PY, "manage.py", *args]
    subprocess.run(cmd, cwd=ROOT, env=env, check=True)


def recreate_database(db: str, dataset: str) -> None:
    if db == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(str(OUT / f"bench-{dataset}.sqlite3") + suffix).unlink(missing_ok=True)
        return
    import psycopg

    name = database_url(db, dataset).rsplit("/", 1)[1]
    assert name.startswith(PG_PREFIX), name  # never any other database
    with psycopg.connect(f"{PG_BASE}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def ensure_dataset(db: str, dataset: str, reseed: bool) -> dict:
    """Seed the dataset unless a marker says it was seeded with the same options. Returns the marker."""
    options = {**DATASETS[dataset], "probe_followees": PROBES, "seed": 42}
    marker = OUT / f"dataset-{db}-{dataset}.json"
    if marker.exists() and not reseed:
        saved = json.loads(marker.read_text())
        if saved.get("options") == options:
            log(f"reusing {db} dataset {dataset} (seeded in {saved['seed_seconds']:.0f}s)")
            return saved
    marker.unlink(missing_ok=True)
    log(f"seeding {db} dataset {dataset}: {options}")
    recreate_database(db, dataset)
    env = server_env(db, dataset)
    shutil.rmtree(env["MEDIA_ROOT"], ignore_errors=True)
    manage(env, "migrate", "--noinput", "-v0")
    args = ["seed_demo", "-v2"]
    for key, value in options.items():
        args += [f"--{key.replace('_', '-')}", str(value)]
    start = time.monotonic()
    manage(env, *args)
    seconds = time.monotonic() - start
    manage(env, "check_counters")
    saved = {"options": options, "seed_seconds": round(seconds, 1), "db": db, "dataset": dataset}
    marker.write_text(json.dumps(saved, indent=2))
    log(f"seeded {dataset} in {seconds:.0f}s")
    return saved


# --- server -----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, db: str, dataset: str, workers: int = 2):
        self.env = server_env(db, dataset)
        self.port = free_port()
        self.workers = workers
        self.proc = None

    def __enter__(self):
        cmd = [GUNICORN, "instaclone.wsgi:application", "--workers", str(self.workers), "--bind",
               f"127.0.0.1:{self.port}", "--log-level", "warning", "--timeout", "60"]
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=self.env, start_new_session=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                status, _, _ = http_get(self.port, "/__bench__/bare/")
                if status == 200:
                    return self
            except OSError:
                pass
            if self.proc.poll() is not None:
                raise RuntimeError("gunicorn exited while starting")
            time.sleep(0.3)
        raise RuntimeError("gunicorn did not answer within 30s")

    def __exit__(self, *exc):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)


def http_get(port: int, path: str, cookie: str = "", method: str = "GET", headers: dict | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, headers={"Cookie": cookie, **(headers or {})})
        resp = conn.getresponse()
        body = resp.read()
        return resp.status, dict(resp.getheaders()), body
    finally:
        conn.close()


def prepare(env: dict) -> dict:
    out = subprocess.run([PY, str(BENCH / "prepare.py")], cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


# --- load -------------------------------------------------------------------------------------


def load(port: int, path: str, *, cookie: str, seconds: float, connections: int, csrf: str = "",
         like_posts: list[int] | None = None) -> dict:
    env = {**os.environ, "BENCH_COOKIE": cookie, "BENCH_CSRF": csrf,
           "BENCH_POSTS": ",".join(map(str, like_posts or []))}
    url = f"http://127.0.0.1:{port}{path}"
    if shutil.which("wrk"):
        cmd = ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout", "10s",
               "-s", str(BENCH / "wrk" / "bench.lua"), url]
        out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True).stdout
        line = next(ln for ln in out.splitlines() if ln.startswith("BENCHJSON "))
        raw = json.loads(line[len("BENCHJSON "):])
        tool = "wrk"
    else:
        from loadgen import run as loadgen_run  # noqa: PLC0415 - fallback only

        raw = loadgen_run(url, cookie=cookie, csrf=csrf, like_posts=like_posts or [], seconds=seconds,
                          connections=connections)
        tool = "loadgen"
    errors = sum(raw["errors"].values())
    secs = raw["duration_us"] / 1e6
    lat = raw["latency_us"]
    return {
        "tool": tool, "requests": raw["requests"], "seconds": round(secs, 2),
        "rps": round(raw["requests"] / secs, 1) if secs else 0.0,
        "p50_ms": round(lat["p50"] / 1000, 1), "p95_ms": round(lat["p95"] / 1000, 1),
        "p99_ms": round(lat["p99"] / 1000, 1), "errors": errors, "error_detail": raw["errors"],
    }


def pages(info: dict) -> list[dict]:
    """The measured pages: name, path, who is signed in, kind."""
    deep = info.get("deep_cursor")
    rows = [
        {"name": "ceiling: bare view", "path": "/__bench__/bare/", "user": MANY, "ceiling": True},
        {"name": "ceiling: feed from memory", "path": "/__bench__/feed/", "user": MANY, "ceiling": True},
        {"name": "feed page 1 (few followees)", "path": "/", "user": FEW},
        {"name": "feed page 1 (many followees)", "path": "/", "user": MANY},
        {"name": "feed deep page (cursor)", "path": f"/?cursor={deep}" if deep else None, "user": MANY},
        {"name": "profile", "path": f"/{info['profile']}/" if info.get("profile") else None, "user": MANY},
        {"name": "post detail", "path": f"/p/{info['post_id']}/" if info.get("post_id") else None, "user": MANY},
        {"name": "explore", "path": "/explore/", "user": MANY},
        {"name": "search", "path": f"/search/?q={info.get('search', 'a')}", "user": MANY},
        {"name": "hashtag", "path": f"/explore/tags/{info['tag']}/" if info.get("tag") else None, "user": MANY},
        {"name": "like toggle (POST)", "path": "/p/{id}/like/", "user": MANY, "post": True},
    ]
    return rows


CURSOR_RE = re.compile(r"[?&]cursor=([A-Za-z0-9_\-.~%=:]+)")


def find_deep_cursor(port: int, cookie: str, depth: int) -> tuple[str | None, int]:
    """Follow the feed's "next page" cursor `depth` times; returns the last cursor and pages walked."""
    cursor, walked = None, 0
    for _ in range(depth):
        path = "/" + (f"?cursor={cursor}" if cursor else "")
        status, _, body = http_get(port, path, cookie, headers={"HX-Request": "true"} if cursor else {})
        if status != 200:
            break
        found = CURSOR_RE.findall(body.decode("utf-8", "replace"))
        if not found:
            break
        cursor, walked = found[-1], walked + 1
    return cursor, walked


def cookie_for(info: dict, user: str) -> str:
    probe = info["probes"].get(user) or next(iter(info["probes"].values()))
    return f"sessionid={probe['session']}; csrftoken={info['csrf']}"


def check_page(port: int, page: dict, info: dict) -> dict:
    """One request: does the page exist, what status, how many queries."""
    cookie = cookie_for(info, page["user"])
    headers = {}
    path = page["path"]
    method = "GET"
    if page.get("post"):
        if not info.get("like_posts"):
            return {"status": None, "missing": "no public post to like"}
        path = page["path"].format(id=info["like_posts"][0])
        method = "POST"
        headers = {"X-CSRFToken": info["csrf"], "HX-Request": "true", "Content-Type": "application/x-www-form-urlencoded"}
    try:
        if method == "GET":  # warm both workers' caches (the feed ceiling's objects, templates)
            for _ in range(4):
                http_get(port, path, cookie, method=method, headers=headers)
        status, resp_headers, body = http_get(port, path, cookie, method=method, headers=headers)
    except OSError as exc:
        return {"status": None, "missing": f"request failed: {exc}"}
    result = {"status": status, "queries": _int(resp_headers.get("X-Queries")),
              "tx_statements": _int(resp_headers.get("X-Queries-Tx")), "bytes": len(body)}
    if page.get("post"):  # leave the post as it was
        http_get(port, path.replace("/like/", "/unlike/"), cookie, method="POST", headers=headers)
    if status == 404:
        result["missing"] = "404: the page does not exist yet"
    elif status >= 400:
        result["missing"] = f"HTTP {status}"
    elif status in (301, 302):
        result["missing"] = f"redirect to {resp_headers.get('Location')}"
    return result


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def measure_pages(port: int, info: dict, args) -> list[dict]:
    results = []
    for page in pages(info):
        row = {"name": page["name"], "path": page["path"], "user": page["user"]}
        if page["path"] is None:
            row["missing"] = "no such data (feed has no next page, or nothing seeded)"
            results.append(row)
            log(f"{page['name']}: skipped ({row['missing']})")
            continue
        row.update(check_page(port, page, info))
        if row.get("missing"):
            results.append(row)
            log(f"{page['name']}: MISSING ({row['missing']})")
            continue
        cookie = cookie_for(info, page["user"])
        like_posts = info["like_posts"] if page.get("post") else None
        path = "/" if page.get("post") else page["path"]
        load(port, path, cookie=cookie, seconds=args.warmup, connections=args.connections, csrf=info["csrf"],
             like_posts=like_posts)
        row.update(load(port, path, cookie=cookie, seconds=args.duration, connections=args.connections,
                        csrf=info["csrf"], like_posts=like_posts))
        row["loadavg_1m"] = round(os.getloadavg()[0], 1)
        results.append(row)
        log(f"{page['name']}: {row['rps']} req/s, p50 {row['p50_ms']} ms, p99 {row['p99_ms']} ms, "
            f"{row['errors']} errors, {row['queries']} queries")
    ceiling = next((r for r in results if r["name"] == "ceiling: feed from memory" and r.get("rps")), None)
    bare = next((r for r in results if r["name"] == "ceiling: bare view" and r.get("rps")), None)
    for r in results:
        if r.get("rps") and ceiling:
            r["vs_feed_ceiling"] = round(r["rps"] / ceiling["rps"], 2)
        if r.get("rps") and bare:
            r["vs_bare"] = round(r["rps"] / bare["rps"], 2)
    return results


def measure_feed(port: int, info: dict, user: str, args) -> dict | None:
    if user not in info["probes"]:
        return None
    cookie = cookie_for(info, user)
    status, headers, _ = http_get(port, "/", cookie)
    if status != 200:
        return {"status": status, "missing": True}
    load(port, "/", cookie=cookie, seconds=args.warmup, connections=args.connections)
    row = load(port, "/", cookie=cookie, seconds=args.scaling_duration, connections=args.connections)
    # one connection: the service time of a request, without the queueing that 16 connections add
    single = load(port, "/", cookie=cookie, seconds=args.scaling_duration, connections=1)
    row.update({"p50_1c_ms": single["p50_ms"], "p99_1c_ms": single["p99_ms"]})
    row["queries"] = _int(headers.get("X-Queries"))
    row["followees"] = info["probes"][user]["followees"]
    return row


# --- report -----------------------------------------------------------------------------------


def markdown(result: dict) -> str:
    meta = result["meta"]
    lines = [
        f"### {meta['db']} — {meta['when']}",
        "",
        f"Dataset `{meta['dataset']}`: {meta['counts']['users']:,} users, {meta['counts']['posts']:,} posts "
        f"(seeded in {meta['seed_seconds']:.0f} s with `seed_demo {meta['seed_args']}`). "
        f"gunicorn 2 sync workers, {meta['connections']} connections, {meta['duration']} s a page "
        f"({meta['tool']}), load generator on the same {meta['cpus']} cores. "
        f"Machine load average (1 min) during the run: {meta.get('loadavg', '?')} — other work shares these cores.",
        "",
        "| page | signed in as | req/s | p50 ms | p95 ms | p99 ms | errors | queries | vs feed ceiling |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in result["pages"]:
        if r.get("missing"):
            lines.append(f"| {r['name']} | {r['user']} | — | — | — | — | — | — | missing: {r['missing']} |")
            continue
        ratio = r.get("vs_feed_ceiling")
        extra = f" ({r['vs_bare']:.0%} of bare)" if r["name"].startswith("like") and r.get("vs_bare") else ""
        lines.append(
            f"| {r['name']} | {r['user']} | {r['rps']:.0f} | {r['p50_ms']} | {r['p95_ms']} | {r['p99_ms']} | "
            f"{r['errors']} | {r.get('queries', '?')}{_tx(r)} | {f'{ratio:.0%}' if ratio is not None else '—'}{extra} |"
        )
    if result.get("followees"):
        lines += ["", "Feed page 1 against followees (16 connections; and 1 connection = service time):", "",
                  "| followees | req/s | p50 ms | p99 ms | 1 conn p50 ms | 1 conn p99 ms | queries |",
                  "|---:|---:|---:|---:|---:|---:|---:|"]
        for r in result["followees"]:
            lines.append(f"| {r['followees']:,} | {r['rps']:.0f} | {r['p50_ms']} | {r['p99_ms']} | "
                         f"{r.get('p50_1c_ms', '—')} | {r.get('p99_1c_ms', '—')} | {r.get('queries')} |")
    if result.get("posts"):
        lines += ["", f"Feed page 1 against total posts (signed in as {MANY}):", "",
                  "| total posts | req/s | p50 ms | p99 ms | 1 conn p50 ms | 1 conn p99 ms | queries | seeded in |",
                  "|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for r in result["posts"]:
            if r.get("skipped"):
                lines.append(f"| {r['total_posts']:,} | — | — | — | — | — | — | not generated: {r['skipped']} |")
            else:
                lines.append(f"| {r['total_posts']:,} | {r['rps']:.0f} | {r['p50_ms']} | {r['p99_ms']} | "
                             f"{r.get('p50_1c_ms', '—')} | {r.get('p99_1c_ms', '—')} | "
                             f"{r.get('queries')} | {r['seed_seconds']:.0f} s |")
    return "\n".join(lines) + "\n"


def _tx(row: dict) -> str:
    return f" (+{row['tx_statements']} tx)" if row.get("tx_statements") else ""


def update_results_md(db: str, section: str) -> None:
    path = BENCH / "RESULTS.md"
    text = path.read_text() if path.exists() else "# Benchmark results\n"
    start, end = f"<!-- results:{db}:start -->", f"<!-- results:{db}:end -->"
    block = f"{start}\n{section}{end}"
    if start in text and end in text:
        text = re.sub(re.escape(start) + r".*?" + re.escape(end), lambda _m: block, text, flags=re.S)
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    path.write_text(text)


# --- main -------------------------------------------------------------------------------------


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--quick", action="store_true", help="small dataset, 3 s a page, no total-posts series")
    parser.add_argument("--duration", type=float, default=10, help="seconds of load a page (default 10)")
    parser.add_argument("--warmup", type=float, default=2)
    parser.add_argument("--scaling-duration", type=float, default=5)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--posts-series", default="10000,100000",
                        help="total-posts points for the plot (10000, 100000, 1000000); default 10000,100000")
    parser.add_argument("--reseed", action="store_true", help="seed again even if a matching dataset exists")
    parser.add_argument("--pages-only", action="store_true", help="skip the followees and total-posts series")
    parser.add_argument("--seed-only", action="store_true", help="seed (or check) the datasets, measure nothing")
    args = parser.parse_args(argv)
    # a SIGTERM unwinds like an exception, so gunicorn is stopped on the way out
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    OUT.mkdir(parents=True, exist_ok=True)
    dataset = "quick" if args.quick else "main"
    if args.quick:
        args.duration, args.warmup, args.scaling_duration = 3, 1, 2

    seed = ensure_dataset(args.db, dataset, args.reseed)
    if args.seed_only:
        if not args.quick:
            for total in [int(x) for x in args.posts_series.split(",") if x.strip()]:
                name = {10_000: "posts10k", 1_000_000: "posts1m"}.get(total)
                if name:
                    ensure_dataset(args.db, name, args.reseed)
        return 0
    env = server_env(args.db, dataset)
    subprocess.run([PY, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    info = prepare(env)
    tool = "wrk" if shutil.which("wrk") else "bench/loadgen.py"
    result = {"meta": {
        "db": args.db, "dataset": dataset, "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "counts": info["counts"], "seed_seconds": seed["seed_seconds"],
        "seed_args": " ".join(f"--{k.replace('_', '-')} {v}" for k, v in seed["options"].items()),
        "connections": args.connections, "duration": args.duration, "tool": tool,
        "cpus": os.cpu_count(),
    }}
    with Server(args.db, dataset) as server:
        log(f"gunicorn on 127.0.0.1:{server.port} ({args.db}, dataset {dataset})")
        info["deep_cursor"], walked = find_deep_cursor(server.port, cookie_for(info, MANY), 10)
        result["meta"]["deep_page"] = walked + 1
        result["pages"] = measure_pages(server.port, info, args)
        if not args.pages_only:
            result["followees"] = [r for u in sorted(info["probes"], key=lambda u: info["probes"][u]["followees"])
                                   if (r := measure_feed(server.port, info, u, args)) and not r.get("missing")]
    if not args.pages_only and not args.quick:
        series = []
        for total in [int(x) for x in args.posts_series.split(",") if x.strip()]:
            name = {10_000: "posts10k", 100_000: "main", 1_000_000: "posts1m"}.get(total)
            if name is None:
                continue
            seeded = ensure_dataset(args.db, name, False) if name != "main" else seed
            env_n = server_env(args.db, name)
            info_n = prepare(env_n)
            with Server(args.db, name) as server:
                row = measure_feed(server.port, info_n, MANY, args)
            if row and not row.get("missing"):
                row.update({"total_posts": info_n["counts"]["posts"], "seed_seconds": seeded["seed_seconds"]})
                series.append(row)
        for total in (10_000, 100_000, 1_000_000):
            if not any(abs(r["total_posts"] - total) <= total * 0.05 for r in series):
                series.append({"total_posts": total, "skipped": "not requested in --posts-series (see RESULTS.md)"})
        result["posts"] = sorted(series, key=lambda r: r["total_posts"])

    loads = [r["loadavg_1m"] for r in result.get("pages", []) if "loadavg_1m" in r]
    result["meta"]["loadavg"] = f"{min(loads)}–{max(loads)}" if loads else "?"
    out_json = OUT / f"results-{args.db}.json"
    out_json.write_text(json.dumps(result, indent=2))
    shutil.copy(out_json, OUT / "results.json")
    section = markdown(result)
    print(section)
    if not args.quick:
        update_results_md(args.db, section)
        try:
            from plot import plot  # noqa: PLC0415

            plot([OUT / f"results-{d}.json" for d in ("sqlite", "postgres")], BENCH / "feed_scaling.png")
            log("plot written to bench/feed_scaling.png")
        except ImportError:
            log("matplotlib is missing (pip install -r bench/requirements.txt): no plot")
    log(f"results in {out_json}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(BENCH))
    sys.exit(main())
