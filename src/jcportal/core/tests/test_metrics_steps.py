"""/metrics shows how long each intake step takes, measured by the pipeline itself on every worker."""

from __future__ import annotations

import io

import pytest

pytestmark = pytest.mark.django_db


def test_each_intake_step_of_a_real_upload_shows_its_duration(
    client, settings, household, citizen, django_capture_on_commit_callbacks
):
    from django.core.cache import cache

    from jcportal.documents import services
    from jcportal.documents.tests import samples

    cache.clear()
    settings.METRICS_TOKEN = "s3cret-token"
    with django_capture_on_commit_callbacks(execute=True):
        document = services.accept_upload(
            household=household,
            uploaded_by=citizen,
            doc_type="mietvertrag",
            title="Mietvertrag",
            files=[("a.jpg", io.BytesIO(samples.jpeg()))],
        )
    document.refresh_from_db()
    assert document.delivered_at is not None
    text = client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-token").content.decode()
    for step in ("normalise", "merge", "store", "deliver"):
        assert f'jcportal_pipeline_step_duration_seconds_count{{step="{step}"}} 1.0' in text, step
    assert 'jcportal_pipeline_step_duration_seconds_bucket{le="+Inf",step="store"} 1.0' in text
    assert client.get("/metrics").status_code in (401, 403)
