"""Phone JPEGs become PDF pages without decoding: the checks that replace the decode, and what is left to it."""

from __future__ import annotations

import io

import img2pdf
import pikepdf
import pypdfium2
import pytest
from PIL import Image

from jcportal.documents import normalise

from . import samples


def _render(pdf: bytes) -> bytes:
    document = pypdfium2.PdfDocument(pdf)
    try:
        return bytes(document[0].render(scale=0.2).to_pil().convert("RGB").tobytes())
    finally:
        document.close()


@pytest.mark.parametrize("orientation", [None, 3, 6, 8])
def test_wrapped_page_looks_exactly_like_img2pdfs(orientation):
    photo = samples.jpeg("red", orientation=orientation, size=(640, 480))
    ours = normalise.convert(io.BytesIO(photo))
    reference = img2pdf.convert(photo, layout_fun=normalise.LAYOUT, rotation=img2pdf.Rotation.ifvalid)
    assert _render(ours.pdf) == _render(reference)
    with pikepdf.open(io.BytesIO(ours.pdf)) as document:
        assert document.get_warnings() == []  # a clean cross-reference table, nothing to repair
        (image,) = document.pages[0].get_images().values()
        assert image.read_raw_bytes() == photo


def test_data_after_the_end_of_image_is_cut():
    """Motion photos append a video after the JPEG: it does not travel inside the PDF."""
    photo = samples.jpeg("blue", size=(320, 240))
    video = b"\x00\x00\x00\x18ftypmp42" + b"v" * 2500 + b"\xff\xd9" + b"v" * 2500  # may contain FFD9 too
    ours = normalise.convert(io.BytesIO(photo + video))
    with pikepdf.open(io.BytesIO(ours.pdf)) as document:
        (image,) = document.pages[0].get_images().values()
        assert image.read_raw_bytes() == photo


def test_truncated_upload_is_refused():
    with pytest.raises(normalise.FileProblem) as problem:
        normalise.convert(io.BytesIO(samples.truncated_jpeg()))
    assert problem.value.code == "corrupt_image"


def test_pixel_limit_is_checked_from_the_frame_header(settings):
    settings.UPLOAD_MAX_PIXELS = 1000
    with pytest.raises(normalise.FileProblem) as problem:
        normalise.convert(io.BytesIO(samples.jpeg(size=(64, 48))))
    assert problem.value.code == "too_many_pixels"


def test_header_lying_about_its_size_is_refused_without_decoding(settings):
    photo = bytearray(samples.jpeg(size=(64, 48)))
    sof = photo.index(b"\xff\xc0")
    photo[sof + 5 : sof + 9] = (40000).to_bytes(2, "big") + (40000).to_bytes(2, "big")
    with pytest.raises(normalise.FileProblem) as problem:
        normalise.convert(io.BytesIO(bytes(photo)))
    assert problem.value.code == "too_many_pixels"


def test_mirrored_orientation_is_decoded_and_turned_upright():
    photo = samples.jpeg("red", orientation=2, size=(64, 48))
    info = normalise.jpeg_info(photo)
    assert info.orientation == 2 and not info.wrappable
    ours = normalise.convert(io.BytesIO(photo))
    with pikepdf.open(io.BytesIO(ours.pdf)) as document:
        (image,) = document.pages[0].get_images().values()
        assert image.read_raw_bytes() != photo  # re-encoded once, upright
        assert int(document.pages[0].obj.get("/Rotate", 0)) == 0


def test_cmyk_jpeg_takes_the_decoding_path():
    buffer = io.BytesIO()
    Image.new("CMYK", (40, 30), (0, 255, 255, 0)).save(buffer, "JPEG")
    info = normalise.jpeg_info(buffer.getvalue())
    assert info.components == 4 and not info.wrappable
    assert normalise.convert(io.BytesIO(buffer.getvalue())).pages == 1


def test_grayscale_and_progressive_jpegs_are_wrapped():
    for mode, options in (("L", {}), ("RGB", {"progressive": True})):
        buffer = io.BytesIO()
        Image.new(mode, (40, 30), 128).save(buffer, "JPEG", **options)
        assert normalise.jpeg_info(buffer.getvalue()).wrappable
        pdf = normalise.convert(io.BytesIO(buffer.getvalue())).pdf
        assert len(_render(pdf)) > 0


@pytest.mark.parametrize("orientation", [None, 6])
def test_thumbnail_of_a_photo_page_comes_from_a_reduced_decode_and_shows_the_page(orientation):
    photo = samples.jpeg("red", orientation=orientation, size=(640, 480))
    pdf = normalise.convert(io.BytesIO(photo)).pdf
    assert normalise._photo_page_image(pdf) is not None  # the reduced-decode path is taken
    thumbnail = Image.open(io.BytesIO(normalise.thumbnail_png(pdf))).convert("RGB")
    assert thumbnail.width == 240
    width, height = thumbnail.size
    if orientation == 6:  # turned clockwise: the red half (the photo's top) is now on the right
        assert height > width
        assert thumbnail.getpixel((width * 3 // 4, height // 2))[1] < 80
        assert thumbnail.getpixel((width // 4, height // 2)) > (200, 200, 200)
    else:
        assert width > height
        assert thumbnail.getpixel((width // 2, height // 4))[1] < 80
        assert thumbnail.getpixel((width // 2, height * 3 // 4)) > (200, 200, 200)
