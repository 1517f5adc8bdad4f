"""Properties of the parsers of untrusted bytes (Hypothesis; a longer coverage-guided run is ``make fuzz``).

Whatever a citizen's device sends, normalisation either returns a PDF that opens cleanly or refuses the
file with one of our problem codes (a translated message for the citizen) – it never raises anything
else, which would park the document as a technical failure. Seeds are our sample files, mutated.
"""

from __future__ import annotations

import io

import pikepdf
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jcportal.documents import filenames, normalise
from jcportal.documents.problems import PROBLEMS

from . import samples

FUZZ = settings(max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
SEEDS = [
    samples.jpeg(size=(32, 24)),
    samples.jpeg("blue", orientation=6, size=(32, 24)),
    samples.png(size=(32, 24)),
    samples.pdf(),
    samples.javascript_pdf(),
    samples.tiff(frames=2),
    samples.webp(),
]


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(0, 8))):
        kind = draw(st.sampled_from(["flip", "cut", "insert", "zero"]))
        position = draw(st.integers(0, max(0, len(data) - 1)))
        if kind == "flip" and data:
            data[position] ^= draw(st.integers(1, 255))
        elif kind == "cut":
            del data[position : position + draw(st.integers(1, 64))]
        elif kind == "insert":
            data[position:position] = draw(st.binary(min_size=1, max_size=32))
        elif data:
            data[position : position + 4] = b"\x00\x00\x00\x00"
    return bytes(data)


def _converts_or_refuses(data: bytes) -> None:
    try:
        result = normalise.convert(io.BytesIO(data))
    except normalise.FileProblem as problem:
        assert problem.code in PROBLEMS, problem.code
        return
    assert result.pages >= 1
    with pikepdf.open(io.BytesIO(result.pdf)) as document:
        assert len(document.pages) == result.pages


@FUZZ
@given(mutated())
def test_mutated_files_convert_or_are_refused_with_a_known_problem(data):
    _converts_or_refuses(data)


@FUZZ
@given(st.binary(max_size=2048))
def test_arbitrary_bytes_convert_or_are_refused_with_a_known_problem(data):
    _converts_or_refuses(data)


@FUZZ
@given(st.binary(max_size=512))
def test_jpeg_marker_reader_never_crashes(tail):
    try:
        info = normalise.jpeg_info(b"\xff\xd8" + tail)
    except normalise.FileProblem as problem:
        assert problem.code in PROBLEMS
    else:
        assert info.end <= len(tail) + 2


@settings(max_examples=200, deadline=None, database=None)
@given(st.text(max_size=400))
def test_file_names_are_safe_to_show_and_stable(name):
    shown = filenames.display_name(name)
    assert shown and len(shown) <= filenames.MAX_LENGTH
    assert "/" not in shown and "\\" not in shown
    assert not any(0x202A <= ord(c) <= 0x202E or 0x2066 <= ord(c) <= 0x2069 or ord(c) < 32 for c in shown)
    assert not shown.startswith(".")
    assert filenames.display_name(shown) == shown


@pytest.mark.parametrize(
    ("sent", "shown"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\Aylin\\Fotos\\kontoauszug.jpg", "kontoauszug.jpg"),
        ("rechnung\u202egpj.exe", "rechnunggpj.exe"),  # would display as "rechnungexe.jpg"
        ("\u200b.bashrc", "bashrc"),
        ("", "file"),
        ("Lohnabrechnung Oktober.pdf", "Lohnabrechnung Oktober.pdf"),
        ("كشف حساب.pdf", "كشف حساب.pdf"),
    ],
)
def test_file_name_examples(sent, shown):
    assert filenames.display_name(sent) == shown


def test_a_ten_thousand_character_name_keeps_its_extension():
    shown = filenames.display_name("x" * 10_000 + ".pdf")
    assert shown.endswith(".pdf") and len(shown) == filenames.MAX_LENGTH


@pytest.mark.django_db
def test_upload_stores_the_safe_name(upload):
    document = upload(("../../\u202eevil\u202c.jpg", samples.jpeg()))
    assert document.originals.get().original_name == "evil.jpg"


@pytest.mark.parametrize(("position", "value"), [(9375, 183), (9495, 238)])
def test_regression_tiff_with_a_broken_tag_is_refused(position, value):
    """Found by the mutation test: Pillow raised TypeError ("Missing dimensions") and SyntaxError
    ("unknown pixel mode") on these one-byte changes of a two-page TIFF."""
    data = bytearray(samples.tiff(frames=2))
    data[position] ^= value
    with pytest.raises(normalise.FileProblem) as problem:
        normalise.convert(io.BytesIO(bytes(data)))
    assert problem.value.code == "corrupt_image"
