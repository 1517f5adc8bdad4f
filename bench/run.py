"""Run every benchmark in its own process and print one JSON summary; exit 1 if a target is missed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
BENCHMARKS = [
    "intake_memory",
    "inbox_scale",
    "search",
    "scan_import",
    "photo_pdf",
    "ocr",
    "households_sync",
    "throughput",
    "api_flat",
    "encryption",
    "argon2_params",
]


def run(name: str) -> dict[str, Any]:
    """One benchmark; its stderr (progress, verdict) passes through, its last stdout line is the result."""
    process = subprocess.run(
        [sys.executable, str(BENCH_DIR / f"{name}.py")], stdout=subprocess.PIPE, text=True, check=False
    )
    lines = process.stdout.strip().splitlines()
    try:
        result: dict[str, Any] = json.loads(lines[-1])
    except (IndexError, json.JSONDecodeError):
        result = {"name": name, "ok": False, "message": f"crashed (exit code {process.returncode})"}
    result["ok"] = result.get("ok", False) and process.returncode == 0
    return result


def write_results(results: dict[str, dict[str, Any]]) -> None:
    """bench/RESULTS.md: each benchmark's verdict and figures, with the machine and the date."""
    import datetime
    import os
    import platform

    lines = [
        "# Benchmark results (written by `make bench`)",
        "",
        f"- date: {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC",
        f"- machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.platform()}",
        "",
        "| benchmark | verdict | figures |",
        "|---|---|---|",
    ]
    for name, result in results.items():
        verdict = "met" if result.get("ok") else "MISSED"
        lines.append(f"| `{name}` | {verdict} | {str(result.get('message', '')).replace('|', '/')} |")
    (BENCH_DIR / "RESULTS.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> int:
    names = sys.argv[1:] or BENCHMARKS
    results = {name: run(name) for name in names}
    ok = all(r["ok"] for r in results.values())
    write_results(results)
    print(json.dumps({"ok": ok, "benchmarks": results}, indent=2, ensure_ascii=False))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
