"""The chain is sealed per month; old months can be pruned and the rest still verifies."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from jcportal.audit.models import AuditChainHead, AuditEpoch, AuditEvent
from jcportal.audit.services import audit, prune_epochs, seal_due_epochs, verify_chain

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock(monkeypatch):  # type: ignore[no-untyped-def]
    """Set the time: ``clock("2026-01-15")``."""

    def move(day: str) -> None:
        at = timezone.make_aware(dt.datetime.fromisoformat(day + "T12:00:00"))
        monkeypatch.setattr(timezone, "now", lambda: at)

    return move


@pytest.fixture
def three_months(clock, household):  # type: ignore[no-untyped-def]
    for day, count in (("2026-01-10", 3), ("2026-02-10", 2), ("2026-03-10", 2)):
        clock(day)
        for n in range(count):
            audit("document.viewed", household=household, details={"n": n})


def test_each_month_is_sealed_and_anchored_in_the_next(three_months):
    epochs = list(AuditEpoch.objects.order_by("first_sequence"))
    assert [(e.period, e.first_sequence, e.last_sequence) for e in epochs] == [
        ("2026-01", 1, 3),
        ("2026-02", 4, 5),
    ]
    assert epochs[1].previous_seal == epochs[0].seal_hash
    assert AuditEvent.objects.get(sequence=4).previous_hash == epochs[0].seal_hash
    assert AuditEvent.objects.get(sequence=6).previous_hash == epochs[1].seal_hash
    assert AuditEvent.objects.get(sequence=3).entry_hash == epochs[0].last_hash
    assert AuditChainHead.objects.get().epoch_period == "2026-03"
    assert list(verify_chain()) == []


def test_pruning_old_months_keeps_the_rest_verifiable(three_months, capsys):
    pruned = prune_epochs("2026-03")
    assert [e.period for e in pruned] == ["2026-01", "2026-02"]
    assert not AuditEvent.objects.filter(sequence__lte=5).exists()
    assert AuditEvent.objects.filter(action="audit.epochs_pruned").count() == 1
    call_command("verify_audit_chain")
    out = capsys.readouterr().out
    seal = AuditEpoch.objects.get(period="2026-01").seal_hash
    assert f"pruned month 2026-01: entries #1–#3 (3), seal {seal}" in out
    assert "audit chain intact (3 entries); 2 sealed month(s), 2 pruned" in out


def test_a_changed_seal_or_a_forged_pruned_month_is_detected(three_months, capsys):
    prune_epochs("2026-02")
    AuditEpoch.objects.filter(period="2026-01").update(last_sequence=2)
    with pytest.raises(CommandError):
        call_command("verify_audit_chain")
    assert "sealed month 2026-01 (#1–#2): its seal does not match its content" in capsys.readouterr().err


def test_a_reanchored_first_entry_is_detected(three_months):
    AuditEvent.objects.filter(sequence=4).update(previous_hash=AuditEvent.objects.get(sequence=3).entry_hash)
    problems = list(verify_chain())
    assert "entry #4: not anchored to the seal of 2026-01" in problems


def test_pruning_stops_at_a_month_still_kept_and_never_touches_the_open_month(three_months):
    assert prune_epochs("2026-01") == []
    assert [e.period for e in prune_epochs("2030-01")] == ["2026-01", "2026-02"]
    assert AuditEvent.objects.filter(sequence__gte=6).count() == 3  # March (open) + the pruning entry


def test_a_quiet_month_is_sealed_by_the_daily_job(clock, household):
    clock("2026-01-10")
    audit("document.viewed", household=household)
    assert seal_due_epochs() is None
    clock("2026-02-01")
    epoch = seal_due_epochs()
    assert epoch is not None and epoch.period == "2026-01"
    assert AuditEvent.objects.get(sequence=2).action == "audit.epoch_sealed"
    assert list(verify_chain()) == []
