"""A quick look at a photo of a page: is it blurred, too dark, or is the page cut off at the edge?

The same check runs in the citizen's browser when they choose a photo (``static/js/photocheck.js``,
same measures and thresholds on a canvas), where they are asked to take it again or send it anyway.
Here it runs again in the intake pipeline; a finding becomes an accepted file notice
(``photo_blurry``, ``photo_dark``, ``photo_cut_off`` in ``documents.problems``): the photo is always
delivered, the caseworker only sees a hint that it may be hard to read.

All measures work on a grayscale copy whose long side is ``SIZE`` pixels (a JPEG is decoded reduced
with ``draft()``, so a 12-megapixel photo costs a few milliseconds):

- **dark**: the brightest part of the photo (the 95th percentile, normally the paper) is dim;
- **blurry**: the strongest edges (mean of the top 0.5 % of the Laplacian's magnitude) are weak
  compared with the photo's contrast (the 1st…99th percentile range); text photographed in focus has
  edges about as steep as its contrast, a blurred page has soft ones;
- **cut off**: on some side the outermost strip is mostly paper and has about as many edges (text)
  as the inside of the photo: the text runs into the border. A page lying on a table with its
  margins inside the photo, or a scan with white margins all round, passes.

Small images (under ``MIN_SIDE`` pixels on the long side: icons, tiny scans) are not judged.
"""

from __future__ import annotations

import io
import logging

from PIL import Image, ImageChops, ImageFilter

logger = logging.getLogger(__name__)

SIZE = 800  # long side of the analysed copy (the browser uses the same)
MIN_SIDE = 600  # smaller images are not camera photos of a page
DARK_P95 = 90  # brightest part darker than this (0…255): too dark
BLUR_RATIO = 0.45  # strongest edges weaker than this share of the contrast: blurred
MIN_CONTRAST = 40  # below this there is nothing to judge sharpness by
BAND = 0.015  # the outer strip per side, as a share of the side's length (at least 2 px)
PAPER_SHARE = 0.6  # the strip is "paper" when this share of it is bright
EDGE_SHARE = 0.5  # …and cut off when it has at least this share of the inside's edge density
MIN_EDGE_DENSITY = 0.004  # inside edge density below this: no text to run off

PHOTO_MIMES = ("image/jpeg", "image/heif", "image/webp")
CODES = ("photo_blurry", "photo_dark", "photo_cut_off")

_LAPLACE = (0, 1, 0, 1, -4, 1, 0, 1, 0)


def check(data: bytes) -> list[str]:
    """The photo notices for one received file (empty for PDFs, scans, small images, or on any
    decoding trouble: the check never stops a delivery)."""
    from .normalise import detect

    try:
        if detect(io.BytesIO(data)) not in PHOTO_MIMES:
            return []
        image = Image.open(io.BytesIO(data))
        if max(image.size) < MIN_SIDE:
            return []
        if image.format == "JPEG":
            # A truncated JPEG is the converter's business, not a photo to judge; Pillow would decode it
            # padded with grey wherever some library (WeasyPrint does) set LOAD_TRUNCATED_IMAGES.
            from .normalise import jpeg_info

            jpeg_info(data)
            image.draft("L", (SIZE, SIZE))  # decode at 1/2…1/8 scale
        return check_image(image)
    except Exception as exc:  # noqa: BLE001 - a photo the converter accepted but this check cannot read
        logger.info("photo check skipped: %s: %s", type(exc).__name__, exc)
        return []


def check_image(image: Image.Image) -> list[str]:
    gray = image.convert("L")
    if max(gray.size) < MIN_SIDE and max(image.size) < MIN_SIDE:
        return []
    scale = SIZE / max(gray.size)
    if scale < 1:
        size = (max(1, round(gray.width * scale)), max(1, round(gray.height * scale)))
        gray = gray.resize(size, Image.Resampling.BILINEAR, reducing_gap=2.0)
    return measure(gray).codes()


class Measures:
    def __init__(self, p95: int, contrast: int, sharpness: float, cut_sides: list[str]) -> None:
        self.p95 = p95
        self.contrast = contrast
        self.sharpness = sharpness
        self.cut_sides = cut_sides

    def codes(self) -> list[str]:
        found = []
        if self.contrast >= MIN_CONTRAST and self.sharpness < BLUR_RATIO:
            found.append("photo_blurry")
        if self.p95 < DARK_P95:
            found.append("photo_dark")
        if self.cut_sides:
            found.append("photo_cut_off")
        return found

    def __repr__(self) -> str:
        return (
            f"Measures(p95={self.p95}, contrast={self.contrast}, sharpness={self.sharpness:.2f}, "
            f"cut_sides={self.cut_sides})"
        )


def _percentile(histogram: list[int], share: float) -> int:
    total = sum(histogram)
    limit = total * share
    running = 0
    for value, count in enumerate(histogram):
        running += count
        if running >= limit:
            return value
    return len(histogram) - 1


def _top_mean(histogram: list[int], share: float) -> float:
    """Mean of the highest ``share`` of the values."""
    wanted = max(1.0, sum(histogram) * share)
    taken = 0.0
    weighted = 0.0
    for value in range(len(histogram) - 1, -1, -1):
        count = min(histogram[value], wanted - taken)
        if count <= 0:
            continue
        taken += count
        weighted += value * count
        if taken >= wanted:
            break
    return weighted / taken if taken else 0.0


def _share_at_least(histogram: list[int], threshold: int) -> float:
    total = sum(histogram)
    return sum(histogram[max(0, threshold) :]) / total if total else 0.0


def measure(gray: Image.Image) -> Measures:
    histogram = gray.histogram()
    p95 = _percentile(histogram, 0.95)
    p5 = _percentile(histogram, 0.05)
    contrast = _percentile(histogram, 0.99) - _percentile(histogram, 0.01)
    width, height = gray.size
    positive = gray.filter(ImageFilter.Kernel((3, 3), _LAPLACE, scale=1))
    negative = gray.filter(ImageFilter.Kernel((3, 3), [-k for k in _LAPLACE], scale=1))
    edges = ImageChops.lighter(positive, negative).crop((1, 1, width - 1, height - 1))  # |Laplacian|
    sharpness = _top_mean(edges.histogram(), 0.005) / max(contrast, 1)
    edge_threshold = max(8, round(contrast * 0.25))
    paper_threshold = (p95 + p5) // 2
    inside_box = (width // 10, height // 10, width - width // 10, height - height // 10)
    inside = _share_at_least(edges.crop(inside_box).histogram(), edge_threshold)
    cut_sides = []
    if inside >= MIN_EDGE_DENSITY and contrast >= MIN_CONTRAST:
        band_x = max(2, round(width * BAND))
        band_y = max(2, round(height * BAND))
        w, h = edges.size  # one pixel smaller on each side than ``gray``
        strips = {
            "top": ((0, 0, width, band_y), (0, 0, w, band_y)),
            "bottom": ((0, height - band_y, width, height), (0, h - band_y, w, h)),
            "left": ((0, 0, band_x, height), (0, 0, band_x, h)),
            "right": ((width - band_x, 0, width, height), (w - band_x, 0, w, h)),
        }
        for side, (gray_box, edge_box) in strips.items():
            paper = _share_at_least(gray.crop(gray_box).histogram(), paper_threshold)
            density = _share_at_least(edges.crop(edge_box).histogram(), edge_threshold)
            if paper >= PAPER_SHARE and density >= inside * EDGE_SHARE:
                cut_sides.append(side)
    return Measures(p95, contrast, sharpness, cut_sides)
