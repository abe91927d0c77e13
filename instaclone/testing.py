"""Helpers for tests (imported by conftest.py and the apps' tests; never by application code)."""

from __future__ import annotations

import contextlib
import io
import os
import signal
import socket
import subprocess  # noqa: S404 - starts redis-server, workers and app nodes for tests
import sys
import time
import uuid
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from accounts.models import User
from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory  # noqa: F401 - DEFAULT_PASSWORD re-exported


def make_user(username: str, **fields) -> User:
    """A user who can sign in, with a verified primary email (as after sign-up): a thin alias of
    `accounts.tests.factories.UserFactory(username=...)`, kept for the many call sites."""
    return UserFactory(username=username, **fields)


def image_bytes(fmt: str = "JPEG", size: tuple[int, int] = (64, 48), color=(200, 30, 60), exif=None) -> bytes:
    out = io.BytesIO()
    img = Image.new("RGB", size, color)
    kwargs = {"exif": exif} if exif is not None else {}
    img.save(out, format=fmt, **kwargs)
    return out.getvalue()


def image_upload(name: str = "photo.jpg", fmt: str = "JPEG", size=(64, 48), **kw) -> SimpleUploadedFile:
    content_type = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}.get(fmt, "application/octet-stream")
    return SimpleUploadedFile(name, image_bytes(fmt, size, **kw), content_type=content_type)


def stored_files(root) -> list[str]:
    """Every file under a local media root, as relative paths (for 'no orphaned file' checks)."""
    from pathlib import Path

    root = Path(root)
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def free_port() -> int:
    """A TCP port on the loopback interface that nothing listens on right now (for a test's server)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- Redis for tests -------------------------------------------------------------------------------

REDIS_SERVER = os.environ.get("REDIS_SERVER_PATH", "/usr/bin/redis-server")
# One prefix per test run: the suite's clears delete only keys under it (see test_cache_settings).
TEST_RUN_KEY_PREFIX = f"instaclone-test-{os.getpid()}-{uuid.uuid4().hex[:8]}"


def test_cache_settings(caches: dict, *, db: int | None = None, prefix: str = TEST_RUN_KEY_PREFIX) -> dict:
    """The suite's CACHES: a Redis cache moved to its own database number (env REDIS_TEST_DB,
    default 15, whatever REDIS_URL says) under a per-run key prefix; other backends unchanged."""
    from urllib.parse import urlsplit, urlunsplit

    default = dict(caches["default"])
    if "redis" not in default["BACKEND"].lower():
        return caches
    db = int(os.environ.get("REDIS_TEST_DB", "15")) if db is None else db
    parts = urlsplit(default["LOCATION"])
    default["LOCATION"] = urlunsplit(parts._replace(path=f"/{db}"))
    default["KEY_PREFIX"] = prefix
    return {**caches, "default": default}


test_cache_settings.__test__ = False  # a helper, not a test


class RedisServer:
    """A throw-away `redis-server` on a free loopback port (no persistence), which a test can stop,
    start again on the same port, or freeze (SIGSTOP: accepts connections, never answers)."""

    def __init__(self, workdir):
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.process = None
        self.paused = False

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        args = [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                "--dir", str(self.workdir), "--logfile", str(self.workdir / "redis.log")]
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(16).startswith(b"+PONG"):
                        return self
            except OSError:
                time.sleep(0.02)
        raise RuntimeError(f"redis-server did not start on port {self.port}")

    def stop(self) -> None:
        if self.process is None:
            return
        if self.paused:
            self.resume()
        self.process.terminate()
        self.process.wait(timeout=5)
        self.process = None

    def pause(self) -> None:
        os.kill(self.process.pid, signal.SIGSTOP)
        self.paused = True

    def resume(self) -> None:
        os.kill(self.process.pid, signal.SIGCONT)
        self.paused = False

    def client(self):
        import redis

        return redis.Redis.from_url(self.url, socket_timeout=1)


@contextlib.contextmanager
def commits_in_test_transactions():
    """Run on-commit callbacks when a test's own transaction *would* have committed.

    A pytest-django test runs inside a transaction that is rolled back at the end, so
    `transaction.on_commit` callbacks (enqueued tasks, file deletions) would never run and a test
    could not see a post reach a feed. Inside this context, leaving the outermost atomic block that
    is not the test's wrapper without an error runs the callbacks registered in it, as a commit
    would; a callback registered outside any such block runs at once, as in autocommit. A block
    left by an exception discards its callbacks (Django's savepoint rollback does that already).
    Transactional tests (transaction=True) commit for real and are left alone.
    """
    from django.db import connections
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.transaction import Atomic

    def only_test_blocks(conn) -> bool:
        return conn.in_atomic_block and all(getattr(a, "_from_testcase", False) for a in conn.atomic_blocks)

    def run_pending(conn) -> None:
        while conn.run_on_commit:
            callbacks, conn.run_on_commit = conn.run_on_commit, []
            for _savepoints, func, _robust in callbacks:
                func()

    original_exit, original_on_commit = Atomic.__exit__, BaseDatabaseWrapper.on_commit

    def exit_and_commit(self, exc_type, exc_value, traceback):
        result = original_exit(self, exc_type, exc_value, traceback)
        conn = connections[self.using or "default"]
        if exc_type is None and only_test_blocks(conn):
            run_pending(conn)
        return result

    def on_commit(self, func, robust=False):
        original_on_commit(self, func, robust)
        if only_test_blocks(self):
            run_pending(self)

    Atomic.__exit__, BaseDatabaseWrapper.on_commit = exit_and_commit, on_commit
    try:
        yield
    finally:
        Atomic.__exit__, BaseDatabaseWrapper.on_commit = original_exit, original_on_commit


ROOT = Path(__file__).resolve().parents[1]


class SiteProcesses:
    """A throw-away copy of the site's state for tests that run real processes (workers, app nodes):
    its own database — a SQLite file, or, when the suite runs on PostgreSQL, a database named
    `instaclone_proc_<n>` created here and dropped by `close()` — migrated by `manage.py migrate`,
    and its own media root. `env` is what each process gets; `manage()` runs a command, `shell()`
    runs Python in `manage.py shell`, `start()` starts a long-running command (killed by `close()`)."""

    def __init__(self, tmp_path, **extra_env):
        from django.conf import settings

        self.tmp_path = Path(tmp_path)
        self.processes: list[subprocess.Popen] = []
        self.pg_name = None
        db = settings.DATABASES["default"]
        if "postgresql" in db["ENGINE"]:
            self.pg_name = f"instaclone_proc_{os.getpid()}_{uuid.uuid4().hex[:6]}"
            self._pg_admin(f'CREATE DATABASE "{self.pg_name}"')
            url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{self.pg_name}"
        else:
            url = f"sqlite:///{self.tmp_path / 'site.sqlite3'}"
        keep = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL", "TASKS_"))}
        self.env = {
            **keep, "DATABASE_URL": url, "MEDIA_ROOT": str(self.tmp_path / "media"), "TASKS_BACKEND": "db",
            "PYTHONUNBUFFERED": "1", **extra_env,
        }
        self.manage("migrate", "--noinput")

    def _pg_admin(self, sql: str) -> None:
        import psycopg
        from django.conf import settings

        db = settings.DATABASES["default"]
        with psycopg.connect(
            host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"], password=db.get("PASSWORD") or None,
            dbname="postgres", autocommit=True,
        ) as conn:
            conn.execute(sql)

    def manage(self, *args: str, timeout: float = 180) -> str:
        result = subprocess.run(  # noqa: S603 - our own manage.py
            [sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=timeout
        )
        if result.returncode:
            raise AssertionError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def shell(self, code: str, timeout: float = 120) -> str:
        return self.manage("shell", "--no-imports", "-c", code, timeout=timeout).strip()

    def start(self, *args: str, log_name: str = "process") -> subprocess.Popen:
        log = open(self.tmp_path / f"{log_name}.log", "a")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen(  # noqa: S603 - our own manage.py
            [sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        process.log_path = self.tmp_path / f"{log_name}.log"
        self.processes.append(process)
        return process

    @staticmethod
    def kill(process: subprocess.Popen, sig=signal.SIGKILL) -> None:
        """Signal the process, its group and every descendant (an RQ worker's work-horse leaves the
        group), as a machine going down would."""
        if process.poll() is not None:
            return
        for pid in [*_descendants(process.pid), process.pid]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        process.wait(timeout=30)

    def close(self) -> None:
        for process in self.processes:
            try:
                self.kill(process, signal.SIGTERM)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                self.kill(process)
        if self.pg_name:
            self._pg_admin(f'DROP DATABASE IF EXISTS "{self.pg_name}" WITH (FORCE)')


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def wait_until(predicate, timeout: float = 60, interval: float = 0.2, message: str = "condition"):
    """Poll `predicate` until it returns something truthy (returned) or fail after `timeout` s."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {message}")
        time.sleep(interval)


def api_token(user: User | None, scope: str = "read write follow", *, app=None) -> str:
    """A client-API access token (the raw string a client sends) for `user` with `scope`; an app's
    token (client credentials) when `user` is None. Stored hashed, as tokens issued by /oauth/token."""
    import secrets
    from datetime import timedelta

    from django.utils import timezone
    from oauth2_provider.models import get_access_token_model, get_application_model, set_token_value

    if app is None:
        app = get_application_model().objects.create(
            name="Test client", client_type="confidential", authorization_grant_type="authorization-code",
            redirect_uris="urn:ietf:wg:oauth:2.0:oob", scopes="read write follow push",
        )
    raw = secrets.token_urlsafe(32)
    token = get_access_token_model()(user=user, application=app, scope=scope, expires=timezone.now() + timedelta(days=1))
    set_token_value(token, raw)
    token.save()
    return raw
