"""Export jobs: the io queue, attempts until failed, the resumer, starting failed exports again."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from jcportal.accounts.tests.factories import StaffFactory
from jcportal.celery import app
from jcportal.events.tests.factories import EventFactory
from jcportal.exporters import services, tasks
from jcportal.exporters.models import ExportJob

pytestmark = pytest.mark.django_db


def test_export_task_runs_on_the_io_queue():
    route = app.amqp.router.route({}, tasks.run_export.name)
    assert route["queue"].name == "io"


def test_a_job_fails_after_the_last_attempt_and_staff_start_it_again(
    configure, household, export_root, monkeypatch
):
    config = configure("hotfolder")
    job = ExportJob.objects.create(
        config=config,
        event_type="de.jcportal.document.delivered",
        subject="0" * 8 + "-0000-0000-0000-" + "0" * 12,
    )
    monkeypatch.setattr(services, "_subject", lambda kind, subject: object())

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise OSError("DMS share not mounted")

    monkeypatch.setattr(config.plugin, "export", broken)
    for _ in range(services.MAX_ATTEMPTS):
        job = services.run_job(job.pk)
    assert job.status == ExportJob.Status.FAILED and "not mounted" in job.last_error
    assert services.run_job(job.pk) is None  # a failed job is not run by itself again

    assert services.retry_failed(config, by=StaffFactory()) == 1
    job.refresh_from_db()
    assert job.status == ExportJob.Status.PENDING and job.attempts == 0


def test_a_missing_object_is_skipped(configure):
    config = configure("hotfolder")
    job = ExportJob.objects.create(
        config=config, event_type="de.jcportal.document.delivered", subject="not-a-uuid"
    )
    assert services.run_job(job.pk).status == ExportJob.Status.SKIPPED


def test_the_resumer_queues_pending_jobs_nobody_worked_on(configure, monkeypatch):
    config = configure("hotfolder")
    stale = ExportJob.objects.create(config=config, event=EventFactory(), event_type="x", subject="a")
    fresh = ExportJob.objects.create(config=config, event=EventFactory(), event_type="x", subject="b")
    ExportJob.objects.filter(pk=stale.pk).update(updated_at=timezone.now() - dt.timedelta(hours=1))
    queued: list[int] = []
    monkeypatch.setattr(services, "queue", queued.extend)

    assert tasks.resume_exports() == 1
    assert queued == [stale.pk] and fresh.pk not in queued
