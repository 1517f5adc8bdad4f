"""Demo data for the scan station (and, through it, document requests): one scanned batch whose two
segments wait for manual assignment (separator sheets without household). No document is created, so
the demo case files stay as the other areas seed them."""

from __future__ import annotations

import functools
import io

import pikepdf
from weasyprint import HTML

from jcportal.accounts.models import User
from jcportal.docrequests import demo as docrequests_demo
from jcportal.households.models import Household

from . import services
from .models import ScanBatch

DEMO_FILE = "demo-posteingang.pdf"
# Three pages of sample paper mail (a letter without separator sheet, then a two-page rental contract).
LETTERS = """<html><body style="font-family: sans-serif">
<section style="page-break-after: always"><h1>Schreiben</h1><p>Sehr geehrte Damen und Herren,
anbei meine neue Anschrift ab dem 1. des Monats. Mit freundlichen Grüßen</p></section>
<section style="page-break-after: always"><h1>Mietvertrag</h1><p>Zwischen Vermieterin und Mieterin wird
folgender Mietvertrag über die Wohnung im 2. OG geschlossen. Seite 1 von 2.</p></section>
<section><h1>Mietvertrag</h1><p>Miete: 450 Euro kalt, Nebenkosten 120 Euro. Seite 2 von 2.</p></section>
</body></html>"""


@functools.lru_cache(maxsize=1)
def demo_pdf() -> bytes:
    sheets_pdf = services.separator_sheets_pdf([("", "post"), ("", "mietvertrag")], "de")
    letters_pdf = HTML(string=LETTERS).write_pdf()
    with (
        pikepdf.open(io.BytesIO(sheets_pdf)) as sheets,
        pikepdf.open(io.BytesIO(letters_pdf)) as letters,
        pikepdf.new() as out,
    ):
        out.pages.append(sheets.pages[0])
        out.pages.append(letters.pages[0])
        out.pages.append(sheets.pages[1])
        out.pages.append(letters.pages[1])
        out.pages.append(letters.pages[2])
        buffer = io.BytesIO()
        out.save(buffer)
    return buffer.getvalue()


def seed() -> None:
    docrequests_demo.seed()
    household = Household.objects.filter(bg_number="12345BG0000001").first()
    if household is None or ScanBatch.objects.filter(original_name=DEMO_FILE).exists():
        return
    scanner = User.objects.filter(username="demo-scan").first()
    batch = services.create_batch(
        stream=io.BytesIO(demo_pdf()),
        name=DEMO_FILE,
        created_by=scanner,
        default_household=household,
        default_doc_type="post",
    )
    services.process_batch(batch, actor=scanner)
