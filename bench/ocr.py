"""Our OCR step against the bare ``ocrmypdf`` on the same 10 scanned pages, measured in one run.

Issue 13: our step was ×1.53 the bare command (CPU identical; the whole gap was ``jobs=1``). The pages
are 10 A4 pages at 300 dpi, grayscale, with German text rendered in DejaVu Sans (a scanner's output),
merged into one PDF. Three ways, each OCRing that PDF with ``-l deu``, skip-text, output type pdf, no
optimisation, into a new file, interleaved, median of 5 runs after one warm-up:
- ours: ``documents.ocr.add_text_layer`` (what the pipeline's OCR step calls);
- bare API: ``ocrmypdf.ocr(...)`` with its defaults for jobs (all cores);
- bare command: the ``ocrmypdf`` command line (includes Python's start-up).
Target: ours / bare API ≤ 1.1.
"""

from __future__ import annotations

import io
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import report, setup_django

PAGES = 10
RUNS = 5
TARGET = 1.1
TEXT = (
    "Sehr geehrte Damen und Herren, hiermit reiche ich die angeforderten Unterlagen ein. "
    "Kontoauszug vom 01.11.2026 bis 30.11.2026, Miete 540,00 EUR, Nebenkosten 120,00 EUR. "
    "Mit freundlichen Grüßen"
)


def scanned_pages(path: Path) -> None:
    import img2pdf
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 42)
    pages = []
    for number in range(PAGES):
        page = Image.new("L", (2480, 3508), 255)
        draw = ImageDraw.Draw(page)
        y = 200
        for line in range(40):
            words = TEXT.split()
            shift = (number + line) % len(words)
            draw.text((180, y), " ".join(words[shift:] + words[:shift])[:80], font=font, fill=0)
            y += 78
        buffer = io.BytesIO()
        page.save(buffer, format="PNG")
        pages.append(buffer.getvalue())
    path.write_bytes(img2pdf.convert(pages, layout_fun=img2pdf.get_fixed_dpi_layout_fun((300, 300))))


def main() -> int:
    tmp = Path(tempfile.mkdtemp(prefix="bench-ocr-"))
    setup_django(tmp)
    if (
        not shutil.which("tesseract")
        or not shutil.which("ocrmypdf")
        and not (Path(sys.executable).parent / "ocrmypdf").exists()
    ):
        return report("ocr", {}, False, "tesseract or ocrmypdf is not installed")
    import ocrmypdf

    from jcportal.documents import ocr

    source = tmp / "scan.pdf"
    scanned_pages(source)
    command = shutil.which("ocrmypdf") or str(Path(sys.executable).parent / "ocrmypdf")

    def ours(n: int) -> None:
        ocr.add_text_layer(source, tmp / f"ours-{n}.pdf", tmp / f"ours-{n}.txt", ["deu"])

    def bare_api(n: int) -> None:
        ocrmypdf.ocr(
            source,
            tmp / f"api-{n}.pdf",
            language=["deu"],
            skip_text=True,
            output_type="pdf",
            optimize=0,
            progress_bar=False,
            sidecar=tmp / f"api-{n}.txt",
        )

    def bare_command(n: int) -> None:
        subprocess.run(
            [
                command,
                "-q",
                "-l",
                "deu",
                "--skip-text",
                "--output-type",
                "pdf",
                "--optimize",
                "0",
                "--sidecar",
                str(tmp / f"cli-{n}.txt"),
                str(source),
                str(tmp / f"cli-{n}.pdf"),
            ],
            check=True,
        )

    funcs = {"ours": ours, "bare_api": bare_api, "bare_command": bare_command}
    times: dict[str, list[float]] = {name: [] for name in funcs}
    for run in range(RUNS + 1):
        for name, func in funcs.items():
            start = time.perf_counter()
            func(run)
            if run:
                times[name].append(time.perf_counter() - start)
    medians = {name: statistics.median(values) for name, values in times.items()}
    text = (tmp / f"ours-{RUNS}.txt").read_text()
    recognised = "Kontoauszug" in text and "Nebenkosten" in text
    ratio = medians["ours"] / medians["bare_api"]
    result = {
        "pages": PAGES,
        "jobs": ocr.ocr_jobs(),
        "ours_s": round(medians["ours"], 2),
        "bare_api_s": round(medians["bare_api"], 2),
        "bare_command_s": round(medians["bare_command"], 2),
        "ours_vs_bare_api": round(ratio, 2),
        "ours_vs_bare_command": round(medians["ours"] / medians["bare_command"], 2),
        "seconds_per_page": round(medians["ours"] / PAGES, 2),
        "text_recognised": recognised,
    }
    ok = ratio <= TARGET and recognised
    message = (
        f"{PAGES} pages: ours {result['ours_s']} s, bare ocrmypdf API {result['bare_api_s']} s (×{result['ours_vs_bare_api']}), "
        f"command {result['bare_command_s']} s (×{result['ours_vs_bare_command']}); jobs={result['jobs']}"
    )
    return report("ocr", {"target": TARGET, **result}, ok, message)


if __name__ == "__main__":
    sys.exit(main())
