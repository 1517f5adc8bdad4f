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
    "intake_per_core",
    "api_flat",
    "encryption",
    "argon2_params",
    "render_cpu",
    "web_load",
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
    import datetime

    result["measured"] = f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC"
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
    rows = {}
    for name, result in results.items():
        verdict = "met" if result.get("ok") else "MISSED"
        load = " ".join(f"{x:.1f}" for x in os.getloadavg())
        message = str(result.get("message", "")).replace("|", "/")
        rows[name] = (
            f"| `{name}` | {verdict} | {message} (measured {result.get('measured', '')}, load {load}) |"
        )
    # Benchmarks not run this time (``run.py name …``) keep their last row, with its own date and load.
    path = BENCH_DIR / "RESULTS.md"
    earlier = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    for line in earlier:
        if line.startswith("| `"):
            name = line.split("`")[1]
            rows.setdefault(name, line)
    lines += [rows[name] for name in [*BENCHMARKS, *sorted(set(rows) - set(BENCHMARKS))] if name in rows]
    lines += _sections(results, earlier)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _sections(results: dict[str, dict[str, Any]], earlier: list[str]) -> list[str]:
    """A benchmark's own table (its result's ``table``, e.g. ``web_load``'s pages) under the summary, with
    its ``notes``; those of benchmarks not run this time are kept from the earlier file."""
    sections: dict[str, list[str]] = {}
    current = None
    for line in earlier:
        if line.startswith("## `"):
            current = line.split("`")[1]
            sections[current] = []
        if current is not None:
            sections[current].append(line)
    for name, result in results.items():
        if result.get("table"):
            sections[name] = [
                f"## `{name}` (measured {result.get('measured', '')})",
                "",
                *[f"- {note}" for note in result.get("notes", [])],
                "",
                str(result["table"]),
                "",
            ]
    out: list[str] = []
    for block in sections.values():
        while block and not block[-1].strip():
            block = block[:-1]
        out += ["", *block]
    return out


def main() -> int:
    names = sys.argv[1:] or BENCHMARKS
    results = {name: run(name) for name in names}
    ok = all(r["ok"] for r in results.values())
    write_results(results)
    print(json.dumps({"ok": ok, "benchmarks": results}, indent=2, ensure_ascii=False))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
