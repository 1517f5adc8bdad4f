"""End-to-end intake per core (issue 13 point 1): phone photos per second from accepted to in the inbox,
OCR off and on, per worker process (one core), and the peak RSS of a worker for a 1 MB and a 50 MB upload.

- Rate: ``documents.services.accept_upload`` of one phone photo of a letter (12 megapixels, 3000 × 4000
  JPEG, black text on a slightly noisy white page, ~3 MB), then the whole intake pipeline in this one
  process (``pipeline.run``: type detection, JPEG→PDF, merge, OCR when on, thumbnail, checksums, routing)
  until the inbox item exists. OCR runs with ``OCR_JOBS=1``, so the process stays on one core. The rate
  per core is photos per CPU second (this process and its children, e.g. Tesseract): the machine is
  shared, so other load stretches wall-clock time but hardly CPU time; wall-clock photos/s is reported
  too. Median over ``INTAKE_PHOTOS_OFF`` (default 6) / ``INTAKE_PHOTOS_ON`` (default 3) photos after
  one warm-up each.
- Memory: a worker process (forked after the set-up, so it starts with the same code and caches) runs
  the pipeline of one document: a 1 MB upload (one PDF page: a noisy JPEG) and a 50 MB upload (a PDF of
  ten such pages of ~5 MB; ``UPLOAD_MAX_FILE_MB=64`` for it). Its peak RSS growth (Linux ``VmHWM`` reset through
  ``/proc/self/clear_refs``, minus the RSS at the start) is measured; OCR off. Median of three workers each.
Target: flat memory, peak(50 MB) − peak(1 MB) < 0.25 × (50 MB − 1 MB) (as ``intake_memory.py`` for the
web side). The rates are reported (no target: they are the figures the limit is measured against).
"""

from __future__ import annotations

import io
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from common import proc_status, report, reset_peak_rss, setup_django

PHOTOS_OFF = int(os.environ.get("INTAKE_PHOTOS_OFF", "6"))
PHOTOS_ON = int(os.environ.get("INTAKE_PHOTOS_ON", "3"))
MEMORY_RUNS = 3
TARGET = 0.25
TEXT = (
    "Sehr geehrte Damen und Herren, hiermit reiche ich die angeforderten Unterlagen ein. "
    "Kontoauszug vom 01.11.2026 bis 30.11.2026, Miete 540,00 EUR, Nebenkosten 120,00 EUR."
)


def cpu_seconds() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def letter_photo(number: int) -> bytes:
    """A phone photo of a letter: 12 megapixels, text lines on a slightly noisy, not quite white page."""
    from PIL import Image, ImageChops, ImageDraw, ImageFont

    size = (3000, 4000)
    page = Image.new("L", size, 235)
    draw = ImageDraw.Draw(page)
    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 52)
    words = TEXT.split()
    for line in range(36):
        shift = (number + line) % len(words)
        draw.text((220, 300 + line * 95), " ".join(words[shift:] + words[:shift])[:70], font=font, fill=20)
    page = ImageChops.add(page, Image.effect_noise(size, 12), scale=1.0, offset=-128)
    out = io.BytesIO()
    page.convert("RGB").save(out, format="JPEG", quality=90)
    return out.getvalue()


def noisy_pdf(pages: int, megabytes_per_page: float) -> bytes:
    """A PDF of ``pages`` pages, each a noisy JPEG of about ``megabytes_per_page`` (wrapped by img2pdf)."""
    import img2pdf
    from PIL import Image

    images = []
    side = int(1000 * (megabytes_per_page / 0.9) ** 0.5)  # noise at quality 90: ~0.9 MB per megapixel
    for number in range(pages):
        out = io.BytesIO()
        Image.effect_noise((side, int(side * 1.41)), 40 + number).convert("RGB").save(out, "JPEG", quality=90)
        images.append(out.getvalue())
    return img2pdf.convert(images)


def main() -> int:
    import traceback

    try:
        return measure()
    except Exception:
        # ocrmypdf's progress display may have replaced sys.stderr: the error goes to the real one
        os.write(2, traceback.format_exc().encode())
        raise


def measure() -> int:
    tmp = Path(tempfile.mkdtemp(prefix="bench-intake-core-"))
    # an installation that takes 50 MB uploads (the default limit is 20 MB per file)
    os.environ.setdefault("UPLOAD_MAX_FILE_MB", "64")
    setup_django(tmp)
    from django.conf import settings
    from django.db import connections

    from jcportal.accounts.tests.factories import CitizenFactory
    from jcportal.documents import pipeline, services
    from jcportal.households.tests.factories import HouseholdFactory
    from jcportal.inbox.models import InboxItem

    settings.OCR_JOBS = 1
    household = HouseholdFactory()
    citizen = CitizenFactory(person__household=household)
    photos = [letter_photo(n) for n in range(max(PHOTOS_OFF, PHOTOS_ON) + 1)]

    def intake(name: str, data: bytes) -> str:
        document = services.accept_upload(
            household=household,
            uploaded_by=citizen,
            doc_type="sonstiges",
            title="Brief",
            files=[(name, io.BytesIO(data))],
        )
        outcome = pipeline.run(str(document.pk))
        assert outcome == "done", outcome
        assert InboxItem.objects.filter(document=document).exists(), "not routed into the inbox"
        return str(document.pk)

    rates: dict[str, dict[str, Any]] = {}
    for label, ocr, count in (("ocr_off", False, PHOTOS_OFF), ("ocr_on", True, PHOTOS_ON)):
        settings.OCR_ENABLED = ocr
        cpu, wall = [], []
        for number in range(count + 1):  # the first is a warm-up
            started, cpu_started = time.perf_counter(), cpu_seconds()
            document_id = intake(f"foto-{number}.jpg", photos[number])
            if number:
                wall.append(time.perf_counter() - started)
                cpu.append(cpu_seconds() - cpu_started)
        if ocr:
            from jcportal.documents.models import Document

            text = Document.objects.get(pk=document_id).ocr_text
            assert "Kontoauszug" in text or "Miete" in text, f"OCR found no text: {text[:200]!r}"
        rates[label] = {
            "photos": count,
            "cpu_seconds_median": round(statistics.median(cpu), 3),
            "wall_seconds_median": round(statistics.median(wall), 3),
            "photos_per_cpu_second": round(1 / statistics.median(cpu), 3),
            "photos_per_second_wall": round(1 / statistics.median(wall), 3),
        }
        os.write(2, f"intake_per_core: {label}: {rates[label]}\n".encode())
    settings.OCR_ENABLED = False

    # Memory: one forked worker per document, its peak RSS growth while running the pipeline.
    uploads = {"1mb": noisy_pdf(1, 1.0), "50mb": noisy_pdf(10, 5.0)}
    sizes = {key: len(data) for key, data in uploads.items()}
    growth: dict[str, list[int]] = {key: [] for key in uploads}
    peaks: dict[str, list[int]] = {key: [] for key in uploads}
    for run in range(MEMORY_RUNS):
        for key in ("1mb", "50mb") if run % 2 == 0 else ("50mb", "1mb"):
            document = services.accept_upload(
                household=household,
                uploaded_by=citizen,
                doc_type="sonstiges",
                title="Unterlagen",
                files=[(f"{key}.pdf", io.BytesIO(uploads[key]))],
            )
            connections.close_all()  # the worker opens its own connection
            read, write = os.pipe()
            child = os.fork()
            if child == 0:  # the worker
                os.close(read)
                code = 0
                try:
                    reset_peak_rss()
                    before = proc_status("VmRSS") or 0
                    outcome = pipeline.run(str(document.pk))
                    peak = proc_status("VmHWM") or 0
                    os.write(write, f"{outcome} {peak - before} {peak}".encode())
                except BaseException as exc:  # noqa: BLE001 - reported to the parent
                    os.write(write, f"error {exc!r}".encode())
                    code = 1
                finally:
                    os._exit(code)
            os.close(write)
            answer = os.read(read, 4096).decode()
            os.close(read)
            os.waitpid(child, 0)
            outcome, *figures = answer.split()
            assert outcome == "done", answer
            os.write(2, f"intake_per_core: worker for {key}: {answer}\n".encode())
            growth[key].append(int(figures[0]))
            peaks[key].append(int(figures[1]))
            assert InboxItem.objects.filter(document=document).exists(), "not routed into the inbox"
    mb = 2**20
    median_growth = {key: statistics.median(values) for key, values in growth.items()}
    slope = (median_growth["50mb"] - median_growth["1mb"]) / (sizes["50mb"] - sizes["1mb"])
    ok = slope < TARGET
    load = os.getloadavg()
    result: dict[str, Any] = {
        "rates": rates,
        "upload_bytes": sizes,
        "worker_peak_rss_growth_bytes": {key: int(v) for key, v in median_growth.items()},
        "worker_peak_rss_bytes": {key: int(statistics.median(v)) for key, v in peaks.items()},
        "memory_slope": round(slope, 3),
        "target": f"(peak growth 50 MB − 1 MB) / (size difference) < {TARGET}",
        "load_average": [round(x, 2) for x in load],
        "cores": os.cpu_count(),
    }
    sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__  # as they were before ocrmypdf ran
    import shutil

    connections.close_all()
    shutil.rmtree(tmp, ignore_errors=True)  # ~400 MB of stored uploads
    off, on = rates["ocr_off"], rates["ocr_on"]
    message = (
        f"per core: OCR off {off['photos_per_cpu_second']:.2f} photos per CPU-second "
        f"({off['photos_per_second_wall']:.2f}/s wall-clock), OCR on {on['photos_per_cpu_second']:.3f} "
        f"({on['photos_per_second_wall']:.3f}/s wall-clock), 12-megapixel photos of a letter; worker peak RSS "
        f"growth {median_growth['1mb'] / mb:.0f} MB for {sizes['1mb'] / mb:.1f} MB, "
        f"{median_growth['50mb'] / mb:.0f} MB for {sizes['50mb'] / mb:.1f} MB (slope {slope:.2f}, target < {TARGET})"
        f"; load average {load[0]:.1f} on {os.cpu_count()} cores"
    )
    if not ok:
        message += ": the worker holds the whole upload in memory"
    return report("intake_per_core", result, ok, message)


if __name__ == "__main__":
    sys.exit(main())
