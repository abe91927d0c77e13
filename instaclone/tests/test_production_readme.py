"""The README's production instructions work when pasted.

The block after `<!-- production-local-try -->` is run exactly as written (bash, gunicorn with
DEBUG=0 and HTTPS=0) against a throw-away SQLite file; then a person signs in over plain http.
"""

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _readme_block(marker: str) -> str:
    text = (ROOT / "README.md").read_text()
    after = text.split(f"<!-- {marker} -->", 1)[1]
    match = re.search(r"```bash\n(.*?)```", after, re.S)
    assert match, f"no bash block after the {marker} marker"
    return match.group(1)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _production_env(tmp_path, **extra) -> dict:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DEBUG", "DATABASE_URL", "REDIS_URL"))}
    return {
        **keep,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'production-try.sqlite3'}",
        "MEDIA_ROOT": str(tmp_path / "media"),
        **extra,
    }


def test_production_refuses_to_start_without_allowed_hosts(tmp_path):
    env = _production_env(tmp_path, DEBUG="0", SECRET_KEY="k" * 60)
    env.pop("ALLOWED_HOSTS", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "ALLOWED_HOSTS must be set when DEBUG=0" in result.stderr


def test_readme_local_production_block_serves_and_signs_in_over_http(tmp_path):
    port = _free_port()
    env = _production_env(tmp_path, PORT=str(port))
    server = subprocess.Popen(  # noqa: S603 - the README's own block, run as a reader would
        ["bash", "-c", _readme_block("production-local-try")],  # noqa: S607
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(f"{base}/accounts/login/", timeout=2)
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("the README block did not start a server:\n" + server.stdout.read())
                time.sleep(0.5)

        user_env = {**env, "DEBUG": "0", "HTTPS": "0", "ALLOWED_HOSTS": "127.0.0.1", "SECRET_KEY": "x" * 60}
        subprocess.run(
            [sys.executable, "manage.py", "shell", "-c",
             "from instaclone.testing import make_user; make_user('paste')"],
            cwd=ROOT, env=user_env, check=True, capture_output=True, timeout=120,
        )

        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        page = opener.open(f"{base}/accounts/login/", timeout=10)
        assert page.url == f"{base}/accounts/login/", "plain http must not be redirected with HTTPS=0"
        html = page.read().decode()
        stylesheet = re.search(r'href="(/static/[^"]+\.css)"', html).group(1)
        assert opener.open(base + stylesheet, timeout=10).status == 200, "static files are served"
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        from instaclone.testing import DEFAULT_PASSWORD

        form = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": token, "login": "paste", "password": DEFAULT_PASSWORD}
        ).encode()
        request = urllib.request.Request(f"{base}/accounts/login/", data=form, headers={"Referer": f"{base}/"})
        answer = opener.open(request, timeout=30)
        assert answer.url == f"{base}/", "signed in and sent to the feed"
        assert "sessionid" in {cookie.name for cookie in jar}
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
