"""The OCR text layer: OCRmyPDF on the merged PDF, page images not re-encoded.

One function, used by the pipeline's OCR step and measured by ``bench/ocr.py`` against the bare
``ocrmypdf`` on the same pages (issue 13: ``jobs=1`` made our step ×1.53 the bare command).
- ``jobs``: ``OCR_JOBS`` pages in parallel (default: the machine's cores; set it to the share of cores
  of the ``ocr`` queue's worker when several workers share a machine).
- Phone photos of 12 megapixels and more are handed to Tesseract downsampled (``tesseract_downsample_above``
  = ``OCR_DOWNSAMPLE_ABOVE`` pixels on the long side): Tesseract reads 300 dpi text as well as 600 dpi
  and is much faster; the archived page keeps the original image (only Tesseract's input is reduced).
"""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings


def ocr_jobs() -> int:
    return int(getattr(settings, "OCR_JOBS", 0) or os.cpu_count() or 1)


def add_text_layer(source: Path, target: Path, sidecar: Path, languages: list[str]) -> None:
    """Write ``target`` (``source`` with a text layer) and the recognised text into ``sidecar``.
    Pages that already carry text are skipped. Raises what OCRmyPDF raises."""
    import ocrmypdf

    ocrmypdf.ocr(
        source,
        target,
        language=languages,
        skip_text=True,
        output_type="pdf",
        optimize=0,
        progress_bar=False,
        sidecar=sidecar,
        jobs=ocr_jobs(),
        tesseract_downsample_large_images=True,
        tesseract_downsample_above=int(getattr(settings, "OCR_DOWNSAMPLE_ABOVE", 4000)),
    )
