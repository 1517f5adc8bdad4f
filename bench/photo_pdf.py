"""Photo → PDF page against its limits, measured in one run: copying the same bytes, and bare img2pdf.

Issue 13: our normalisation of a 12-megapixel phone JPEG was ×20 the byte copy and ×7 bare img2pdf,
because it decoded every pixel (``image.load()``) of a JPEG it then embedded unchanged. Now the JPEG's
markers are checked and the bytes wrapped as they are (``documents.normalise.jpeg_info``/``jpeg_page``).

Three photos of 4000 × 3000 pixels (noise over gradients, quality 90, like a phone's ~4–6 MB), one
upright, one with EXIF orientation 6 (rotated: becomes the page's /Rotate, still no decode) and one with
orientation 5 (mirrored: the honest slow case, decoded and re-encoded). Each operation reads the file
from disk and writes its result to disk, as the pipeline does:
- copy: read the bytes, write them;
- img2pdf: ``img2pdf.convert(bytes, layout_fun=A4 fit)``, write;
- ours: ``normalise.convert(stream)`` (size check, type detection from magic bytes, marker checks,
  wrapping), write.
Median of 9 runs each (after 2 warm-ups), interleaved so that load on the machine hits all alike.
Target: ours / copy ≤ 1.2 for the JPEGs that need no decode (upright and rotated); the mirrored case is
reported, not targeted.
"""

from __future__ import annotations

import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

from common import report, setup_django

RUNS = 9
WARMUP = 2
TARGET = 1.2


def make_photo(path: Path, orientation: int) -> None:
    from PIL import Image, ImageChops

    size = (4000, 3000)
    gradient = Image.linear_gradient("L").resize(size)
    channels = [
        ImageChops.add(Image.effect_noise(size, 30 + 10 * index), gradient, scale=2.0) for index in range(3)
    ]
    image = Image.merge("RGB", channels)
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "BenchPhone"
    image.save(path, format="JPEG", quality=90, exif=exif.tobytes())


def timed(func, source: Path, target: Path) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    func(source, target)
    return time.perf_counter() - start


def main() -> int:
    tmp = Path(tempfile.mkdtemp(prefix="bench-photo-"))
    setup_django(tmp)
    import img2pdf

    from jcportal.documents import normalise

    def copy(source: Path, target: Path) -> None:
        target.write_bytes(source.read_bytes())

    def bare_img2pdf(source: Path, target: Path) -> None:
        target.write_bytes(
            img2pdf.convert(
                source.read_bytes(), layout_fun=normalise.LAYOUT, rotation=img2pdf.Rotation.ifvalid
            )
        )

    def ours(source: Path, target: Path) -> None:
        with source.open("rb") as stream:
            target.write_bytes(normalise.convert(io.BytesIO(stream.read())).pdf)

    cases = {"upright": 1, "rotated": 6, "mirrored": 5}
    result: dict[str, dict[str, float]] = {}
    for case, orientation in cases.items():
        photo = tmp / f"{case}.jpg"
        make_photo(photo, orientation)
        times: dict[str, list[float]] = {"copy": [], "img2pdf": [], "ours": []}
        funcs = {"copy": copy, "img2pdf": bare_img2pdf, "ours": ours}
        for run in range(WARMUP + RUNS):
            for name, func in funcs.items():
                elapsed = timed(func, photo, tmp / f"out-{name}.bin")
                if run >= WARMUP:
                    times[name].append(elapsed)
        medians = {name: statistics.median(values) for name, values in times.items()}
        result[case] = {
            "bytes": photo.stat().st_size,
            "copy_ms": round(medians["copy"] * 1000, 2),
            "img2pdf_ms": round(medians["img2pdf"] * 1000, 2),
            "ours_ms": round(medians["ours"] * 1000, 2),
            "ours_vs_copy": round(medians["ours"] / medians["copy"], 2),
            "ours_vs_img2pdf": round(medians["ours"] / medians["img2pdf"], 2),
        }
        print(f"{case}: {result[case]}", file=sys.stderr)
    ok = all(result[c]["ours_vs_copy"] <= TARGET for c in ("upright", "rotated"))
    message = "; ".join(
        f"{case} ×{r['ours_vs_copy']} the copy ({r['ours_ms']} vs {r['copy_ms']} ms), ×{r['ours_vs_img2pdf']} img2pdf"
        for case, r in result.items()
    )
    return report("photo_pdf", {"target": TARGET, "cases": result}, ok, message)


if __name__ == "__main__":
    sys.exit(main())
