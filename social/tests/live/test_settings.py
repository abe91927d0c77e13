"""Live updates are on by default only where events can reach the sockets: with a Redis channel
layer, or in development (one runserver process). Production without Redis runs the HTTP server,
the socket server(s) and the task worker as separate processes, which the in-memory layer connects
to nothing: there LIVE_UPDATES defaults off, and turning it on gets a system check warning."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import checks

ROOT = Path(__file__).resolve().parents[3]
IN_MEMORY = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
REDIS = {"default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": ["redis://127.0.0.1:6379/0"]}}}


def _live_updates_with(**env) -> str:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DEBUG", "REDIS_URL", "CHANNEL_LAYER", "LIVE_"))}
    code = "from django.conf import settings; print(settings.LIVE_UPDATES)"
    result = subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code], cwd=ROOT, capture_output=True, text=True,
        timeout=120, env={**keep, "SECRET_KEY": "k" * 60, "ALLOWED_HOSTS": "instaclone.example", **env},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout.strip().splitlines()[-1]


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"DEBUG": "0"}, "False"),  # production without Redis
        ({"DEBUG": "0", "REDIS_URL": "redis://127.0.0.1:6379/0"}, "True"),
        ({"DEBUG": "0", "CHANNEL_LAYER_URL": "redis://127.0.0.1:6379/3"}, "True"),
        ({"DEBUG": "1"}, "True"),  # scripts/run.sh: one process
        ({"DEBUG": "0", "LIVE_UPDATES": "1"}, "True"),  # asked for (and warned about, below)
    ],
)
def test_live_updates_default_on_only_where_events_reach_the_sockets(env, expected):
    assert _live_updates_with(**env) == expected


def _live_warnings() -> list[str]:
    return [m.id for m in checks.run_checks() if m.id == "instaclone.W101"]


def test_production_with_live_updates_on_the_in_memory_layer_gets_a_warning(settings):
    settings.DEBUG, settings.LIVE_UPDATES, settings.CHANNEL_LAYERS = False, True, IN_MEMORY
    assert _live_warnings() == ["instaclone.W101"]


@pytest.mark.parametrize(
    ("debug", "live", "layers"), [(False, True, REDIS), (False, False, IN_MEMORY), (True, True, IN_MEMORY)]
)
def test_no_warning_with_redis_with_live_updates_off_or_in_development(settings, debug, live, layers):
    settings.DEBUG, settings.LIVE_UPDATES, settings.CHANNEL_LAYERS = debug, live, layers
    assert _live_warnings() == []
