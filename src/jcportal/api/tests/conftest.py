from __future__ import annotations

import io

import pytest

from jcportal.api.testing import ApiTestClient

__all__ = ["ApiTestClient"]


@pytest.fixture
def delivered_document(household, citizen, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    from jcportal.documents import services
    from jcportal.documents.tests import samples

    with django_capture_on_commit_callbacks(execute=True):
        document = services.accept_upload(
            household=household,
            uploaded_by=citizen,
            doc_type="kontoauszug",
            title="Kontoauszug",
            files=[
                ("seite1.jpg", io.BytesIO(samples.jpeg())),
                ("seite2.jpg", io.BytesIO(samples.jpeg("blue"))),
            ],
        )
    document.refresh_from_db()
    assert document.delivered_at and document.pdf
    return document
