"""Tiny sample files generated in memory (64×48 px), so the suite stays fast."""

from __future__ import annotations

import io
import struct
import zlib

import pikepdf
from PIL import Image

from jcportal.core.localclamd import EICAR


def jpeg(color: str = "red", orientation: int | None = None, size: tuple[int, int] = (64, 48)) -> bytes:
    """A JPEG whose top half is ``color`` and bottom half white (so orientation is testable)."""
    image = Image.new("RGB", size, "white")
    image.paste(Image.new("RGB", (size[0], size[1] // 2), color), (0, 0))
    exif = Image.Exif()
    if orientation:
        exif[0x0112] = orientation
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85, exif=exif.tobytes())
    return buffer.getvalue()


def upright_image(color: str, size: tuple[int, int] = (48, 64)) -> Image.Image:
    """A portrait image whose top quarter is ``color`` and the rest white."""
    image = Image.new("RGB", size, "white")
    image.paste(Image.new("RGB", (size[0], size[1] // 4), color), (0, 0))
    return image


def rotated_jpeg(color: str = "red") -> bytes:
    """A phone photo held upright: pixels stored sideways, EXIF orientation 6 says "turn 90° clockwise"."""
    stored = upright_image(color).rotate(90, expand=True)  # counter-clockwise, as the sensor stores it
    exif = Image.Exif()
    exif[0x0112] = 6
    buffer = io.BytesIO()
    stored.save(buffer, "JPEG", quality=90, exif=exif.tobytes())
    return buffer.getvalue()


def upright_jpeg(color: str = "green") -> bytes:
    buffer = io.BytesIO()
    upright_image(color).save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def upright_heic(color: str = "blue") -> bytes:
    import pillow_heif

    pillow_heif.register_heif_opener()
    buffer = io.BytesIO()
    upright_image(color).save(buffer, "HEIF", quality=90)
    return buffer.getvalue()


def png(size: tuple[int, int] = (64, 48), color: str = "green", mode: str = "RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, color).save(buffer, "PNG")
    return buffer.getvalue()


def heic(color: str = "blue") -> bytes:
    import pillow_heif

    pillow_heif.register_heif_opener()
    image = Image.new("RGB", (64, 48), "white")
    image.paste(Image.new("RGB", (64, 24), color), (0, 0))
    buffer = io.BytesIO()
    image.save(buffer, "HEIF", quality=80)
    return buffer.getvalue()


def webp() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "purple").save(buffer, "WEBP")
    return buffer.getvalue()


def tiff(frames: int = 2) -> bytes:
    buffer = io.BytesIO()
    images = [Image.new("RGB", (64, 48), c) for c in ("red", "blue", "green", "black")[:frames]]
    images[0].save(buffer, "TIFF", save_all=True, append_images=images[1:])
    return buffer.getvalue()


def png_bomb(width: int = 40000, height: int = 40000) -> bytes:
    """A small PNG that claims to be 40000×40000 (1.6 gigapixels): only the header is real."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    row = b"\x00" + b"\x00" * (width * 3)
    compressor = zlib.compressobj(9)
    data = compressor.compress(row * 8) + compressor.flush()
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")


def pdf(pages: int = 1) -> bytes:
    document = pikepdf.new()
    for _ in range(pages):
        document.add_blank_page(page_size=(595, 842))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def encrypted_pdf() -> bytes:
    document = pikepdf.new()
    document.add_blank_page()
    buffer = io.BytesIO()
    document.save(buffer, encryption=pikepdf.Encryption(user="secret", owner="secret"))
    return buffer.getvalue()


def javascript_pdf() -> bytes:
    document = pikepdf.new()
    document.add_blank_page()
    action = document.make_indirect(
        pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert('hello');"))
    )
    document.Root.OpenAction = action
    document.Root.Names = pikepdf.Dictionary(
        JavaScript=pikepdf.Dictionary(Names=pikepdf.Array([pikepdf.String("x"), action]))
    )
    document.pages[0].obj.AA = pikepdf.Dictionary(O=action)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def broken_pdf() -> bytes:
    return b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R" + b"\x00garbage" * 20


def truncated_jpeg() -> bytes:
    data = jpeg(size=(64, 48))
    return data[: len(data) // 2]


def text_as_jpeg() -> bytes:
    return b"This is a letter written in a text editor, not a photo.\n" * 5


def eicar() -> bytes:
    return EICAR
