"""Profile one page in-process (Django test client, bench.settings, DEBUG=0) with pyinstrument.

    DATABASE_URL=sqlite:///bench/out/bench-main.sqlite3 .venv/bin/python bench/profile.py / --user probe_1000 -n 50

Prints the mean time a request and the query count, then pyinstrument's call tree (or writes
HTML with --html FILE). Run it against a seeded benchmark database (bench/run.sh makes them).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-for-production-0123456789abcdef")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
os.environ.setdefault("LOG_LEVEL", "ERROR")

if "--experiment" in sys.argv:  # before settings load: the template directory goes in front
    os.environ["BENCH_TEMPLATE_EXPERIMENT"] = sys.argv[sys.argv.index("--experiment") + 1]

import django  # noqa: E402

django.setup()

from django.test import Client  # noqa: E402

from accounts.models import User  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("path", nargs="?", default="/")
    parser.add_argument("--user", default="probe_1000")
    parser.add_argument("-n", type=int, default=50, help="requests a batch")
    parser.add_argument("--repeat", type=int, default=1, help="multiplies -n")
    parser.add_argument("--html", help="write pyinstrument's HTML report here")
    parser.add_argument("--no-profile", action="store_true", help="timing only")
    parser.add_argument("--experiment", help="render with bench/experiments/NAME/ templates in front")
    args = parser.parse_args()

    client = Client()
    client.force_login(User.objects.get(username=args.user))
    for _ in range(3):  # warm caches, templates, connections
        assert client.get(args.path).status_code == 200
    queries = client.get(args.path)["X-Queries"]  # bench.middleware counts them
    walls = []
    for _ in range(args.n * args.repeat):
        start = time.perf_counter()
        client.get(args.path)
        walls.append((time.perf_counter() - start) * 1000)
    walls.sort()
    # other work on a shared machine only ever adds time: the fastest requests are the cleanest figure
    print(f"{args.path} as {args.user}{' [' + args.experiment + ']' if args.experiment else ''}: "
          f"min {walls[0]:.1f} ms, p10 {walls[len(walls) // 10]:.1f} ms, median {walls[len(walls) // 2]:.1f} ms "
          f"over {len(walls)} requests; {queries} queries")
    if args.no_profile:
        return
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.0005)
    profiler.start()
    for _ in range(args.n):
        client.get(args.path)
    profiler.stop()
    if args.html:
        Path(args.html).write_text(profiler.output_html())
        print(f"wrote {args.html}")
    else:
        print(profiler.output_text(unicode=False, color=False, show_all=bool(os.environ.get("PROFILE_SHOW_ALL"))))


if __name__ == "__main__":
    main()
