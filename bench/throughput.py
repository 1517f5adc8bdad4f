"""End-to-end intake throughput on the cluster: uploads per second from accepted to in the inbox.

``scripts/run-cluster.sh`` runs (PostgreSQL, Redis, moto S3, clamd, two web processes, an io +
housekeeping worker); the benchmark adds the pipeline workers itself (queues ``intake,ocr``, one
process each) and, for each configuration, sends a batch of uploads through both web processes at once
(8 in parallel, as citizens would) and measures from the first upload's acceptance to the last
document's delivery into the inbox (``received_at`` → ``delivered_at`` in the database); once all
are accepted and their jobs queued, ``/readyz`` is probed every half second (its slowest answer is
reported):

- OCR off: 12 documents of two phone photos each, three rounds of one worker then two (median of each);
- OCR on: 6 documents of one page of text, one worker then two.

The ratio two workers / one worker is measured in one run, alternating, so the machine's load hits
both alike.
Target: ×1.6 or better with OCR off on two cores (OCR on is reported; Tesseract's own threads blur it).
Needs PostgreSQL and Redis on localhost (like the cluster test).
"""

from __future__ import annotations

import io
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from common import ROOT, report

sys.path.insert(0, str(ROOT / "src"))

TARGET = 1.6
CITIZEN = ("demo-kunde", "Demo-Kunde-2026")
PARALLEL_UPLOADS = 8
ROUNDS = 3  # OCR off: alternating one and two workers, the median of each
READYZ_MAX: dict[tuple[bool, int], float] = {}


def photo(number: int, text: bool) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (1240, 1754), "white")
    draw = ImageDraw.Draw(image)
    for line in range(40 if text else 4):
        draw.text(
            (80, 80 + line * 40), f"Mietvertrag Zeile {line} Dokument {number} Miete 450 Euro", fill="black"
        )
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85)
    return out.getvalue()


def start_worker(cluster, var: Path, number: int, ocr: bool) -> subprocess.Popen[bytes]:  # type: ignore[no-untyped-def]
    log = var / "log" / f"bench-worker-{number}-{'ocr' if ocr else 'plain'}.log"
    process = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("celery")),
            "-A",
            "jcportal",
            "worker",
            "-Q",
            "intake,ocr",
            "-n",
            f"bench-{number}@%h",
            "--concurrency",
            "1",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env=cluster.process_env(OCR_ENABLED="true" if ocr else "false", OCR_JOBS="1"),
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    while "ready." not in log.read_text(errors="replace"):
        if time.monotonic() > deadline or process.poll() is not None:
            raise RuntimeError(f"worker {number} did not start:\n{log.read_text()[-3000:]}")
        time.sleep(0.3)
    return process


def stop(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        os.killpg(process.pid, signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def probe_readyz(url: str, stop_event: threading.Event, latencies: list[float]) -> None:
    """/readyz every half second while the pipeline works (the probe must not wait behind OCR)."""
    import requests

    while not stop_event.is_set():
        started = time.monotonic()
        response = requests.get(url + "/readyz", timeout=10)
        latencies.append(time.monotonic() - started if response.status_code == 200 else float("inf"))
        stop_event.wait(0.5)


def measure(cluster, browsers, *, workers: int, ocr: bool, documents: int, pages: int) -> float:  # type: ignore[no-untyped-def]
    """Documents per second, accepted → delivered, with ``workers`` pipeline workers."""
    var = cluster.var
    processes = [start_worker(cluster, var, number, ocr) for number in range(1, workers + 1)]
    stop_event = threading.Event()
    latencies: list[float] = []
    try:
        files = [
            [(f"{n}-{p}.jpg", photo(n, ocr), "image/jpeg") for p in range(pages)] for n in range(documents)
        ]

        def send(number: int) -> str:
            browser, token = browsers[number % len(browsers)]
            return str(browser.clone().upload("mietvertrag", files[number], token))

        with ThreadPoolExecutor(max_workers=PARALLEL_UPLOADS) as pool:
            ids = list(pool.map(send, range(documents)))
        # all accepted, the jobs queued: the probe must not wait behind the workers' OCR and intake
        threading.Thread(
            target=probe_readyz, args=(cluster.urls[1], stop_event, latencies), daemon=True
        ).start()
        deadline = time.monotonic() + 1800
        while True:
            (done,) = cluster.sql(
                "SELECT count(*) FROM documents_document WHERE id::text = ANY(%s) AND status = 'delivered'",
                [ids],
            )[0]
            if done == documents:
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"only {done} of {documents} delivered\n{cluster.logs(tail=2500)}")
            time.sleep(0.5)
        first, last = cluster.sql(
            "SELECT min(received_at), max(delivered_at) FROM documents_document WHERE id::text = ANY(%s)",
            [ids],
        )[0]
        rate = documents / (last - first).total_seconds()
        READYZ_MAX[(ocr, workers)] = max([*latencies, READYZ_MAX.get((ocr, workers), 0.0)])
        print(
            f"  OCR {'on ' if ocr else 'off'}, {workers} worker(s): {documents} documents in "
            f"{(last - first).total_seconds():.1f} s = {rate:.2f} uploads/s; /readyz at most "
            f"{max(latencies, default=0.0) * 1000:.0f} ms ({len(latencies)} probes)",
            file=sys.stderr,
        )
        return rate
    finally:
        stop_event.set()
        stop(processes)


def main() -> int:
    from jcportal.core.testing import cluster as clusters

    problem = clusters.reachable()
    if problem:
        return report("throughput", {}, False, f"needs PostgreSQL and Redis: {problem}")
    var = Path(tempfile.mkdtemp(prefix="bench-throughput-")) / "var"
    cluster = clusters.Cluster(
        var, name="bench", workers="io,housekeeping", concurrency=1, redis_db=8, CLUSTER_BEAT="0"
    )
    print(f"throughput: starting the cluster ({os.cpu_count()} cores) …", file=sys.stderr)
    cluster.start()
    try:
        browsers = []
        for url in cluster.urls:
            browser = clusters.Browser(url)
            browser.login(*CITIZEN)
            browsers.append((browser, browser.csrf("/portal/hochladen/")))
        # one worker, two workers, one, two …: a change of the machine's load hits both alike
        samples: dict[tuple[bool, int], list[float]] = {}
        for ocr, documents, pages, rounds in ((False, 12, 2, ROUNDS), (True, 6, 1, 1)):
            for _round in range(rounds):
                for workers in (1, 2):
                    rate = measure(
                        cluster, browsers, workers=workers, ocr=ocr, documents=documents, pages=pages
                    )
                    samples.setdefault((ocr, workers), []).append(rate)
        rates = {key: statistics.median(values) for key, values in samples.items()}
    finally:
        cluster.stop()
    plain = rates[(False, 2)] / rates[(False, 1)]
    ocr_ratio = rates[(True, 2)] / rates[(True, 1)]
    result = {
        "uploads_per_second": {
            f"ocr_{'on' if ocr else 'off'}_{workers}_workers": round(rate, 3)
            for (ocr, workers), rate in rates.items()
        },
        "ratio_two_workers_ocr_off": round(plain, 2),
        "ratio_two_workers_ocr_on": round(ocr_ratio, 2),
        "cores": os.cpu_count(),
        "readyz_max_ms_while_working": {
            f"ocr_{'on' if ocr else 'off'}_{workers}_workers": round(value * 1000)
            for (ocr, workers), value in READYZ_MAX.items()
        },
    }
    message = (
        f"OCR off {rates[(False, 1)]:.2f} → {rates[(False, 2)]:.2f} uploads/s with two workers (×{plain:.2f}, "
        f"target ×{TARGET}); OCR on {rates[(True, 1)]:.2f} → {rates[(True, 2)]:.2f} (×{ocr_ratio:.2f}); "
        f"/readyz at most {max(READYZ_MAX.values()) * 1000:.0f} ms while the workers ran"
    )
    return report("throughput", result, plain >= TARGET, message)


if __name__ == "__main__":
    sys.exit(main())
