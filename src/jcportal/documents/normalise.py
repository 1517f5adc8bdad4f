"""Turn one received file into PDF pages: detect the type from the content, check it, convert it.

Converters form a small registry by detected MIME type (like paperless-ngx parsers): a new format is a
new function decorated with ``@converter("mime/type")``, not an edit of the pipeline.

- JPEG is wrapped into a PDF page WITHOUT decoding or re-encoding (its markers are checked, see
  ``jpeg_info``); its EXIF orientation becomes the page's /Rotate, so the JPEG bytes inside the PDF are
  identical to what the citizen sent (up to its end-of-image marker: appended data is cut).
- Other images (PNG, HEIC/HEIF, WebP, TIFF) are decoded once, turned upright and embedded.
- PDFs are opened with pikepdf (qpdf repairs what it can); encrypted ones are refused; JavaScript,
  automatic actions, launch actions and embedded files are removed.
"""

from __future__ import annotations

import io
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, BinaryIO, Literal

import filetype
import img2pdf
import pikepdf
from django.conf import settings
from PIL import Image, ImageFile, ImageOps

from . import limits

try:  # HEIC/HEIF (iPhone photos)
    import pillow_heif

    pillow_heif.register_heif_opener()
except ImportError:  # pragma: no cover - listed in the dependencies
    pillow_heif = None  # type: ignore[assignment]

logger = logging.getLogger(__name__)

A4 = (img2pdf.mm_to_pt(210), img2pdf.mm_to_pt(297))
LAYOUT = img2pdf.get_layout_fun(A4, fit=img2pdf.FitMode.into, auto_orient=True)
HEAD_BYTES = 8192


class FileProblem(Exception):
    """This file cannot be used; ``code`` is a key of ``documents.problems.PROBLEMS``."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail

    def __reduce__(self) -> tuple[Any, ...]:  # survives the pipe from a limited child (documents.limits)
        return (FileProblem, (self.code, self.detail))


@dataclass
class Converted:
    pdf: bytes
    pages: int
    mime: str
    notices: list[str] = field(default_factory=list)


Converter = Callable[[BinaryIO], Converted]
CONVERTERS: dict[str, Converter] = {}


def converter(*mimes: str) -> Callable[[Converter], Converter]:
    def decorator(func: Converter) -> Converter:
        for mime in mimes:
            CONVERTERS[mime] = func
        return func

    return decorator


def detect(stream: BinaryIO) -> str:
    """The MIME type from the first bytes (magic numbers), never from the file name."""
    stream.seek(0)
    head = stream.read(HEAD_BYTES)
    stream.seek(0)
    if not head:
        raise FileProblem("empty_file")
    if b"%PDF-" in head[:1024]:
        return "application/pdf"
    kind = filetype.guess(head)
    mime = kind.mime if kind else ""
    if mime in ("image/heic", "image/heif", "image/avif") or head[4:12] in (
        b"ftypheic",
        b"ftypheix",
        b"ftypmif1",
    ):
        return "image/heif"
    return mime


def size_of(stream: BinaryIO) -> int:
    stream.seek(0, io.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    return size


def check_size(stream: BinaryIO) -> int:
    size = size_of(stream)
    if size == 0:
        raise FileProblem("empty_file")
    if size > settings.UPLOAD_MAX_FILE_BYTES:
        raise FileProblem("too_large", f"{size} bytes")
    return size


PdfSource = bytes | str | os.PathLike[str]


def _open_pdf(source: PdfSource) -> pikepdf.Pdf:
    """A PDF given as bytes or as a local path (a path is read lazily, never loaded or mapped whole)."""
    if isinstance(source, bytes):
        return pikepdf.open(io.BytesIO(source))
    return pikepdf.open(os.fspath(source), access_mode=pikepdf.AccessMode.stream)


def _write_into(converted: Converted, target: str) -> Converted:
    with open(target, "wb") as handle:
        handle.write(converted.pdf)
    return Converted(pdf=b"", pages=converted.pages, mime=converted.mime, notices=converted.notices)


def _convert_into(func: Converter, stream: BinaryIO, target: str) -> Converted:
    """In the limited child: convert and write the PDF to ``target`` (no bytes through the pipe)."""
    return _write_into(func(stream), target)


def convert(stream: BinaryIO, target: str | None = None) -> Converted:
    """Check and convert one file into PDF bytes. Raises ``FileProblem``.

    With ``target`` (a local path) the PDF is written there instead and ``Converted.pdf`` is empty:
    the worker then never holds the converted file in memory."""
    check_size(stream)
    mime = detect(stream)
    func = CONVERTERS.get(mime)
    if func is None:
        raise FileProblem("unsupported_type", mime or "unknown")
    try:
        # Decoding runs in a child under a memory and time limit (documents.limits); a JPEG is only
        # decoded when it cannot be wrapped as it is, so ``jpeg`` takes the limit itself when needed.
        if target is None:
            result = func(stream) if func is jpeg else limits.run_limited(func, stream)
        elif func is jpeg:
            result = _write_into(func(stream), target)
        else:
            result = limits.run_limited(_convert_into, func, stream, target)
    except FileProblem:
        raise
    except limits.LimitExceeded as exc:
        logger.info("converter %s exceeded its limits: %s", mime, exc.reason)
        raise FileProblem("too_complex", exc.reason) from exc
    except (MemoryError, RecursionError) as exc:  # a hostile file: refuse it, keep the worker alive
        raise FileProblem("too_many_pixels" if isinstance(exc, MemoryError) else "corrupt_image") from exc
    except Exception as exc:  # a decoder tripped over broken data (found by the property tests)
        logger.info("converter %s refused a file: %s: %s", mime, type(exc).__name__, exc)
        raise FileProblem("broken_pdf" if mime == "application/pdf" else "corrupt_image", str(exc)) from exc
    if result.pages > settings.UPLOAD_MAX_PAGES:
        raise FileProblem("too_many_pages", str(result.pages))
    return result


# --- images -----------------------------------------------------------------------------------------


def _open_image_checked(stream: BinaryIO) -> Image.Image:
    """Open lazily, refuse decompression bombs from the header alone, then decode fully once."""
    stream.seek(0)
    Image.MAX_IMAGE_PIXELS = settings.UPLOAD_MAX_PIXELS
    try:
        image = Image.open(stream)
    except Image.DecompressionBombError as exc:
        raise FileProblem("too_many_pixels", str(exc)) from exc
    except Exception as exc:
        raise FileProblem("corrupt_image", str(exc)) from exc
    width, height = image.size
    if width * height > settings.UPLOAD_MAX_PIXELS:
        raise FileProblem("too_many_pixels", f"{width}x{height}")
    # Decode strictly: a truncated image is corrupt, never padded with grey – whatever another library
    # set process-wide (WeasyPrint switches Pillow's LOAD_TRUNCATED_IMAGES on when it is imported).
    lenient, ImageFile.LOAD_TRUNCATED_IMAGES = ImageFile.LOAD_TRUNCATED_IMAGES, False
    try:
        image.load()
    except MemoryError:  # out of the decoding child's memory (documents.limits): too complex, not corrupt
        raise
    except Exception as exc:  # truncated or corrupt data
        raise FileProblem("corrupt_image", str(exc)) from exc
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = lenient
    return image


def _upright_rgb(image: Image.Image) -> Image.Image:
    image = ImageOps.exif_transpose(image) or image
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, "white")
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    if image.mode not in ("RGB", "L", "1"):
        return image.convert("RGB")
    return image


def _image_to_pdf(images: list[Image.Image], photo: bool) -> bytes:
    parts = []
    for image in images:
        upright = _upright_rgb(image)
        buffer = io.BytesIO()
        if photo and upright.mode != "1":
            upright.save(buffer, format="JPEG", quality=90)
        else:
            upright.save(buffer, format="PNG")
        parts.append(buffer.getvalue())
    return img2pdf.convert(parts, layout_fun=LAYOUT, rotation=img2pdf.Rotation.none)  # type: ignore[no-any-return]


# --- JPEG without decoding ----------------------------------------------------------------------------
# A phone photo is wrapped into its PDF page unchanged, so nothing of it needs decoding: everything that
# must be checked is in the markers before the scan data (dimensions against the pixel limit, 8-bit
# baseline/progressive Huffman coding that every PDF reader decodes, 1 or 3 components, the EXIF
# orientation) and in the end-of-image marker after it (a truncated upload has none). Anything unusual
# (CMYK, 12-bit, arithmetic or lossless coding, mirrored orientations) takes the decoding path below.
# Measured in bench/photo_pdf.py against copying the same bytes and against bare img2pdf.

_SOF_MARKERS = {0xC0, 0xC1, 0xC2}  # baseline, extended sequential, progressive (Huffman)
_OTHER_SOF = {0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}
_ROTATE = {1: 0, 3: 180, 6: 90, 8: 270}


@dataclass
class JpegInfo:
    width: int
    height: int
    components: int
    orientation: int
    end: int  # offset just after the end-of-image marker (trailing data such as motion-photo video is cut)
    wrappable: bool  # the fast path can embed it unchanged


def _exif_orientation(tiff: bytes) -> int:
    """Tag 0x0112 of IFD0 of an EXIF (TIFF) block; 1 when absent or unreadable."""
    if len(tiff) < 8 or tiff[:2] not in (b"II", b"MM"):
        return 1
    order: Literal["little", "big"] = "little" if tiff[:2] == b"II" else "big"
    offset = int.from_bytes(tiff[4:8], order)
    if offset + 2 > len(tiff):
        return 1
    count = int.from_bytes(tiff[offset : offset + 2], order)
    for index in range(min(count, 512)):
        entry = tiff[offset + 2 + 12 * index : offset + 14 + 12 * index]
        if len(entry) < 12:
            break
        if int.from_bytes(entry[0:2], order) == 0x0112 and int.from_bytes(entry[2:4], order) == 3:
            value = int.from_bytes(entry[8:10], order)
            return value if 1 <= value <= 8 else 1
    return 1


def jpeg_info(data: bytes) -> JpegInfo:
    """Read a JPEG's markers up to the scan data, and find its end. Raises ``FileProblem``."""
    if data[:2] != b"\xff\xd8":
        raise FileProblem("corrupt_image", "no start-of-image marker")
    size = len(data)
    position = 2
    width = height = components = precision = 0
    sof = 0
    orientation = 1
    while True:
        if position + 4 > size or data[position] != 0xFF:
            raise FileProblem("corrupt_image", "broken marker structure")
        while position < size and data[position] == 0xFF:  # fill bytes
            position += 1
        marker = data[position]
        position += 1
        if marker == 0x01 or 0xD0 <= marker <= 0xD8:  # standalone markers
            continue
        if marker == 0xD9:
            raise FileProblem("corrupt_image", "image ends before its scan data")
        length = int.from_bytes(data[position : position + 2], "big")
        segment = data[position + 2 : position + length]
        if length < 2 or len(segment) != length - 2:
            raise FileProblem("corrupt_image", "truncated marker segment")
        if marker == 0xE1 and segment[:6] == b"Exif\x00\x00" and orientation == 1:
            orientation = _exif_orientation(segment[6:])
        elif marker in _SOF_MARKERS or marker in _OTHER_SOF:
            if len(segment) < 6:
                raise FileProblem("corrupt_image", "truncated frame header")
            sof, precision = marker, segment[0]
            height = int.from_bytes(segment[1:3], "big")
            width = int.from_bytes(segment[3:5], "big")
            components = segment[5]
        elif marker == 0xDA:  # start of scan: entropy-coded data follows
            position += length
            break
        position += length
    if not sof:
        raise FileProblem("corrupt_image", "no frame header")
    if width and height and width * height > settings.UPLOAD_MAX_PIXELS:
        raise FileProblem("too_many_pixels", f"{width}x{height}")
    # Inside the scan data 0xFF is always followed by 0x00 or a restart marker, so the first FFD9 after
    # the first scan header is the end of the image (or of a later progressive scan's data).
    end = data.find(b"\xff\xd9", position)
    if end < 0:
        raise FileProblem("corrupt_image", "the image data is incomplete (no end-of-image marker)")
    wrappable = (
        sof in _SOF_MARKERS and precision == 8 and components in (1, 3) and width > 0 and height > 0
    ) and orientation in _ROTATE
    return JpegInfo(width, height, components, orientation, end + 2, wrappable)


def _pdf_number(value: float) -> bytes:
    return (b"%.4f" % value).rstrip(b"0").rstrip(b".")


def jpeg_page(data: bytes, info: JpegInfo) -> bytes:
    """One PDF page showing the JPEG unchanged (DCTDecode), fitted into A4 like ``img2pdf`` would."""
    page_width, page_height, image_width, image_height = LAYOUT(info.width, info.height, (96.0, 96.0))
    x, y = (page_width - image_width) / 2, (page_height - image_height) / 2
    jpeg_bytes = memoryview(data)[: info.end]
    content = b"q\n%s 0 0 %s %s %s cm\n/Im0 Do\nQ" % (
        _pdf_number(image_width),
        _pdf_number(image_height),
        _pdf_number(x),
        _pdf_number(y),
    )
    colour = b"/DeviceRGB" if info.components == 3 else b"/DeviceGray"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [ 3 0 R ] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [ 0 0 %s %s ] /Rotate %d /Resources << /XObject << /Im0 4 0 R >> >> /Contents 5 0 R >>"
        % (_pdf_number(page_width), _pdf_number(page_height), _ROTATE[info.orientation]),
        None,  # the image
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number)
        if body is None:
            out.write(
                b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace %s /BitsPerComponent 8 "
                b"/Filter /DCTDecode /Length %d >>\nstream\n"
                % (info.width, info.height, colour, len(jpeg_bytes))
            )
            out.write(jpeg_bytes)
            out.write(b"\nendstream")
        else:
            out.write(body)
        out.write(b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


@converter("image/jpeg")
def jpeg(stream: BinaryIO) -> Converted:
    stream.seek(0)
    data = stream.read()
    info = jpeg_info(data)
    if info.wrappable:
        return Converted(pdf=jpeg_page(data, info), pages=1, mime="image/jpeg")
    # CMYK, 12-bit, arithmetic/lossless coding or a mirrored orientation: decode once and convert.
    return limits.run_limited(_decoded_jpeg, data)


def _decoded_jpeg(data: bytes) -> Converted:
    image = _open_image_checked(io.BytesIO(data))
    return Converted(pdf=_image_to_pdf([image], photo=True), pages=1, mime="image/jpeg")


@converter("image/png", "image/gif", "image/bmp")
def lossless_image(stream: BinaryIO) -> Converted:
    image = _open_image_checked(stream)
    return Converted(pdf=_image_to_pdf([image], photo=False), pages=1, mime=image.get_format_mimetype() or "")


@converter("image/heif", "image/webp")
def photo_image(stream: BinaryIO) -> Converted:
    image = _open_image_checked(stream)
    mime = "image/heif" if (image.format or "").upper() in ("HEIF", "HEIC", "AVIF") else "image/webp"
    return Converted(pdf=_image_to_pdf([image], photo=True), pages=1, mime=mime)


@converter("image/tiff")
def tiff(stream: BinaryIO) -> Converted:
    image = _open_image_checked(stream)
    frames = []
    count = getattr(image, "n_frames", 1)
    if count > settings.UPLOAD_MAX_PAGES:
        raise FileProblem("too_many_pages", str(count))
    try:
        for index in range(count):
            image.seek(index)
            width, height = image.size
            if width * height > settings.UPLOAD_MAX_PIXELS:
                raise FileProblem("too_many_pixels", f"{width}x{height}")
            frames.append(image.copy())
    except FileProblem:
        raise
    except Exception as exc:
        raise FileProblem("corrupt_image", str(exc)) from exc
    return Converted(pdf=_image_to_pdf(frames, photo=False), pages=len(frames), mime="image/tiff")


# --- PDF --------------------------------------------------------------------------------------------

DANGEROUS_ACTIONS = {"/JavaScript", "/Launch", "/SubmitForm", "/ImportData", "/GoToE", "/RichMediaExecute"}


def _remove_key(obj: Any, key: str) -> bool:
    if key in obj:
        del obj[key]
        return True
    return False


def _dangerous_action(action: object) -> bool:
    if not isinstance(action, pikepdf.Dictionary):
        return False
    return str(action.get("/S", "")) in DANGEROUS_ACTIONS


def strip_active_content(pdf: pikepdf.Pdf) -> bool:
    """Remove JavaScript, automatic/launch actions and embedded files. True when something was removed."""
    removed = False
    root = pdf.Root
    removed |= _remove_key(root, "/OpenAction")
    removed |= _remove_key(root, "/AA")
    if "/Names" in root:
        names = root.Names
        removed |= _remove_key(names, "/JavaScript")
        removed |= _remove_key(names, "/EmbeddedFiles")
    if "/AcroForm" in root:
        removed |= _remove_key(root.AcroForm, "/XFA")
    for page in pdf.pages:
        removed |= _remove_key(page.obj, "/AA")
        if "/Annots" not in page.obj:
            continue
        keep = pikepdf.Array()
        for annot in page.obj.Annots:
            if not isinstance(annot, pikepdf.Dictionary):
                continue
            if str(annot.get("/Subtype", "")) in (
                "/FileAttachment",
                "/RichMedia",
                "/Movie",
                "/Sound",
                "/Screen",
            ):
                removed = True
                continue
            if _dangerous_action(annot.get("/A")):
                del annot["/A"]
                removed = True
            if "/AA" in annot:
                del annot["/AA"]
                removed = True
            keep.append(annot)
        page.obj.Annots = keep
    return removed


@converter("application/pdf")
def pdf(stream: BinaryIO) -> Converted:
    stream.seek(0)
    try:
        document = pikepdf.open(stream)
    except pikepdf.PasswordError as exc:
        raise FileProblem("encrypted_pdf") from exc
    except Exception as exc:  # qpdf could not repair it
        raise FileProblem("broken_pdf", str(exc)) from exc
    with document:
        try:
            pages = len(document.pages)
        except Exception as exc:
            raise FileProblem("broken_pdf", str(exc)) from exc
        if pages == 0:
            raise FileProblem("broken_pdf", "no pages")
        if pages > settings.UPLOAD_MAX_PAGES:
            raise FileProblem("too_many_pages", str(pages))
        notices = ["active_content_removed"] if strip_active_content(document) else []
        out = io.BytesIO()
        try:
            document.save(out, encryption=False)
        except Exception as exc:
            raise FileProblem("broken_pdf", str(exc)) from exc
    return Converted(pdf=out.getvalue(), pages=pages, mime="application/pdf", notices=notices)


def page_count(data: PdfSource) -> int:
    """The number of pages of a PDF given as bytes or as a local path."""
    with _open_pdf(data) as document:
        return len(document.pages)


def _photo_page_image(
    pdf_bytes: PdfSource,
) -> tuple[bytes, float, float, tuple[float, float, float, float], int] | None:
    """The first page's JPEG when the page is one photo as ``jpeg_page``/img2pdf lay it out:
    (jpeg bytes, page width, page height, image box x/y/w/h in points, /Rotate). None otherwise."""
    import re

    with _open_pdf(pdf_bytes) as document:
        page = document.pages[0]
        resources = page.obj.get("/Resources")
        xobjects = resources.get("/XObject") if isinstance(resources, pikepdf.Dictionary) else None
        images = [x for _n, x in xobjects.items()] if isinstance(xobjects, pikepdf.Dictionary) else []
        if len(images) != 1 or images[0].get("/Filter") != pikepdf.Name.DCTDecode:
            return None
        content = page.Contents.read_bytes() if "/Contents" in page.obj else b""
        match = re.fullmatch(
            rb"\s*q\s+([\d.]+)\s+0\s+0\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+cm\s+/\w+\s+Do\s+Q\s*", content
        )
        if not match:
            return None
        box = tuple(float(v) for v in match.groups())
        media = [float(v) for v in page.mediabox]
        return (
            images[0].read_raw_bytes(),
            media[2] - media[0],
            media[3] - media[1],
            (box[2], box[3], box[0], box[1]),
            int(page.obj.get("/Rotate", 0)) % 360,
        )


def _thumbnail_from_photo(
    found: tuple[bytes, float, float, tuple[float, float, float, float], int], width: int
) -> Image.Image:
    """A reduced decode: the JPEG decoder scales by 1/2…1/8 while decoding (no full-size pixels)."""
    jpeg_bytes, page_width, page_height, (x, y, box_width, box_height), rotate = found
    scale = width / (page_height if rotate in (90, 270) else page_width)
    canvas = Image.new(
        "RGB", (max(1, round(page_width * scale)), max(1, round(page_height * scale))), "white"
    )
    source = Image.open(io.BytesIO(jpeg_bytes))
    target = (max(1, round(box_width * scale)), max(1, round(box_height * scale)))
    source.draft("RGB", target)
    image = source.convert("RGB").resize(target, Image.Resampling.LANCZOS)
    top = canvas.height - round((y + box_height) * scale)
    canvas.paste(image, (round(x * scale), top))
    if rotate:
        canvas = canvas.rotate(-rotate, expand=True)  # /Rotate turns the page clockwise
    return canvas


def thumbnail_png(pdf_bytes: PdfSource, width: int = 240) -> bytes:
    """A small PNG of the first page (a PDF as bytes or a local path; honours the page's /Rotate). A photo page is made from a reduced
    JPEG decode; other pages are rendered by pdfium at the thumbnail's scale."""
    try:
        found = _photo_page_image(pdf_bytes)
    except Exception:  # unusual structure: let pdfium render it
        found = None
    if found is not None:
        try:
            buffer = io.BytesIO()
            _thumbnail_from_photo(found, width).save(buffer, format="PNG")
            return buffer.getvalue()
        except Exception as exc:
            logger.info("thumbnail: reduced decode failed (%s); rendering the page", exc)
    import pypdfium2  # noqa: F401 - loaded here, so the limited child does not need to map it

    try:  # a page that needs more memory or time than allowed gets a blank thumbnail, the worker lives on
        return limits.run_limited(_rendered_thumbnail, pdf_bytes, width)
    except limits.LimitExceeded as exc:
        logger.info("thumbnail: rendering exceeded its limits (%s); blank thumbnail", exc.reason)
        buffer = io.BytesIO()
        Image.new("L", (width, round(width * 297 / 210)), 255).save(buffer, format="PNG")
        return buffer.getvalue()


def _rendered_thumbnail(pdf_bytes: PdfSource, width: int) -> bytes:
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf_bytes if isinstance(pdf_bytes, bytes) else os.fspath(pdf_bytes))
    try:
        page = document[0]
        page_width = page.get_width() or 1
        if page.get_rotation() in (90, 270):
            page_width = page.get_height() or 1
        bitmap = page.render(scale=width / page_width)
        image = bitmap.to_pil()
        buffer = io.BytesIO()
        image.convert("RGB").save(buffer, format="PNG")
        return buffer.getvalue()
    finally:
        document.close()
