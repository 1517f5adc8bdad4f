"""Soak (issue 13, point 5): citizens upload and caseworkers work through their inbox for SOAK_MINUTES
against the embedded default and the production topology, with one pipeline worker killed (SIGKILL)
in the middle and started again.

Targets, for each topology: no error (no HTTP 5xx, no failed request, every upload accepted); every
accepted upload ends up as exactly one delivered document with exactly one inbox item, compared by the
receipt numbers the citizens were shown (nothing lost, nothing twice); memory flat: the RSS of every web
and worker process (its whole process tree, sampled every SOAK_SAMPLE_SECONDS through psutil) grows less
than 10 % from the end of the warm-up (SOAK_WARMUP_MINUTES) to the end. A restarted worker is judged
from its own warm-up on, when it ran long enough after it.

    make soak                                       # both topologies, SOAK_MINUTES=20 each
    PYTHONPATH=src .venv/bin/python bench/soak.py embedded
    SOAK_MINUTES=2 PYTHONPATH=src .venv/bin/python bench/soak.py production

Knobs (environment): SOAK_MINUTES (20), SOAK_CITIZENS (50), SOAK_CASEWORKERS (10), SOAK_CITIZEN_PAUSE
(seconds between two uploads of one citizen, ±50 %; 120), SOAK_CASEWORKER_PAUSE (10), SOAK_WARMUP_MINUTES
(3, at most a quarter of the run), SOAK_NOTE (a line for RESULTS.md), SOAK_KILL_AT (0.5 of the run), SOAK_LEASE_SECONDS (90: how long a
killed worker's document stays leased before beat's resumer hands it to another worker; production
default 600), SOAK_DRAIN_SECONDS (600), SOAK_OCR (0). The figures go into bench/RESULTS.md (its soak
section, one part per topology) and, as one JSON line, to stdout.
"""

from __future__ import annotations

import datetime
import fcntl
import json
import os
import platform
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from common import ROOT, report
from soak_topology import PASSWORD, Embedded, Production, Topology
from soak_users import Stats, caseworker, citizen

sys.path.insert(0, str(ROOT / "src"))

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
MEMORY_LIMIT = 0.10


def knob(name: str, default: float) -> float:
    return float(os.environ.get(name, default))


class Sampler(threading.Thread):
    """RSS of every labelled process tree every few seconds: label → [(t, root pid, bytes)]."""

    def __init__(self, topology: Topology, stats: Stats, every: float) -> None:
        super().__init__(daemon=True)
        self.topology, self.stats, self.every = topology, stats, every
        self.samples: dict[str, list[tuple[float, int, int]]] = {}
        self.halt = threading.Event()

    def run(self) -> None:
        import psutil

        while not self.halt.is_set():
            try:
                processes = self.topology.processes()
            except Exception as exc:  # noqa: BLE001 - a process that ended between two reads
                print(f"sampler: {exc}", file=sys.stderr)
                processes = {}
            for label, pid in processes.items():
                try:
                    root = psutil.Process(pid)
                    rss = sum(p.memory_info().rss for p in [root, *root.children(recursive=True)])
                except psutil.Error:
                    continue
                self.samples.setdefault(label, []).append((self.stats.now(), pid, rss))
            self.halt.wait(self.every)


def memory(samples: dict[str, list[tuple[float, int, int]]], warmup: float) -> list[dict[str, Any]]:
    """Per process (one entry per run of a process: a restarted worker has two) start, after warm-up, end."""
    rows = []
    for label, points in sorted(samples.items()):
        runs: list[list[tuple[float, int, int]]] = []
        for point in points:
            if not runs or runs[-1][-1][1] != point[1]:
                runs.append([])
            runs[-1].append(point)
        for number, run in enumerate(runs):
            began = run[0][0]
            after = [rss for t, _pid, rss in run if t >= began + warmup]
            judged = len(after) >= 6 and run[-1][0] - began >= 2 * warmup
            warm = statistics.mean(after[:3]) if after else float(run[0][2])
            end = statistics.mean([rss for _t, _pid, rss in run[-3:]])
            rows.append(
                {
                    "process": label + (f" (restarted {number})" if number else ""),
                    "kind": label.split("-", 1)[0],
                    "from_s": round(began),
                    "to_s": round(run[-1][0]),
                    "start_mb": round(run[0][2] / 2**20, 1),
                    "warm_mb": round(warm / 2**20, 1),
                    "end_mb": round(end / 2**20, 1),
                    "growth": round(end / warm - 1, 4),
                    "judged": judged,
                }
            )
    return rows


def wait_delivered(
    topology: Topology, receipts: set[str], timeout: float
) -> tuple[bool, dict[str, tuple[str, int]]]:
    """Until every receipt is delivered with one inbox item (or the timeout); receipt → (status, items)."""
    deadline = time.monotonic() + timeout
    rows: dict[str, tuple[str, int]] = {}
    while True:
        try:
            rows = {receipt: (status, items) for receipt, status, items in topology.arrived()}
        except Exception as exc:  # noqa: BLE001 - a busy database: ask again
            print(f"arrived: {exc}", file=sys.stderr)
            if time.monotonic() > deadline:
                return False, rows
            time.sleep(3)
            continue
        if all(rows.get(r, ("", 0))[0] == "delivered" and rows[r][1] >= 1 for r in receipts):
            return True, rows
        if time.monotonic() > deadline:
            return False, rows
        time.sleep(3)


def soak(topology: Topology, minutes: float) -> dict[str, Any]:
    citizens = int(knob("SOAK_CITIZENS", 50))
    caseworkers = int(knob("SOAK_CASEWORKERS", 10))
    duration = minutes * 60
    warmup = min(knob("SOAK_WARMUP_MINUTES", 3) * 60, duration / 4)
    kill_at = duration * knob("SOAK_KILL_AT", 0.5)
    print(f"soak {topology.name}: starting ({os.cpu_count()} cores) …", file=sys.stderr)
    topology.start()
    users = topology.create_users(citizens, caseworkers)
    stats = Stats()
    stop = threading.Event()
    sampler = Sampler(topology, stats, knob("SOAK_SAMPLE_SECONDS", 5))
    sampler.start()
    urls = topology.urls
    threads = [
        threading.Thread(
            target=citizen,
            args=(stats, urls[n % len(urls)], name, PASSWORD, knob("SOAK_CITIZEN_PAUSE", 120), stop, n),
            daemon=True,
        )
        for n, name in enumerate(users["citizens"])
    ] + [
        threading.Thread(
            target=caseworker,
            args=(
                stats,
                urls[n % len(urls)],
                name,
                PASSWORD,
                users["totp_secret"],
                knob("SOAK_CASEWORKER_PAUSE", 10),
                stop,
                1000 + n,
            ),
            daemon=True,
        )
        for n, name in enumerate(users["caseworkers"])
    ]
    for thread in threads:
        thread.start()
    print(f"soak {topology.name}: {len(threads)} users for {minutes} min", file=sys.stderr)
    killed: dict[str, Any] = {}
    try:
        stop.wait(kill_at)
        with stats.lock:
            before = {a.receipt for a in stats.accepted if a.receipt}
        # killed while it works on a document (up to a minute's wait for one), so that one is resumed
        waited = time.monotonic()
        while time.monotonic() - waited < 60 and not stop.is_set():
            try:
                if topology.in_flight():
                    killed["in_flight"] = topology.in_flight()
                    break
            except Exception as exc:  # noqa: BLE001 - a busy database: ask again
                print(f"in flight: {exc}", file=sys.stderr)
            time.sleep(0.2)
        killed["at_s"] = round(stats.now(), 1)
        topology.kill_worker()
        print(f"soak {topology.name}: worker killed at {killed['at_s']} s", file=sys.stderr)
        stop.wait(5)
        topology.restart_worker()
        killed["ready_after_s"] = round(stats.now() - killed["at_s"], 1)

        def recovery() -> None:  # every upload accepted before the kill delivered: the pipeline recovered
            done, _rows = wait_delivered(topology, before, duration)
            if done:
                killed["recovered_after_s"] = round(stats.now() - killed["at_s"], 1)

        threading.Thread(target=recovery, daemon=True).start()
        stop.wait(max(0.0, duration - stats.now()))
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=180)
    ran = stats.now()
    print(
        f"soak {topology.name}: users stopped after {ran:.0f} s; waiting for the pipeline …", file=sys.stderr
    )
    receipts = [a.receipt for a in stats.accepted if a.receipt]
    drained, rows = wait_delivered(topology, set(receipts), knob("SOAK_DRAIN_SECONDS", 600))
    drain_s = stats.now() - ran
    time.sleep(knob("SOAK_SAMPLE_SECONDS", 5) * 2)  # memory after the drain, too
    sampler.halt.set()
    sampler.join(timeout=30)
    lost = [r for r in receipts if rows.get(r, ("", 0))[0] != "delivered" or rows[r][1] == 0]
    doubled = [r for r in receipts if rows.get(r, ("", 0))[1] > 1]
    unreceipted = sorted(set(rows) - set(receipts))  # documents no citizen got a receipt for
    twice_accepted = len(receipts) - len(set(receipts))
    mem = memory(sampler.samples, warmup)
    judged = [row for row in mem if row["judged"]]
    uploads = stats.latencies.get("upload", [])
    return {
        "topology": topology.name,
        "date": f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC",
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, load average "
        f"{' / '.join(f'{x:.1f}' for x in os.getloadavg())} at the end",
        "minutes": round(ran / 60, 2),
        "citizens": citizens,
        "caseworkers": caseworkers,
        "requests": stats.requests,
        "statuses": dict(sorted(stats.statuses.items())),
        "errors": len(stats.errors),
        "get_retried_on_closed_keepalive": stats.retried,
        "error_samples": stats.errors[:10],
        "accepted": len(stats.accepted),
        "receipts": len(receipts),
        "arrived": sum(1 for r in set(receipts) if rows.get(r, ("", 0)) == ("delivered", 1)),
        "lost": len(lost),
        "lost_samples": lost[:10],
        "duplicates": len(doubled) + twice_accepted,
        "unreceipted_documents": len(unreceipted),
        "processed_by_caseworkers": stats.processed,
        "upload_median_ms": round(statistics.median(uploads) * 1000) if uploads else None,
        "upload_p95_ms": round(sorted(uploads)[int(len(uploads) * 0.95)] * 1000) if uploads else None,
        "drained": drained,
        "drain_s": round(drain_s),
        "worker_kill": killed,
        "warmup_s": round(warmup),
        "memory": mem,
        "memory_max_growth": max((row["growth"] for row in judged), default=None),
        "memory_judged": bool(judged),
        "note": os.environ.get("SOAK_NOTE", ""),  # e.g. what else ran on the machine
    }


def verdict(result: dict[str, Any]) -> tuple[bool, str]:
    growth = result["memory_max_growth"]
    memory_ok = growth is None or growth < MEMORY_LIMIT
    ok = (
        result["errors"] == 0
        and result["lost"] == 0
        and result["duplicates"] == 0
        and result["unreceipted_documents"] == 0
        and result["drained"]
        and memory_ok
    )
    kill = result["worker_kill"]
    message = (
        f"{result['topology']}: {result['minutes']} min, {result['citizens']} citizens + {result['caseworkers']} "
        f"caseworkers, {result['requests']} requests, {result['errors']} errors; {result['accepted']} uploads "
        f"accepted, {result['arrived']} arrived once, {result['lost']} lost, {result['duplicates']} twice; "
        f"{result['processed_by_caseworkers']} marked done; worker killed at {kill.get('at_s')} s, "
        f"ready after {kill.get('ready_after_s')} s, recovered after {kill.get('recovered_after_s', 'never')} s; "
        + (
            f"RSS growth after warm-up at most {growth * 100:.1f} %"
            if growth is not None
            else "RSS not judged (run too short)"
        )
    )
    return ok, message


def write_section(result: dict[str, Any], ok: bool) -> None:
    """This topology's part of the soak section of bench/RESULTS.md (the other parts stay)."""
    name = result["topology"]
    kill = result["worker_kill"]
    lines = [
        f"<!-- soak:{name} -->",
        f"### {name} — {'met' if ok else 'MISSED'}",
        "",
        f"- date: {result['date']}; machine: {result['machine']}",
        *([f"- note: {result['note']}"] if result.get("note") else []),
        f"- duration: {result['minutes']} min ({result['citizens']} citizens, {result['caseworkers']} caseworkers)",
        f"- requests: {result['requests']} (statuses {result['statuses']}; "
        f"{result['get_retried_on_closed_keepalive']} GETs sent again after a closed keep-alive connection); "
        f"errors: **{result['errors']}**"
        + (f" — e.g. {'; '.join(result['error_samples'][:3])}" if result["errors"] else ""),
        f"- uploads: {result['accepted']} accepted (median {result['upload_median_ms']} ms, 95 % "
        f"{result['upload_p95_ms']} ms), **{result['arrived']} arrived** exactly once in an inbox, "
        f"**{result['lost']} lost**, **{result['duplicates']} duplicates**, {result['unreceipted_documents']} "
        f"documents without a receipt; {result['processed_by_caseworkers']} items marked done by the caseworkers; "
        f"pipeline drained {result['drain_s']} s after the users stopped",
        f"- worker killed (SIGKILL) at {kill.get('at_s')} s with {kill.get('in_flight', 'no')} of the soak's documents "
        f"in the pipeline, started again 5 s later, taking work "
        f"{kill.get('ready_after_s')} s after the kill; every upload accepted before the kill delivered "
        f"{kill.get('recovered_after_s', 'never')} s after the kill",
        f"- RSS (process and its children; warm-up {result['warmup_s']} s; limit +{MEMORY_LIMIT:.0%} after warm-up):",
        "",
        "| process | from–to (s) | start | after warm-up | end | growth |",
        "|---|---|---|---|---|---|",
    ]
    for row in result["memory"]:
        growth = f"{row['growth'] * 100:+.1f} %" + ("" if row["judged"] else " (too short to judge)")
        lines.append(
            f"| {row['process']} | {row['from_s']}–{row['to_s']} | {row['start_mb']} MB | {row['warm_mb']} MB "
            f"| {row['end_mb']} MB | {growth} |"
        )
    lines += ["", f"<!-- /soak:{name} -->"]
    part = "\n".join(lines)
    header = "## `soak` (`make soak`: bench/soak.py, bench/README.md#soak)"  # a section bench/run.py keeps
    with open(RESULTS.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmark results\n"
        begin, end = f"<!-- soak:{name} -->", f"<!-- /soak:{name} -->"
        if begin in text and end in text:
            text = text[: text.index(begin)] + part + text[text.index(end) + len(end) :]
        else:  # the first part of this topology: right under the section's heading
            if header not in text:
                text = text.rstrip("\n") + f"\n\n{header}\n"
            at = text.index(header) + len(header)
            rest = text[at:].lstrip("\n")
            text = text[:at] + "\n\n" + part + "\n" + ("\n" + rest if rest else "")
        RESULTS.write_text(text, encoding="utf-8")


def main() -> int:
    names = sys.argv[1:] or ["embedded", "production"]
    minutes = knob("SOAK_MINUTES", 20)
    lease = int(knob("SOAK_LEASE_SECONDS", 90))
    ocr = knob("SOAK_OCR", 0) == 1
    outcome = 0
    for name in names:
        var = Path(tempfile.mkdtemp(prefix=f"soak-{name}-")) / "var"
        if name == "embedded":
            from jcportal.core.testing.processes import free_port

            topology: Topology = Embedded(var, free_port(), lease, ocr)
        elif name == "production":
            topology = Production(var, lease, ocr)
        else:
            raise SystemExit(f"unknown topology {name!r}: embedded or production")
        try:
            result = soak(topology, minutes)
        finally:
            topology.stop()
        ok, message = verdict(result)
        (var / "soak-result.json").write_text(json.dumps(result, indent=1), encoding="utf-8")
        print(f"logs: {var / 'log'}", file=sys.stderr)
        outcome |= report(f"soak_{name}", result, ok, message)
        if os.environ.get("SOAK_WRITE_RESULTS", "1") == "1":
            write_section(result, ok)
    return outcome


if __name__ == "__main__":
    sys.exit(main())
