"""A fast seeder for the load benchmarks: households, persons, citizen accounts, documents, inbox items,
full-text index rows and hash-chained audit entries, written with PostgreSQL ``COPY`` (psycopg's
``cursor.copy()``) in one transaction per table.

Runs on a migrated PostgreSQL database inside a set-up Django (``bench/web_load.py`` uses it; on its
own: ``DATABASE_URL=postgres://… PYTHONPATH=src .venv/bin/python bench/seed_bulk.py 100000 1000000``).

- Columns are read from the models; what a row does not set gets its field's default, so fields added
  later are filled as Django would fill them.
- Encrypted columns (``core.fields``): a value is sealed once with the system key
  (``core.crypto.encrypt_text``, the column as associated data) and the same ciphertext is written to
  every row; it decrypts like any other stored value. Empty values stay empty.
- Documents have no files, except the few the load opens as PDF (``with_pdf``): those get a small real
  PDF through Django's (encrypting) storage.
- Audit entries continue the chain of the database (``audit.services.compute_hash`` over the same
  canonical content), so ``manage.py verify_audit_chain`` still passes.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import sys
import time
from collections.abc import Iterable, Iterator
from typing import Any

CITIZEN_PASSWORD = "Bench-Kunde-2026"  # noqa: S105 - the seeded citizens' password (benchmark only)
STAFF_PASSWORD = "Bench-Sachbearbeitung-2026"  # noqa: S105 - the seeded caseworkers' password
BG_PREFIX = "77777BG"
DOC_TYPES = ["kontoauszug", "mietvertrag", "lohnabrechnung", "au_bescheinigung", "sonstiges"]
FIRST_NAMES = ["Anna", "Ben", "Clara", "Deniz", "Elif", "Finn", "Greta", "Hamza", "Ida", "Jonas"]
LAST_NAMES = ["Bauer", "Celik", "Fischer", "Hoffmann", "Kaya", "Lehmann", "Meyer", "Nowak", "Schulz", "Wolf"]
OCR_TEXT = (
    "Sparkasse Musterstadt Kontoauszug Buchungstag Wertstellung Verwendungszweck Miete Nebenkosten "
    "Stadtwerke Kindergeld Familienkasse Jobcenter Leistungen Saldo"
)


def _log(message: str) -> None:
    print(f"  seed_bulk: {message}", file=sys.stderr, flush=True)


def _defaults(model: Any, now: dt.datetime) -> dict[str, Any]:
    """Each concrete, non-generated column's value when a row does not set it (as Django would)."""
    from django.db import models

    values: dict[str, Any] = {}
    for field in model._meta.concrete_fields:
        if getattr(field, "generated", False):
            continue
        if field.primary_key and isinstance(field, models.AutoField | models.BigAutoField):
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            value: Any = now
        elif field.has_default():
            value = field.get_default()
        elif field.null:
            value = None
        else:
            value = ""
        if isinstance(field, models.JSONField) and value is not None:
            value = json.dumps(value)
        values[field.column] = value
    return values


def copy_rows(model: Any, rows: Iterable[dict[str, Any]], now: dt.datetime) -> int:
    """``COPY`` the rows (dicts of column → value) into the model's table; returns how many."""
    from django.db import connection

    defaults = _defaults(model, now)
    columns = list(defaults)
    column_sql = ", ".join(f'"{c}"' for c in columns)
    count = 0
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg cursor under Django's wrapper
        with raw.copy(f'COPY "{model._meta.db_table}" ({column_sql}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row([row[c] if c in row else defaults[c] for c in columns])
                count += 1
    return count


def sealed(model: Any, field_name: str, text: str) -> str:
    """One ciphertext of ``text`` for a column, under the system key (readable in every row)."""
    from jcportal.core import crypto

    field = model._meta.get_field(field_name)
    if not crypto.enabled():
        return text
    return crypto.encrypt_text(text, None, field.aad)


def bench_staff(count: int) -> list[Any]:
    """``count`` caseworkers of the demo caseworker's team (each with the demo TOTP secret)."""
    from django.contrib.auth.hashers import make_password

    from jcportal.accounts.models import Role, User
    from jcportal.accounts.otp import create_device_with_secret
    from jcportal.demo.services import DEMO_TOTP_SECRET

    team = User.objects.get(username="demo-sachbearbeitung").team
    password = make_password(STAFF_PASSWORD)
    staff = []
    for n in range(1, count + 1):
        user, created = User.objects.get_or_create(
            username=f"bench-sb-{n:02d}",
            defaults={
                "role": Role.CASEWORKER,
                "team": team,
                "password": password,
                "first_name": "Bench",
                "last_name": f"Sachbearbeitung {n}",
                "is_staff": False,
            },
        )
        if created:
            create_device_with_secret(user, DEMO_TOTP_SECRET)
        staff.append(user)
    return staff


def seed_households(count: int, citizens: int, staff: list[Any]) -> dict[str, Any]:
    """``count`` households (two persons each) of the staff's team, the first ``citizens`` of them with a
    citizen account (password ``CITIZEN_PASSWORD``, hashed once). Returns their ids."""
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction
    from django.utils import timezone

    from jcportal.accounts.models import Role, User
    from jcportal.households.models import Household, Person

    now = timezone.now()
    team = staff[0].team
    iban = sealed(Household, "iban", "DE02120300000000202051")
    started = time.monotonic()
    with transaction.atomic():
        copy_rows(
            Household,
            (
                {
                    "bg_number": f"{BG_PREFIX}{n:07d}",
                    "service_office_id": team.service_office_id,
                    "responsible_team_id": team.pk,
                    "responsible_caseworker_id": staff[n % len(staff)].pk,
                    "street": f"Lindenweg {n % 200 + 1}",
                    "postcode": "12345",
                    "city": "Musterstadt",
                    "iban": iban,
                }
                for n in range(count)
            ),
            now,
        )
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id, bg_number FROM households_household WHERE bg_number LIKE %s ORDER BY bg_number",
                [BG_PREFIX + "%"],
            )
            household_ids = [row[0] for row in cursor.fetchall()]

        def persons() -> Iterator[dict[str, Any]]:
            for n, household_id in enumerate(household_ids):
                last = LAST_NAMES[n % 10]
                for k, relation in enumerate(("head", "partner")):
                    yield {
                        "household_id": household_id,
                        "first_name": FIRST_NAMES[(n + k) % 10],
                        "last_name": f"{last}-{n}",
                        "date_of_birth": dt.date(1960 + n % 40, 1 + n % 12, 1 + n % 28),
                        "relation": relation,
                        "is_head": k == 0,
                    }

        copy_rows(Person, persons(), now)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT p.id FROM households_person p JOIN households_household h ON h.id = p.household_id "
                "WHERE h.bg_number LIKE %s AND p.is_head ORDER BY h.bg_number LIMIT %s",
                [BG_PREFIX + "%", citizens],
            )
            heads = [row[0] for row in cursor.fetchall()]
        password = make_password(CITIZEN_PASSWORD)
        copy_rows(
            User,
            (
                {
                    "username": f"bench-kunde-{n:05d}",
                    "password": password,
                    "role": Role.CITIZEN,
                    "person_id": person_id,
                    "is_active": True,
                    "date_joined": now,
                    "first_name": "Bench",
                    "last_name": f"Kunde {n}",
                }
                for n, person_id in enumerate(heads)
            ),
            now,
        )
    _log(
        f"{count:,} households, {2 * count:,} persons, {citizens} citizens in {time.monotonic() - started:.1f} s"
    )
    return {"household_ids": household_ids, "citizens": [f"bench-kunde-{n:05d}" for n in range(citizens)]}


def seed_documents(count: int, start: int, household_ids: list[int], staff: list[Any]) -> None:
    """Documents ``start`` … ``start + count - 1`` spread over the households (document n belongs to
    household n mod H; every 20th is a letter released by the Jobcenter, the others inbound with one inbox
    item each, every tenth of them still new or open and assigned to a caseworker), their full-text index
    rows and one audit entry per ten documents."""
    from django.db import connection, transaction
    from django.utils import timezone

    from jcportal.audit.models import AuditEvent
    from jcportal.documents.models import Document
    from jcportal.inbox.models import InboxItem

    now = timezone.now()
    ocr = sealed(Document, "ocr_text", OCR_TEXT)
    note = sealed(Document, "note", "Bitte um kurze Rückmeldung.")
    households = len(household_ids)
    team_id = staff[0].team_id
    started = time.monotonic()

    def documents() -> Iterator[dict[str, Any]]:
        for n in range(start, start + count):
            received = now - dt.timedelta(minutes=n)
            outbound = n % 20 == 19
            yield {
                "id": _uuid(n),
                "household_id": household_ids[n % households],
                "direction": "outbound" if outbound else "inbound",
                "channel": "backoffice" if outbound else ("portal", "scan", "service")[n % 3],
                "doc_type": "bescheid" if outbound else DOC_TYPES[n % 5],
                "title": f"Bescheid {n}" if outbound else f"Dokument {n}",
                "note": note if n % 7 == 0 else "",
                "status": "delivered" if outbound or n % 10 == 0 else "processed",
                "receipt_number": f"E-LOAD-{n:09d}",
                "received_at": received,
                "checked_at": received,
                "delivered_at": received,
                "processed_at": None if outbound or n % 10 == 0 else received,
                "page_count": 1 + n % 4,
                "ocr_text": ocr,
                "released_at": received if outbound else None,
                "released_by_id": staff[0].pk if outbound else None,
            }

    with transaction.atomic():
        copy_rows(Document, documents(), now)
        _log(f"{count:,} documents copied in {time.monotonic() - started:.1f} s")
        states = "CASE WHEN d.status = 'delivered' THEN (CASE WHEN d.page_count = 1 THEN 'open' ELSE 'new' END) ELSE 'done' END"
        defaults = _defaults(InboxItem, now)
        given = {
            "document_id": "d.id",
            "household_id": "d.household_id",
            "doc_type": "d.doc_type",
            "received_at": "d.received_at",
            "assignee_id": "h.responsible_caseworker_id",
            "team_id": "%(team)s",
            "state": states,
            "reason": "'Zuständige Sachbearbeitung'",
            "reason_steps": "%(steps)s::jsonb",
            "created_at": "d.received_at",
            "opened_at": "CASE WHEN d.status = 'processed' OR d.page_count = 1 THEN d.received_at END",
            "done_at": "CASE WHEN d.status = 'processed' THEN d.received_at END",
        }
        columns = list(defaults)
        params: dict[str, Any] = {
            "team": team_id,
            "steps": json.dumps([{"code": "explicit_caseworker", "params": {"person": "X", "bg": "-"}}]),
        }
        select = []
        for column in columns:
            if column in given:
                select.append(given[column])
            else:
                params[f"c_{column}"] = defaults[column]
                select.append(f"%(c_{column})s")
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO inbox_inboxitem ({', '.join(columns)}) SELECT {', '.join(select)} "  # noqa: S608
                "FROM documents_document d JOIN households_household h ON h.id = d.household_id "
                "WHERE d.receipt_number >= %(low)s AND d.receipt_number <= %(high)s AND d.direction = 'inbound'",
                {**params, "low": f"E-LOAD-{start:09d}", "high": f"E-LOAD-{start + count - 1:09d}"},
            )
            items = cursor.rowcount
            _log(f"{items:,} inbox items in {time.monotonic() - started:.1f} s")
            from jcportal.casework import search

            cursor.execute(
                f"INSERT INTO {search.PG_TABLE} (document_id, vector) "  # noqa: S608
                "SELECT d.id, to_tsvector('german'::regconfig, d.title || ' ' || d.receipt_number || ' ' "
                "|| d.doc_type || ' stichwort' || (abs(hashtext(d.id::text)) %% 1000) || ' ' || %s) "
                "FROM documents_document d WHERE d.receipt_number >= %s AND d.receipt_number <= %s "
                "ON CONFLICT (document_id) DO NOTHING",
                [OCR_TEXT, f"E-LOAD-{start:09d}", f"E-LOAD-{start + count - 1:09d}"],
            )
            _log(f"full-text index in {time.monotonic() - started:.1f} s")
        seed_audit(
            [
                (now - dt.timedelta(seconds=(count - i) / 1000), str(_uuid(n)), household_ids[n % households])
                for i, n in enumerate(range(start, start + count, 10))
            ],
            AuditEvent,
            now,
        )
    _log(f"{count:,} documents with inbox items, index and audit in {time.monotonic() - started:.1f} s")


def _uuid(n: int) -> Any:
    import uuid

    return uuid.UUID(int=(0xB0AD << 112) | n)


def seed_audit(entries: list[tuple[dt.datetime, str, int]], model: Any, now: dt.datetime) -> None:
    """One ``document.received`` entry per (time, document id, household id), chained after the head.

    The times are within the last hours, in the open month of the chain (no epoch is sealed)."""
    from jcportal.audit.models import AuditChainHead
    from jcportal.audit.services import _canonical, compute_hash, period_of

    head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
    if head.epoch_period and period_of(entries[0][0]) != head.epoch_period:
        entries = [(now, document, household) for _, document, household in entries]
    sequence, last_hash = head.sequence, head.last_hash
    if not head.epoch_period:
        head.epoch_period, head.epoch_first_sequence = period_of(entries[0][0]), sequence + 1
    rows = []
    for at, document_id, household_id in sorted(entries):
        sequence += 1
        event = model(
            sequence=sequence,
            at=at,
            action="document.received",
            actor=None,
            actor_label="Postverteilung",
            actor_role="",
            on_behalf_of="",
            household_id=household_id,
            object_type="document",
            object_id=document_id,
            ip_address=None,
            user_agent="",
            details={"channel": "portal"},
        )
        entry_hash = compute_hash(event, last_hash)
        assert _canonical(event)  # the same canonical content the service hashes
        rows.append(
            {
                "sequence": sequence,
                "at": at,
                "action": event.action,
                "actor_id": None,
                "actor_label": event.actor_label,
                "household_id": household_id,
                "object_type": "document",
                "object_id": document_id,
                "details": json.dumps(event.details),
                "previous_hash": last_hash,
                "entry_hash": entry_hash,
            }
        )
        last_hash = entry_hash
    copy_rows(model, rows, now)
    head.sequence, head.last_hash = sequence, last_hash
    head.save(update_fields=["sequence", "last_hash", "epoch_period", "epoch_first_sequence"])


def small_pdf(label: str) -> bytes:
    """A real one-page PDF (A4 at 50 dpi, a few KB)."""
    from PIL import Image, ImageDraw

    image = Image.new("L", (413, 585), 255)
    ImageDraw.Draw(image).text((40, 40), label, fill=0)
    out = io.BytesIO()
    image.save(out, format="PDF", resolution=50)
    return out.getvalue()


def with_pdf(documents: Iterable[Any]) -> int:
    """Give each document a small real PDF through the storage (encrypted at rest like any other)."""
    from django.core.files.base import ContentFile

    count = 0
    for document in documents:
        content = small_pdf(document.receipt_number)
        document.pdf.save(f"{document.receipt_number}.pdf", ContentFile(content), save=False)
        document.save(update_fields=["pdf"])
        count += 1
    return count


def analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for table in (
            "households_household",
            "households_person",
            "accounts_user",
            "documents_document",
            "inbox_inboxitem",
            "casework_search_entry",
            "audit_auditevent",
        ):
            cursor.execute(f"VACUUM ANALYZE {table}")


def main() -> int:
    import argparse
    import os

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("households", type=int)
    parser.add_argument("documents", type=int)
    parser.add_argument("--citizens", type=int, default=100)
    parser.add_argument("--staff", type=int, default=10)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jcportal.settings")
    import django

    django.setup()
    staff = bench_staff(args.staff)
    seeded = seed_households(args.households, args.citizens, staff)
    seed_documents(args.documents, 0, seeded["household_ids"], staff)
    analyze()
    return 0


if __name__ == "__main__":
    sys.exit(main())
