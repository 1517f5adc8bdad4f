"""Turn one received file into PDF pages: detect the type from the content, check it, convert it.

Converters form a small registry by detected MIME type (like paperless-ngx parsers): a new format is a
new function decorated with ``@converter("mime/type")``, not an edit of the pipeline.

- JPEG is wrapped into a PDF page with img2pdf WITHOUT re-encoding; its EXIF orientation becomes the
  page's /Rotate, so the JPEG bytes inside the PDF are identical to what the citizen sent.
- Other images (PNG, HEIC/HEIF, WebP, TIFF) are decoded once, turned upright and embedded.
- PDFs are opened with pikepdf (qpdf repairs what it can); encrypted ones are refused; JavaScript,
  automatic actions, launch actions and embedded files are removed.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, BinaryIO

import filetype
import img2pdf
import pikepdf
from django.conf import settings
from PIL import Image, ImageOps

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


def convert(stream: BinaryIO) -> Converted:
    """Check and convert one file into PDF bytes. Raises ``FileProblem``."""
    check_size(stream)
    mime = detect(stream)
    func = CONVERTERS.get(mime)
    if func is None:
        raise FileProblem("unsupported_type", mime or "unknown")
    result = func(stream)
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
    try:
        image.load()
    except Exception as exc:  # truncated or corrupt data
        raise FileProblem("corrupt_image", str(exc)) from exc
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


@converter("image/jpeg")
def jpeg(stream: BinaryIO) -> Converted:
    image = _open_image_checked(stream)
    orientation = image.getexif().get(0x0112, 1)
    stream.seek(0)
    data = stream.read()
    if orientation in (1, 3, 6, 8) and image.mode in ("RGB", "L", "CMYK"):
        try:
            pdf = img2pdf.convert(data, layout_fun=LAYOUT, rotation=img2pdf.Rotation.ifvalid)
            return Converted(pdf=pdf, pages=1, mime="image/jpeg")
        except Exception as exc:  # img2pdf refuses some exotic JPEGs: convert them once instead
            logger.info("JPEG not embeddable unchanged (%s); converting it", exc)
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


def page_count(data: bytes) -> int:
    with pikepdf.open(io.BytesIO(data)) as document:
        return len(document.pages)


def thumbnail_png(pdf_bytes: bytes, width: int = 240) -> bytes:
    """A small PNG of the first page (honours the page's /Rotate)."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf_bytes)
    try:
        page = document[0]
        page_width = page.get_width() or 1
        if page.get_rotation() in (90, 270):
            page_width = page.get_height() or 1
        bitmap = page.render(scale=width / page_width)
        image = bitmap.to_pil()
        buffer = io.BytesIO()
        image.convert("RGB").save(buffer, format="PNG", optimize=True)
        return buffer.getvalue()
    finally:
        document.close()
