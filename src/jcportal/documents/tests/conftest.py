from __future__ import annotations

import pytest

from jcportal.documents import services


@pytest.fixture
def upload(household, citizen, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """Accept files for the test household and run the pipeline (eagerly, after the commit)."""

    def _upload(*files: tuple[str, bytes], doc_type: str = "mietvertrag", **kwargs):  # type: ignore[no-untyped-def]
        import io

        with django_capture_on_commit_callbacks(execute=True):
            document = services.accept_upload(
                household=household,
                uploaded_by=citizen,
                doc_type=doc_type,
                title=kwargs.pop("title", "Test"),
                files=[(name, io.BytesIO(data)) for name, data in files],
                **kwargs,
            )
        document.refresh_from_db()
        return document

    return _upload


@pytest.fixture
def citizen_client(citizen):  # type: ignore[no-untyped-def]
    """The citizen's browser, in English (the tests read the English message ids)."""
    from django.test import Client

    client = Client()
    client.cookies["jcportal_language"] = "en"
    client.force_login(citizen)
    return client
