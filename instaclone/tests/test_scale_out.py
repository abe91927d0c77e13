"""Two app nodes and two workers on one PostgreSQL and one Redis behave as one site.

Real processes: two gunicorn servers (node A, node B) and two `manage.py worker`s (RQ on Redis)
share a throw-away PostgreSQL database and a redis-server of this test's own (so no Redis a developer
uses is touched). A person signs in on A and is signed in on B; failed sign-ins counted on A lock the
account on B; a like made on A is counted on B and lights the unread badge B shows; a post made on A
reaches a follower's feed through the worker of node B (node A's worker is stopped). Requests carry
the site's one host name, as a load balancer in front of the nodes would send them."""

from __future__ import annotations

import http.cookiejar
import io
import os
import re
import shutil
import socket
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
import uuid

import pytest
from django.db import connection

from instaclone.testing import (
    DEFAULT_PASSWORD,
    REDIS_SERVER,
    ROOT,
    RedisServer,
    SiteProcesses,
    image_bytes,
    wait_until,
)

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="app nodes share PostgreSQL (SQLite is one machine's file)"),
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


HOST = "instaclone.test"  # the site's one name: a load balancer sends every node the same Host


class Browser:
    """A person's cookie jar, used against either node, as behind a load balancer: the same Host
    header whichever node answers (the cookies carry over: same address, other port)."""

    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, url: str) -> tuple[str, str]:
        with self.opener.open(urllib.request.Request(url, headers={"Host": HOST}), timeout=30) as answer:
            return answer.url, answer.read().decode()

    def post(self, url: str, fields: dict, files: dict | None = None, referer: str | None = None) -> tuple[str, str]:
        token = next(c.value for c in self.jar if c.name == "csrftoken")
        fields = {"csrfmiddlewaretoken": token, **fields}
        if files:
            boundary = uuid.uuid4().hex
            body = io.BytesIO()
            for name, value in fields.items():
                body.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
            for name, (filename, content, ctype) in files.items():
                body.write(
                    f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                    f"Content-Type: {ctype}\r\n\r\n".encode() + content + b"\r\n"
                )
            body.write(f"--{boundary}--\r\n".encode())
            data, ctype = body.getvalue(), f"multipart/form-data; boundary={boundary}"
        else:
            data, ctype = urllib.parse.urlencode(fields).encode(), "application/x-www-form-urlencoded"
        request = urllib.request.Request(url, data=data, headers={"Content-Type": ctype, "Referer": referer or url, "Host": HOST})
        try:
            with self.opener.open(request, timeout=60) as answer:
                return answer.url, answer.read().decode()
        except urllib.error.HTTPError as error:
            return url, error.read().decode()

    def sign_in(self, base: str, username: str, password: str = DEFAULT_PASSWORD) -> tuple[str, str]:
        self.get(f"{base}/accounts/login/")
        return self.post(f"{base}/accounts/login/", {"login": username, "password": password})


@pytest.fixture
def cluster(tmp_path):
    if not (os.path.exists(REDIS_SERVER) or shutil.which(REDIS_SERVER)):
        pytest.skip(f"redis-server is not installed at {REDIS_SERVER}")
    redis = RedisServer(tmp_path / "redis").start()
    site = SiteProcesses(
        tmp_path, REDIS_URL=redis.url, TASKS_BACKEND="rq", DEBUG="0", HTTPS="0", ALLOWED_HOSTS=f"{HOST},127.0.0.1",
        SECRET_KEY="two-nodes-" + "k" * 50, SERVE_MEDIA="1",
    )
    site.manage("collectstatic", "--noinput", "-v", "0")
    site.shell(
        "from instaclone.testing import make_user; from accounts.services import graph; "
        "a, b, c = make_user('alice'), make_user('bob'), make_user('carol'); "
        "graph.follow_create(follower=c, followee=a)"
    )
    nodes = {}
    for name in ("a", "b"):
        port = _free_port()
        nodes[name] = (f"http://127.0.0.1:{port}", _start_gunicorn(site, port, name))
    workers = {name: site.start("worker", "--id", f"node-{name}-1", log_name=f"worker-{name}") for name in ("a", "b")}
    for base, _process in nodes.values():
        wait_until(lambda base=base: _answers(base), timeout=60, message=f"{base} to answer")
    yield site, {name: base for name, (base, _) in nodes.items()}, workers
    site.close()
    redis.stop()


def _start_gunicorn(site: SiteProcesses, port: int, name: str) -> subprocess.Popen:
    log = open(site.tmp_path / f"node-{name}.log", "a")  # noqa: SIM115 - closed with the process
    process = subprocess.Popen(  # noqa: S603 - our own app, as the README's production block runs it
        [sys.executable, "-m", "gunicorn", "instaclone.wsgi", "--workers", "2", "--bind", f"127.0.0.1:{port}", "--timeout", "60"],
        cwd=ROOT, env=site.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    site.processes.append(process)
    return process


def _answers(base: str) -> bool:
    try:
        urllib.request.urlopen(f"{base}/accounts/login/", timeout=2)
        return True
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def _finished_jobs(site) -> dict[str, str]:
    """RQ job id -> name of the worker that ran it, for every finished job."""
    out = site.shell(
        "import django_rq; q = django_rq.get_queue('default'); "
        "print('\\n'.join(f'{j} {q.fetch_job(j).worker_name}' for j in q.finished_job_registry.get_job_ids()))"
    )
    return dict(line.split(" ", 1) for line in out.splitlines() if line)


def _post_id(site) -> int:
    return int(site.shell("from posts.models import Post; print(Post.objects.get(author__username='alice').pk)"))


def test_two_app_nodes_and_two_workers_act_as_one_site(cluster):
    site, node, workers = cluster
    a, b = node["a"], node["b"]

    # a session made on A is valid on B
    alice = Browser()
    landed, _ = alice.sign_in(a, "alice")
    assert landed == f"{a}/"
    url, html = alice.get(f"{b}/settings/")
    assert url == f"{b}/settings/" and "Sign in" not in html.split("<main", 1)[-1][:2000]

    # a task enqueued by A is run by B's worker: stop A's worker, post on A, carol's feed on B has it
    site.kill(workers["a"])
    finished_before = _finished_jobs(site)
    alice.get(f"{a}/p/new/")
    landed, html = alice.post(
        f"{a}/p/new/", {"caption": "made on node A", "submission_key": str(uuid.uuid4()), "alt_text_0": "red"},
        files={"media": ("red.jpg", image_bytes(size=(320, 240)), "image/jpeg")},
    )
    post_id = _post_id(site)
    carol = Browser()
    carol.sign_in(b, "carol")
    wait_until(lambda: "made on node A" in carol.get(f"{b}/")[1], timeout=60, message="the post in carol's feed on B")
    ran_by = {worker.split(".")[0] for job, worker in _finished_jobs(site).items() if job not in finished_before}
    assert ran_by == {"node-b-1"}

    # the unread badge is shared: carol's follow is unread; alice reads it on A, B's badge knows;
    # then bob likes on A and B's badge lights up
    assert re.search(r'id="nav-unread"[^>]*>1<', alice.get(f"{b}/")[1])
    alice.get(f"{a}/notifications/")
    _, html = alice.get(f"{b}/")
    assert 'id="nav-unread"' not in html
    bob = Browser()
    bob.sign_in(a, "bob")
    bob.get(f"{a}/p/{post_id}/")
    bob.post(f"{a}/p/{post_id}/like/", {}, referer=f"{a}/p/{post_id}/")
    _, html = alice.get(f"{b}/")
    assert re.search(r'id="nav-unread"[^>]*>1<', html)
    # ... and the like made on A is counted on B
    _, html = carol.get(f"{b}/p/{post_id}/")
    assert re.search(r"\b1 like\b", html)

    # rate limits are shared: five failed sign-ins for bob on A lock his account on B too
    for _ in range(5):
        stranger = Browser()
        stranger.sign_in(a, "bob", "wrong-password")
    _, html = Browser().sign_in(b, "bob", "wrong-password")
    assert "Too many failed attempts. Try again in" in html
