"""Parts of resumable uploads never completed are deleted after the allowed age (24 h by default), by the
hourly housekeeping task and by ``manage.py purge_abandoned_uploads``; an upload still being sent is
kept, and /metrics counts the removed parts."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jcportal.accounts.models import User
from jcportal.portal import abandoned_uploads, tasks
from jcportal.portal import views_uploads_resumable as resumable


def _start_upload(client: Client, parts_sent: int) -> str:
    answer = client.post(
        reverse("portal:upload-parts"),
        {
            "doc_type": "lohnabrechnung",
            "files": json.dumps([{"name": "a.pdf", "size": 3 * resumable.PART_SIZE}]),
        },
    )
    assert answer.status_code == 201
    upload = answer.json()
    for number in range(1, parts_sent + 1):
        sent = client.put(
            f"{upload['status_url']}{number}/",
            b"x" * resumable.PART_SIZE,
            content_type="application/octet-stream",
        )
        assert sent.status_code == 200
    return upload["id"]


def _parts_of(upload_id: str) -> list[str]:
    try:
        return default_storage.listdir(f"{resumable.PREFIX}{upload_id}")[1]
    except FileNotFoundError:
        return []


@pytest.mark.django_db
def test_parts_of_an_upload_given_up_are_deleted_after_a_day_and_a_fresh_one_is_kept(demo_data, settings):
    client = Client()
    client.force_login(User.objects.get(username="demo-kunde"))
    abandoned = _start_upload(client, parts_sent=2)
    assert len(_parts_of(abandoned)) == 2

    later = timezone.now() + dt.timedelta(hours=23)  # the clock moved on, not yet a day
    assert abandoned_uploads.purge_abandoned_uploads(now=later) == abandoned_uploads.Purged(0, 0)
    assert len(_parts_of(abandoned)) == 2

    much_later = timezone.now() + dt.timedelta(hours=25)
    assert abandoned_uploads.purge_abandoned_uploads(now=much_later) == abandoned_uploads.Purged(1, 2)
    assert _parts_of(abandoned) == []
    # the browser asks again after the purge: nothing arrived, so it would send all parts again
    assert client.get(reverse("portal:upload-parts-status", args=[abandoned])).json() == {"received": []}

    settings.PORTAL_UPLOAD_PARTS_MAX_AGE_HOURS = 2  # configurable
    short = _start_upload(client, parts_sent=1)
    assert abandoned_uploads.purge_abandoned_uploads(now=timezone.now() + dt.timedelta(hours=1)).uploads == 0
    assert abandoned_uploads.purge_abandoned_uploads(now=timezone.now() + dt.timedelta(hours=3)).uploads == 1
    assert _parts_of(short) == []


@pytest.mark.django_db
def test_the_command_and_the_hourly_task_purge_with_a_moved_clock_and_metrics_count_it(
    demo_data, settings, monkeypatch
):
    assert (
        settings.CELERY_BEAT_SCHEDULE["portal-purge-abandoned-uploads"]["task"]
        == tasks.purge_abandoned_uploads.name
    )
    client = Client()
    client.force_login(User.objects.get(username="demo-kunde"))
    first = _start_upload(client, parts_sent=3)
    now = timezone.now()

    out = StringIO()
    call_command("purge_abandoned_uploads", stdout=out)
    assert out.getvalue().startswith("0 abandoned uploads")
    assert len(_parts_of(first)) == 3

    second = _start_upload(client, parts_sent=1)
    monkeypatch.setattr(abandoned_uploads.timezone, "now", lambda: now + dt.timedelta(hours=30))
    call_command("purge_abandoned_uploads", "--hours", "48", stdout=out)
    assert len(_parts_of(first)) == 3  # 30 h < 48 h
    assert tasks.purge_abandoned_uploads() == 4  # the task: the setting's 24 h
    assert _parts_of(first) == [] and _parts_of(second) == []

    settings.METRICS_TOKEN = "s3cret-token"
    metrics = Client().get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-token").content.decode()
    assert 'jcportal_housekeeping_removed{what="portal_upload_parts"}' in metrics
