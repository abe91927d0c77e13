"""Draw bench/feed_scaling.png from bench/out/results-<db>.json (run by bench/run.py)."""

from __future__ import annotations

import json
import sys
from pathlib import Path


def plot(result_files, out_png) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.2))
    for path in result_files:
        path = Path(path)
        if not path.exists():
            continue
        result = json.loads(path.read_text())
        db = result["meta"]["db"]
        rows = result.get("followees") or []
        if rows:
            x = [r["followees"] for r in rows]
            ax1.plot(x, [r["p50_ms"] for r in rows], "o-", label=f"{db} p50")
            ax1.plot(x, [r["p99_ms"] for r in rows], "s--", label=f"{db} p99")
            if all("p50_1c_ms" in r for r in rows):
                ax1.plot(x, [r["p50_1c_ms"] for r in rows], "^:", label=f"{db} p50, 1 connection")
        for r in result.get("posts") or []:
            if r.get("skipped"):
                ax2.annotate(f"{r['total_posts']:,}: not generated ({db})", (r["total_posts"], 0), rotation=90,
                             fontsize=7, color="grey", xytext=(-10, 8), textcoords="offset points")
        rows = [r for r in result.get("posts") or [] if not r.get("skipped")]
        if rows:
            x = [r["total_posts"] for r in rows]
            ax2.plot(x, [r["p50_ms"] for r in rows], "o-", label=f"{db} p50")
            ax2.plot(x, [r["p99_ms"] for r in rows], "s--", label=f"{db} p99")
            if all("p50_1c_ms" in r for r in rows):
                ax2.plot(x, [r["p50_1c_ms"] for r in rows], "^:", label=f"{db} p50, 1 connection")
    for ax, title, xlabel in (
        (ax1, "Feed page 1 latency vs followees", "accounts followed"),
        (ax2, "Feed page 1 latency vs total posts", "posts in the database"),
    ):
        ax.set_xscale("log")
        ax.set_title(title)
        ax.set_xlabel(xlabel)
        ax.set_ylabel("latency (ms); 16 connections unless marked")
        ax.set_ylim(bottom=0)
        ax.grid(True, alpha=0.3)
        if ax.lines:
            ax.legend(fontsize=7)
    ax2.set_xlim(5_000, 2_000_000)
    ax2.axvline(1_000_000, color="grey", alpha=0.3)
    fig.tight_layout()
    fig.savefig(out_png, dpi=110)
    plt.close(fig)


if __name__ == "__main__":
    out = Path(__file__).resolve().parent
    plot(sys.argv[1:] or [out / "out" / "results-sqlite.json", out / "out" / "results-postgres.json"],
         out / "feed_scaling.png")
