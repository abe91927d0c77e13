"""The harness's own parts: ceiling views and query header (bench.urls), the report, the plot."""

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import plot as bench_plot  # noqa: E402
import run as bench_run  # noqa: E402

BENCH_MIDDLEWARE = "bench.middleware.QueryCountMiddleware"


@pytest.fixture
def bench_settings(settings):
    settings.ROOT_URLCONF = "bench.urls"
    settings.MIDDLEWARE = [BENCH_MIDDLEWARE, *settings.MIDDLEWARE]
    return settings


def test_production_urls_do_not_contain_the_benchmark_views(client, db):
    assert client.get("/__bench__/bare/").status_code == 404


def test_bare_view_answers_with_zero_queries(client, db, bench_settings):
    response = client.get("/__bench__/bare/")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["X-Queries"] == "0"
    assert response["X-Queries-Tx"] == "0"


def test_query_header_counts_every_query(alice_client, bench_settings):
    response = alice_client.get("/")
    assert response.status_code == 200
    assert int(response["X-Queries"]) >= 2  # at least the session and the user


def test_transaction_control_is_counted_apart(db, bench_settings):
    from django.db import connection, transaction

    from bench.middleware import _Counter

    counter = _Counter()
    # the inner atomic block is a savepoint: control, not data
    with connection.execute_wrapper(counter), transaction.atomic(), transaction.atomic():
        connection.cursor().execute("SELECT 1")
    assert counter.count == 1
    assert counter.tx >= 2  # SAVEPOINT and RELEASE at least


def test_feed_ceiling_renders_the_feed_template_without_queries_of_its_own(alice_client, alice, bench_settings, media_root):
    from io import StringIO

    from django.core.management import call_command

    call_command("seed_demo", users=12, posts_per_user=2, media_pool=3, stdout=StringIO())
    first = alice_client.get("/__bench__/feed/")
    assert first.status_code == 200
    assert "social/home.html" in [t.name for t in first.templates]
    second = alice_client.get("/__bench__/feed/")
    page = alice_client.get("/")
    # the ceiling's later requests only pay for the middleware (session, user), not the feed
    assert int(second["X-Queries"]) < int(page["X-Queries"])
    assert second.content.count(b"post-card") == page.content.count(b"post-card") > 0


def test_feed_ceiling_needs_a_signed_in_viewer(client, db, bench_settings):
    assert client.get("/__bench__/feed/").status_code == 404


RESULT = {
    "meta": {"db": "sqlite", "dataset": "main", "when": "now", "counts": {"users": 10, "posts": 20},
             "seed_seconds": 3.0, "seed_args": "--users 10", "connections": 16, "duration": 10, "tool": "wrk", "cpus": 2},
    "pages": [
        {"name": "ceiling: bare view", "user": "u", "rps": 1000.0, "p50_ms": 1, "p95_ms": 2, "p99_ms": 3, "errors": 0,
         "queries": 0, "vs_feed_ceiling": 5.0},
        {"name": "ceiling: feed from memory", "user": "u", "rps": 200.0, "p50_ms": 5, "p95_ms": 8, "p99_ms": 9,
         "errors": 0, "queries": 2, "vs_feed_ceiling": 1.0},
        {"name": "like toggle (POST)", "user": "u", "rps": 600.0, "p50_ms": 2, "p95_ms": 3, "p99_ms": 4, "errors": 0,
         "queries": 9, "vs_feed_ceiling": 3.0, "vs_bare": 0.6},
        {"name": "hashtag", "user": "u", "path": None, "missing": "404: the page does not exist yet"},
    ],
    "followees": [{"followees": 10, "rps": 100.0, "p50_ms": 5.0, "p99_ms": 9.0, "queries": 8},
                  {"followees": 5000, "rps": 90.0, "p50_ms": 6.0, "p99_ms": 11.0, "queries": 8,
                   "p50_1c_ms": 3.0, "p99_1c_ms": 4.0}],
    "posts": [{"total_posts": 10_000, "rps": 100.0, "p50_ms": 5.0, "p99_ms": 9.0, "queries": 8, "seed_seconds": 20},
              {"total_posts": 1_000_000, "skipped": "not generated"}],
}


def test_markdown_reports_ratios_missing_pages_and_skipped_points():
    text = bench_run.markdown(RESULT)
    assert "| like toggle (POST) | u | 600 | 2 | 3 | 4 | 0 | 9 | 300% (60% of bare) |" in text
    assert "missing: 404: the page does not exist yet" in text
    assert "| 1,000,000 | — | — | — | — | — | — | not generated: not generated |" in text
    assert "| 5,000 | 90 | 6.0 | 11.0 | 3.0 | 4.0 | 8 |" in text


def test_results_md_section_is_replaced_not_appended(tmp_path, monkeypatch):
    monkeypatch.setattr(bench_run, "BENCH", tmp_path)
    (tmp_path / "RESULTS.md").write_text("# Results\n\nHand-written notes.\n")
    bench_run.update_results_md("sqlite", "first\n")
    bench_run.update_results_md("sqlite", "second\n")
    bench_run.update_results_md("postgres", "pg\n")
    text = (tmp_path / "RESULTS.md").read_text()
    assert "Hand-written notes." in text
    assert "second" in text and "first" not in text and "pg" in text


def test_plot_draws_a_png(tmp_path):
    pytest.importorskip("matplotlib")
    data = tmp_path / "results-sqlite.json"
    data.write_text(json.dumps(RESULT))
    bench_plot.plot([data, tmp_path / "missing.json"], tmp_path / "out.png")
    assert (tmp_path / "out.png").read_bytes()[:4] == b"\x89PNG"


def test_deep_cursor_is_found_in_feed_html():
    html = '<a href="/?cursor=MjAyNi0xMS0wMVQx.123" hx-get="/?cursor=MjAyNi0xMS0wMVQx.123">Older posts</a>'
    assert bench_run.CURSOR_RE.findall(html)[-1] == "MjAyNi0xMS0wMVQx.123"
