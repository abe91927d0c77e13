"""A small load generator for machines without wrk: threads with keep-alive connections.

Same output shape as bench/wrk/bench.lua. Python threads share one core's worth of GIL, so it
reports lower ceilings than wrk; results say which tool produced them.
"""

from __future__ import annotations

import http.client
import threading
import time
from urllib.parse import urlsplit


def run(url: str, *, cookie: str, csrf: str, like_posts: list[int], seconds: float, connections: int) -> dict:
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    latencies: list[float] = []
    errors = {"connect": 0, "read": 0, "write": 0, "status": 0, "timeout": 0}
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def worker(no: int):
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        mine: list[float] = []
        counter = 0
        while time.monotonic() < stop_at:
            counter += 1
            method, target, headers = "GET", path, {"Cookie": cookie, "Accept": "text/html"}
            if like_posts:
                post = like_posts[((counter - 1) // 2 + no * 7) % len(like_posts)]
                action = "like" if counter % 2 else "unlike"
                method, target = "POST", f"/p/{post}/{action}/"
                headers.update({"X-CSRFToken": csrf, "HX-Request": "true",
                                "Content-Type": "application/x-www-form-urlencoded", "Content-Length": "0"})
            start = time.perf_counter()
            try:
                conn.request(method, target, headers=headers)
                resp = conn.getresponse()
                resp.read()
            except TimeoutError:
                with lock:
                    errors["timeout"] += 1
                conn.close()
                continue
            except OSError:
                with lock:
                    errors["read"] += 1
                conn.close()
                conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
                continue
            mine.append(time.perf_counter() - start)
            if resp.status >= 400:
                with lock:
                    errors["status"] += 1
        conn.close()
        with lock:
            latencies.extend(mine)

    started = time.monotonic()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    duration = time.monotonic() - started
    latencies.sort()

    def pct(p: float) -> int:
        if not latencies:
            return 0
        return int(latencies[min(len(latencies) - 1, int(len(latencies) * p / 100))] * 1e6)

    return {
        "requests": len(latencies), "duration_us": int(duration * 1e6), "bytes": 0, "errors": errors,
        "latency_us": {"p50": pct(50), "p90": pct(90), "p95": pct(95), "p99": pct(99),
                       "max": int(latencies[-1] * 1e6) if latencies else 0,
                       "mean": (sum(latencies) / len(latencies) * 1e6) if latencies else 0},
    }
