# ruff: noqa: S603, S607 - the harness runs its own fixed commands (manage.py, redis-server, the ASGI servers, wrk)
"""Live updates (issue 16): how many idle WebSockets one app process holds, and how fast an event
reaches its person at that load. A benchmark, not a test:

    .venv/bin/python bench/live.py                       # daphne and uvicorn, 1,000 / 5,000 / 10,000 sockets
    .venv/bin/python bench/live.py --servers uvicorn --levels 1000 --sample 100   # quick

1. A site of its own: a SQLite file under bench/out/ (migrated once), one user and one signed-in
   session per socket (written directly: Django's session encoding, no login requests), and a
   redis-server of its own on a free port as the channel layer (nothing shared is touched).
2. For each server: start ONE process (`daphne instaclone.asgi:application`, or
   `uvicorn instaclone.asgi:application`, uvloop + httptools + websockets), DEBUG=0, then open the
   sockets level by level from this process (asyncio + the websockets client, 100 handshakes at a
   time, each with the person's cookie and the site's Origin, exactly as live.js does), and keep
   them idle. At each level: the server's resident memory (VmRSS) against its memory with one
   socket open, so kB per socket; then `--sample` events (1,000 by default, so that p99 means
   something), one at a time, each to one person through the path the site ships: a thread calls
   `instaclone.live.send_now` (what `publish` runs after a commit: the guard, the publisher's own
   event loop and Redis pool, `group_send` with its time budget), timed from that call to the moment
   the person's socket receives the event: p50 / p99 / max. This client's own objects are frozen
   out of its garbage collector first (`gc.freeze()`): holding 10,000 sockets, its full collections
   took ~0.5 s and showed up as delivery time.
3. The HTTP side on the same site: a signed-in page (`/notifications/badge/`) with wrk (16
   connections, 10 s) on gunicorn (2 sync workers, the production HTTP server), daphne and uvicorn
   (--workers 2), for the choice of what serves HTTP.
4. Prints the tables (Markdown) and writes bench/out/live-results.json.

The client and the server share the machine's 2 cores, as does everything else running: treat
the latencies as an upper bound. The open-file limit is raised to its hard limit (sockets are files;
each process needs one per socket).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
PY = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv" / "bin" / "python").exists() else sys.executable
DB = OUT / "live.sqlite3"
PREFIX = "bench-live"


def log(msg: str) -> None:
    print(f"[live {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {port} after {timeout} s")


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


# --- the site ----------------------------------------------------------------------------------


def site_env(redis_url: str) -> dict:
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))},
        "DATABASE_URL": f"sqlite:///{DB}", "DEBUG": "0", "SECRET_KEY": "bench-live-not-secret", "HTTPS": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost", "CHANNEL_LAYER_URL": redis_url, "CHANNEL_LAYER_PREFIX": PREFIX,
        "LIVE_MAX_CONNECTIONS": "1000000", "DB_CONN_MAX_AGE": "0", "PYTHONUNBUFFERED": "1",
        "MEDIA_ROOT": str(OUT / "live-media"),
    }


def prepare_site(env: dict, people: int) -> list[tuple[int, str]]:
    """(user id, session key) for `people` signed-in people, made once and reused."""
    OUT.mkdir(parents=True, exist_ok=True)
    cache = OUT / "live-sessions.json"
    if DB.exists() and cache.exists():
        sessions = json.loads(cache.read_text())
        if len(sessions) >= people:
            return [tuple(s) for s in sessions[:people]]
    DB.unlink(missing_ok=True)
    log("migrating bench/out/live.sqlite3")
    subprocess.run([PY, "manage.py", "migrate", "--noinput"], cwd=ROOT, env=env, check=True, capture_output=True)
    code = f"""
import json
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.hashers import make_password
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone
from datetime import timedelta
from accounts.models import User
password = make_password("bench-live")
User.objects.bulk_create([User(username=f"live{{i}}", email=f"live{{i}}@bench.invalid", password=password)
                          for i in range({people})], batch_size=1000)
store = SessionStore()
rows, out = [], []
for user in User.objects.filter(username__startswith="live").order_by("pk"):
    key = store._get_new_session_key()
    data = {{SESSION_KEY: str(user.pk), BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
            HASH_SESSION_KEY: user.get_session_auth_hash()}}
    rows.append(Session(session_key=key, session_data=store.encode(data), expire_date=timezone.now() + timedelta(days=7)))
    out.append((user.pk, key))
Session.objects.bulk_create(rows, batch_size=1000)
print(json.dumps(out))
"""
    log(f"creating {people} people with a session each")
    result = subprocess.run([PY, "manage.py", "shell", "--no-imports", "-c", code], cwd=ROOT, env=env, check=True,
                            capture_output=True, text=True)
    sessions = json.loads(result.stdout.strip().splitlines()[-1])
    cache.write_text(json.dumps(sessions))
    return [tuple(s) for s in sessions]


def start_server(kind: str, port: int, env: dict, workers: int = 1) -> subprocess.Popen:
    if kind == "daphne":
        cmd = [PY, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "-v", "0", "instaclone.asgi:application"]
    elif kind == "uvicorn":
        cmd = [PY, "-m", "uvicorn", "instaclone.asgi:application", "--host", "127.0.0.1", "--port", str(port),
               "--ws-max-size", "4096", "--log-level", "warning", "--no-access-log", "--workers", str(workers)]
    elif kind == "gunicorn":
        cmd = [str(Path(PY).parent / "gunicorn"), "instaclone.wsgi:application", "-b", f"127.0.0.1:{port}",
               "-w", str(workers), "--log-level", "warning"]
    else:
        raise ValueError(kind)
    log_file = open(OUT / f"live-{kind}.log", "w")  # noqa: SIM115 - closed with the process
    process = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True)
    wait_port(port)
    return process


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(5)


# --- the sockets ---------------------------------------------------------------------------------


class Sockets:
    def __init__(self, port: int, env: dict):
        self.port = port
        self.env = env
        self.open: dict[int, object] = {}  # user id -> connection
        self.arrivals: dict[int, float] = {}
        self.failed = 0

    async def connect(self, people: list[tuple[int, str]], concurrency: int = 100) -> None:
        from websockets.asyncio.client import connect

        gate = asyncio.Semaphore(concurrency)

        async def one(user_id: int, key: str):
            async with gate:
                try:
                    ws = await connect(
                        f"ws://127.0.0.1:{self.port}/ws/live/", origin=f"http://127.0.0.1:{self.port}",
                        additional_headers={"Cookie": f"sessionid={key}"}, ping_interval=None, compression=None,
                        open_timeout=60, max_queue=4,
                    )
                except Exception:
                    self.failed += 1
                    return
                self.open[user_id] = ws
                asyncio.ensure_future(self.read(user_id, ws))

        await asyncio.gather(*(one(u, k) for u, k in people if u not in self.open))

    async def read(self, user_id: int, ws) -> None:
        try:
            async for text in ws:
                event = json.loads(text)
                if event.get("type") == "bench":
                    self.arrivals[event["seq"]] = time.perf_counter()
        except Exception:
            self.open.pop(user_id, None)

    async def latencies(self, sample: int) -> list[float]:
        from instaclone.live import send_now

        people = list(self.open)
        times = []
        for seq in range(sample):
            user_id = people[seq * max(1, len(people) // sample) % len(people)]
            started = time.perf_counter()
            await asyncio.to_thread(send_now, [user_id], {"type": "bench", "seq": seq})  # a request thread's send
            deadline = started + 5
            while seq not in self.arrivals and time.perf_counter() < deadline:
                await asyncio.sleep(0.0005)
            if seq in self.arrivals:
                times.append((self.arrivals[seq] - started) * 1000)
            await asyncio.sleep(0.01)
        self.arrivals.clear()
        return times

    async def close(self) -> None:
        await asyncio.gather(*(ws.close() for ws in list(self.open.values())), return_exceptions=True)
        self.open.clear()


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


async def measure_server(kind: str, people, levels, sample, env) -> list[dict]:
    port = free_port()
    process = start_server(kind, port, env)
    rows = []
    try:
        sockets = Sockets(port, env)
        await sockets.connect(people[:1])
        await asyncio.sleep(1)
        base = rss_kb(process.pid)
        for level in levels:
            started = time.perf_counter()
            await sockets.connect(people[:level])
            took = time.perf_counter() - started
            # This client holds every socket: its full garbage collections (0.5 s at 10,000) would be
            # counted as delivery time. Frozen objects are not scanned again; the server is untouched.
            gc.collect()
            gc.freeze()
            await asyncio.sleep(2)
            held = len(sockets.open)
            mem = rss_kb(process.pid)
            times = await sockets.latencies(sample)
            rows.append({
                "server": kind, "sockets": level, "held": held, "failed": sockets.failed,
                "connect_s": round(took, 1), "rss_mb": round(mem / 1024, 1),
                "kb_per_socket": round((mem - base) / max(1, held - 1), 1),
                "p50_ms": round(pct(times, 50), 2) if times else None, "p99_ms": round(pct(times, 99), 2) if times else None,
                "max_ms": round(max(times), 2) if times else None, "delivered": f"{len(times)}/{sample}",
                "load": round(os.getloadavg()[0], 1),
            })
            log(json.dumps(rows[-1]))
            if held < level * 0.95:
                log(f"{kind} held {held} of {level}: stopping here")
                break
        await sockets.close()
    finally:
        stop(process)
    return rows


def http_bench(people, env) -> list[dict]:
    if not shutil.which("wrk"):
        log("wrk is not installed: HTTP comparison skipped")
        return []
    rows = []
    key = people[0][1]
    for kind, workers in (("gunicorn", 2), ("uvicorn", 2), ("daphne", 1)):
        port = free_port()
        try:
            process = start_server(kind, port, env, workers=workers)
        except RuntimeError as error:
            log(f"{kind} did not start ({error}; bench/out/live-{kind}.log): skipped")
            continue
        try:
            url = f"http://127.0.0.1:{port}/notifications/badge/"
            header = ["-H", f"Cookie: sessionid={key}", "-H", "X-Background: 1"]
            subprocess.run(["wrk", "-t1", "-c4", "-d2s", *header, url], capture_output=True, check=False)
            out = subprocess.run(["wrk", "-t1", "-c16", "-d10s", "--latency", *header, url], capture_output=True, text=True,
                                 check=False).stdout
            rps = float(next(line.split()[1] for line in out.splitlines() if line.startswith("Requests/sec")))
            lat = {p: line.split()[1] for line in out.splitlines() for p in ("50%", "99%") if line.strip().startswith(p)}
            errors = "Non-2xx" in out or "Socket errors" in out
            rows.append({"server": f"{kind} ({workers} {'workers' if workers > 1 else 'process'})", "rps": rps,
                         "p50": lat.get("50%"), "p99": lat.get("99%"), "errors": errors,
                         "load": round(os.getloadavg()[0], 1)})
            log(json.dumps(rows[-1]))
        finally:
            stop(process)
    return rows


def report(rows: list[dict], http: list[dict]) -> str:
    lines = [
        "| server (1 process) | idle sockets held | handshakes (s) | RSS (MB) | kB / socket | events delivered | event p50 (ms) | p99 (ms) | max (ms) | load |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(f"| {r['server']} | {r['held']:,} of {r['sockets']:,} | {r['connect_s']} | {r['rss_mb']} | "
                     f"{r['kb_per_socket']} | {r.get('delivered', '')} | {r['p50_ms']} | {r['p99_ms']} | {r['max_ms']} | {r['load']} |")
    if http:
        lines += ["", "| HTTP server | req/s | p50 | p99 | errors | load |", "|---|---:|---:|---:|---|---:|"]
        for r in http:
            lines.append(f"| {r['server']} | {r['rps']:.0f} | {r['p50']} | {r['p99']} | {'yes' if r['errors'] else 'none'} | {r['load']} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--servers", default="daphne,uvicorn", help='ASGI servers for the socket part ("none": HTTP only)')
    parser.add_argument("--levels", default="1000,5000,10000")
    parser.add_argument("--sample", type=int, default=1000)
    parser.add_argument("--no-http", action="store_true")
    args = parser.parse_args()
    levels = [int(x) for x in args.levels.split(",")]

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if hard < max(levels) + 1000:
        log(f"the open-file limit is {hard}: levels above {hard - 1000} cannot be reached")

    redis_dir = OUT / "live-redis"
    redis_dir.mkdir(parents=True, exist_ok=True)
    redis_port = free_port()
    redis = subprocess.Popen(["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "",
                              "--appendonly", "no", "--dir", str(redis_dir), "--maxclients", "50000"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_port(redis_port)
    redis_url = f"redis://127.0.0.1:{redis_port}/0"
    env = site_env(redis_url)
    try:
        people = prepare_site(env, max(levels))
        os.environ.update({k: env[k] for k in ("DATABASE_URL", "DEBUG", "SECRET_KEY", "HTTPS", "ALLOWED_HOSTS",
                                               "CHANNEL_LAYER_URL", "CHANNEL_LAYER_PREFIX")})
        os.environ["DJANGO_SETTINGS_MODULE"] = "instaclone.settings"
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()

        rows = []
        for kind in [k for k in args.servers.split(",") if k and k != "none"]:
            rows += asyncio.run(measure_server(kind, people, levels, args.sample, env))
        http = [] if args.no_http else http_bench(people, env)
    finally:
        redis.terminate()
        redis.wait(10)
    results_file = OUT / "live-results.json"
    previous = json.loads(results_file.read_text()) if results_file.exists() else {}
    rows, http = rows or previous.get("sockets", []), http or previous.get("http", [])  # a partial run keeps the rest
    results_file.write_text(json.dumps({"sockets": rows, "http": http}, indent=1))
    print()
    print(f"### {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} ({os.cpu_count()} cores)")
    print()
    print(report(rows, http))


if __name__ == "__main__":
    main()
