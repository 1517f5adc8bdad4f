#!/usr/bin/env python
"""Coverage-guided fuzzing (atheris, libFuzzer's engine) of every parser of untrusted bytes. ``make fuzz``.

    .venv/bin/python scripts/fuzz.py                 # every target, FUZZ_SECONDS each (default 60)
    .venv/bin/python scripts/fuzz.py convert 600     # one target for ten minutes

Targets: ``convert`` (type detection + every converter: JPEG markers, PNG/TIFF/WebP/HEIC decoding,
PDF repair and cleaning), ``jpeg`` (the JPEG marker reader), ``pdfa`` (the PDF/A checker and fix-up on
PDFs that opened), ``separator`` (separator-sheet payloads), ``filename`` (file names), ``form`` (form
input of every online service through the JSON Schema engine). The seed corpus is made from our test
samples (``documents/tests/samples.py``). The property that must hold is the same as in the Hypothesis
tests of ``make test``: a file is converted or refused with one of our problem codes; nothing else is
raised, nothing hangs (libFuzzer's ``-timeout``) and memory stays bounded (``-rss_limit_mb``). A crash
writes its input to ``var/fuzz/<target>/crash-*``: make it a regression test beside the parser.
Each target runs in its own process (atheris instruments at import).
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGETS = ["convert", "jpeg", "pdfa", "separator", "filename", "form"]


def _django() -> None:
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jcportal.settings")
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    import django

    django.setup()
    import logging
    import warnings

    logging.disable(logging.CRITICAL)
    warnings.simplefilter("ignore")


def _seeds(folder: Path) -> None:
    from jcportal.documents.tests import samples

    folder.mkdir(parents=True, exist_ok=True)
    seeds = {
        "jpeg": samples.jpeg(size=(32, 24)),
        "jpeg-rotated": samples.jpeg("blue", orientation=6, size=(32, 24)),
        "png": samples.png(size=(32, 24)),
        "pdf": samples.pdf(2),
        "pdf-js": samples.javascript_pdf(),
        "tiff": samples.tiff(2),
        "webp": samples.webp(),
        "heic": samples.heic(),
        "separator": b"JCSEP1|12345BG0000001|kontoauszug",
        "filename": "../Kontoauszug \u202egpj.pdf".encode(),
    }
    for name, data in seeds.items():
        (folder / name).write_bytes(data)


def _target(name: str):  # type: ignore[no-untyped-def]
    import io

    from jcportal.documents import filenames, normalise, pdfa

    if name == "convert":
        from jcportal.documents.tests.test_properties import _converts_or_refuses as run  # the same property

    elif name == "jpeg":

        def run(data: bytes) -> None:
            with contextlib.suppress(normalise.FileProblem):
                normalise.jpeg_info(b"\xff\xd8" + data)

    elif name == "pdfa":
        import pikepdf

        def run(data: bytes) -> None:
            try:
                with pikepdf.open(io.BytesIO(data)):
                    pass
            except Exception:
                return
            pdfa.problems(data)
            try:
                converted = normalise.convert(io.BytesIO(data))
            except normalise.FileProblem:
                return
            assert pdfa.problems(pdfa.conform(converted.pdf)) == []

    elif name == "separator":
        from jcportal.scanning import separator

        def run(data: bytes) -> None:
            found = separator.decode(data.decode("utf-8", "replace"))
            assert found is None or isinstance(found.bg_number, str)

    elif name == "filename":

        def run(data: bytes) -> None:
            shown = filenames.display_name(data.decode("utf-8", "replace"))
            assert shown and "/" not in shown and filenames.display_name(shown) == shown

    elif name == "form":
        import json

        import jsonschema

        from jcportal.eforms import engine, registry

        steps = [
            (s, engine._step_schema(s)) for slug in registry.slugs() for s in registry.current(slug).steps
        ]

        def run(data: bytes) -> None:
            if not steps:
                return
            step, schema = steps[data[0] % len(steps)] if data else steps[0]
            text = data[1:].decode("utf-8", "replace")
            keys = [engine.field_key(step, spec, None) for spec in step.input_fields]
            post = {key: text[i :: len(keys) or 1][:200] for i, key in enumerate(keys)}
            form = engine.build_form(step, {}, post=post)
            if form.is_valid() and step.repeat is None:
                values = engine.step_values(step, form)
                jsonschema.validate(json.loads(json.dumps(values, default=str)), schema)

    else:
        raise SystemExit(f"unknown target {name!r}; known: {', '.join(TARGETS)}")
    return run


def fuzz_one(name: str, seconds: int) -> int:
    import atheris

    with atheris.instrument_imports():
        _django()
        run = _target(name)
    corpus = ROOT / "var" / "fuzz" / name
    _seeds(corpus)

    def one_input(data: bytes) -> None:
        run(data)

    atheris.Setup(
        [
            sys.argv[0],
            str(corpus),
            f"-max_total_time={seconds}",
            "-timeout=20",
            "-rss_limit_mb=2048",
            "-max_len=65536",
            f"-artifact_prefix={corpus}/crash-",
            "-print_final_stats=1",
        ],
        one_input,
    )
    atheris.Fuzz()
    return 0


def main() -> int:
    if len(sys.argv) >= 2 and sys.argv[1] == "--one":
        return fuzz_one(sys.argv[2], int(sys.argv[3]))
    names = [sys.argv[1]] if len(sys.argv) >= 2 else TARGETS
    seconds = int(sys.argv[2]) if len(sys.argv) >= 3 else int(os.environ.get("FUZZ_SECONDS", "60"))
    failed = []
    for name in names:
        print(f"== fuzzing {name} for {seconds} s", flush=True)
        code = subprocess.run([sys.executable, __file__, "--one", name, str(seconds)], check=False).returncode
        if code:
            failed.append(name)
    if failed:
        print(f"crashes or hangs in: {', '.join(failed)} (inputs in var/fuzz/<target>/crash-*)")
        return 1
    print("no crash found")
    return 0


if __name__ == "__main__":
    sys.exit(main())
