"""The audit log is tamper-evident: changing, deleting or inserting a row is found by verify_audit_chain."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from jcportal.audit.models import AuditChainHead, AuditEvent
from jcportal.audit.services import audit, compute_hash

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain(household):  # type: ignore[no-untyped-def]
    return [audit("document.viewed", household=household, details={"n": n}) for n in range(5)]


def _verify() -> None:
    call_command("verify_audit_chain")


def test_intact_chain_verifies(chain, capsys):  # type: ignore[no-untyped-def]
    _verify()
    assert "intact (5 entries)" in capsys.readouterr().out


def test_update_through_the_orm_is_detected(chain):  # type: ignore[no-untyped-def]
    AuditEvent.objects.filter(pk=chain[2].pk).update(actor_label="someone-else")
    with pytest.raises(CommandError, match="broken"):
        _verify()


def test_update_through_sql_is_detected(chain, capsys):  # type: ignore[no-untyped-def]
    table = AuditEvent._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET action = %s WHERE sequence = %s", ["document.downloaded", 3])  # noqa: S608
    with pytest.raises(CommandError):
        _verify()
    assert "entry #3: content was changed" in capsys.readouterr().err


def test_rehashing_a_changed_row_breaks_the_next_link(chain, capsys):  # type: ignore[no-untyped-def]
    event = AuditEvent.objects.get(pk=chain[1].pk)
    event.details = {"n": 99}
    event.entry_hash = compute_hash(event, event.previous_hash)
    AuditEvent.objects.filter(pk=event.pk).update(details=event.details, entry_hash=event.entry_hash)
    with pytest.raises(CommandError):
        _verify()
    assert "entry #3: previous hash does not match" in capsys.readouterr().err


def test_deletion_is_detected(chain, capsys):  # type: ignore[no-untyped-def]
    AuditEvent.objects.filter(pk=chain[2].pk).delete()
    with pytest.raises(CommandError):
        _verify()
    assert "entry #3 is missing" in capsys.readouterr().err


def test_deleting_the_last_entry_is_detected(chain, capsys):  # type: ignore[no-untyped-def]
    AuditEvent.objects.filter(pk=chain[-1].pk).delete()
    with pytest.raises(CommandError):
        _verify()
    assert "chain head expects #5" in capsys.readouterr().err


def test_insertion_is_detected(chain, capsys):  # type: ignore[no-untyped-def]
    # Make room between #3 and #4 and slip in a forged, well-formed entry.
    forged = AuditEvent(
        at=chain[2].at,
        action="document.viewed",
        actor_label="forger",
        household_id=chain[2].household_id,
        details={},
        previous_hash=chain[2].entry_hash,
    )
    for event in reversed(chain[3:]):
        AuditEvent.objects.filter(pk=event.pk).update(sequence=event.sequence + 1)
    AuditChainHead.objects.filter(pk=1).update(sequence=6)
    forged.sequence = 4
    forged.entry_hash = compute_hash(forged, forged.previous_hash)
    forged.save()
    with pytest.raises(CommandError):
        _verify()
    assert "previous hash does not match" in capsys.readouterr().err
