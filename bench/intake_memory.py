"""Uploads stream to disk: the Python heap of one upload request must not grow with the file size.

POSTs a ~1 MB and a ~18 MB noisy JPEG to the citizen upload view through Django's WSGI handler, with
``wsgi.input`` an open file (the body is never built in memory), and compares tracemalloc peaks.
Target: (peak_large - peak_small) / (size_large - size_small) < 0.25.
"""

from __future__ import annotations

import gc
import math
import os
import shutil
import sys
import tempfile
import tracemalloc
from pathlib import Path
from typing import Any

from common import proc_status, report, reset_peak_rss, setup_django

SMALL_BYTES = 1 * 1024 * 1024
LARGE_BYTES = 18 * 1024 * 1024  # below UPLOAD_MAX_FILE_MB (20)
TARGET = 0.25
ROUNDS = 2  # each size is posted this often; the lowest peak counts
BOUNDARY = "jcportal-bench-boundary-7MA4YWxkTrZu0gW"
CHUNK = 1024 * 1024


def noisy_jpeg(path: Path, target_bytes: int) -> int:
    """A JPEG of random pixels of about ``target_bytes`` (noise barely compresses: ~1.2 bytes/pixel)."""
    from PIL import Image

    side = int(math.sqrt(target_bytes / 1.18))
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(path, "JPEG", quality=95)
    return path.stat().st_size


def multipart_body(path: Path, upload: Path) -> int:
    """Write the form as the upload page sends it, the file copied in chunks; the sentinel comes last."""

    def part(name: str, extra: str = "") -> bytes:
        return f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"{extra}\r\n\r\n'.encode()

    with path.open("wb") as out:
        for name, value in (("doc_type", "mietvertrag"), ("title", ""), ("note", "")):
            out.write(part(name) + f"{value}\r\n".encode())
        out.write(part("files", f'; filename="{upload.name}"\r\nContent-Type: image/jpeg'))
        with upload.open("rb") as source:
            shutil.copyfileobj(source, out, CHUNK)
        out.write(b"\r\n" + part("complete") + f"1\r\n--{BOUNDARY}--\r\n".encode())
        return out.tell()


def post(handler: Any, cookie: str, body: Path, length: int) -> tuple[Any, int, int | None]:
    """One upload request; returns the response, the tracemalloc peak and the peak RSS growth (bytes)."""
    from django.urls import reverse

    with body.open("rb") as stream:
        environ = {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": reverse("portal:upload"),
            "QUERY_STRING": "",
            "SCRIPT_NAME": "",
            "SERVER_NAME": "testserver",
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_HOST": "testserver",
            "HTTP_COOKIE": cookie,
            "CONTENT_TYPE": f"multipart/form-data; boundary={BOUNDARY}",
            "CONTENT_LENGTH": str(length),
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.input": stream,
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": False,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
        }
        gc.collect()
        rss_ok = reset_peak_rss()
        rss_before = proc_status("VmRSS")
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        response = handler(environ)
        peak = tracemalloc.get_traced_memory()[1] - before
        rss_peak = proc_status("VmHWM")
    rss_growth = rss_peak - rss_before if rss_ok and rss_peak and rss_before else None
    return response, peak, rss_growth


def check_accepted(response: Any, size: int) -> None:
    """The upload was accepted: redirect to its receipt page, one stored original of the full size."""
    from django.urls import resolve

    from jcportal.documents.models import Document

    assert response.status_code == 302, f"upload of {size} bytes refused: HTTP {response.status_code}"
    match = resolve(response["Location"])
    assert match.view_name == "portal:upload-done", f"redirected to {response['Location']}"
    document = Document.objects.get(pk=match.kwargs["document_id"])
    assert [o.size for o in document.originals.all()] == [size], "the stored original has the wrong size"


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="jcportal-bench-") as name:
        tmp = Path(name)
        sizes = {
            "small": noisy_jpeg(tmp / "small.jpg", SMALL_BYTES),
            "large": noisy_jpeg(tmp / "large.jpg", LARGE_BYTES),
        }
        lengths = {key: multipart_body(tmp / f"{key}.body", tmp / f"{key}.jpg") for key in sizes}
        setup_django(tmp)

        from django.conf import settings
        from django.test import Client
        from django.test.client import ClientHandler

        from jcportal.accounts.tests.factories import CitizenFactory
        from jcportal.households.tests.factories import HouseholdFactory

        assert sizes["large"] < settings.UPLOAD_MAX_FILE_BYTES
        citizen = CitizenFactory(person__household=HouseholdFactory())
        client = Client()
        client.force_login(citizen)
        cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
        handler = ClientHandler(enforce_csrf_checks=False)

        tracemalloc.start()
        # Warm-up: the first request imports code, compiles URL patterns and connects the broker.
        check_accepted(post(handler, cookie, tmp / "small.body", lengths["small"])[0], sizes["small"])
        peaks: dict[str, list[int]] = {"small": [], "large": []}
        rss: dict[str, list[int]] = {"small": [], "large": []}
        for _round in range(ROUNDS):
            for key in ("small", "large"):
                response, peak, rss_growth = post(handler, cookie, tmp / f"{key}.body", lengths[key])
                check_accepted(response, sizes[key])
                peaks[key].append(peak)
                if rss_growth is not None:
                    rss[key].append(rss_growth)
        tracemalloc.stop()

    peak = {key: min(values) for key, values in peaks.items()}
    ratio = (peak["large"] - peak["small"]) / (sizes["large"] - sizes["small"])
    rss_growth = {key: min(values) for key, values in rss.items() if values}
    result: dict[str, Any] = {
        "file_bytes": sizes,
        "tracemalloc_peak_bytes": peak,
        "ratio": round(ratio, 4),
        "target": f"< {TARGET}",
        "peak_rss_growth_bytes": rss_growth or None,
        "rss_ratio": round((rss_growth["large"] - rss_growth["small"]) / (sizes["large"] - sizes["small"]), 4)
        if len(rss_growth) == 2
        else None,
    }
    mb = 1024 * 1024
    message = (
        f"heap peak {peak['small'] / mb:.2f} MB for {sizes['small'] / mb:.1f} MB, "
        f"{peak['large'] / mb:.2f} MB for {sizes['large'] / mb:.1f} MB: ratio {ratio:.4f} (target < {TARGET})"
    )
    if ratio >= TARGET:
        message += "; the upload request holds files in memory instead of streaming them to disk"
    return report("intake_memory", result, ratio < TARGET, message)


if __name__ == "__main__":
    sys.exit(main())
