from __future__ import annotations

import io

import pytest

from jcportal.documents import services as document_services
from jcportal.documents.tests import samples
from jcportal.exporters.models import ExporterConfig


@pytest.fixture
def export_root(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.EXPORTER_FOLDER_ROOT = tmp_path / "exports"
    return settings.EXPORTER_FOLDER_ROOT


@pytest.fixture
def configure(household, export_root):  # type: ignore[no-untyped-def]
    def _configure(exporter: str, folder: str = "dms/in", **kwargs) -> ExporterConfig:  # type: ignore[no-untyped-def]
        return ExporterConfig.objects.create(
            jobcenter=household.service_office.jobcenter,
            name=kwargs.pop("name", exporter),
            exporter=exporter,
            options={"folder": folder},
            **kwargs,
        )

    return _configure


@pytest.fixture
def deliver(household, citizen, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """A citizen's upload run through the intake (eagerly): events, exporters and all."""

    def _deliver(*files: tuple[str, bytes], doc_type: str = "kontoauszug", title: str = "Kontoauszug"):  # type: ignore[no-untyped-def]
        files = files or (("seite1.jpg", samples.jpeg("red")), ("seite2.png", samples.png()))
        with django_capture_on_commit_callbacks(execute=True):
            document = document_services.accept_upload(
                household=household,
                uploaded_by=citizen,
                doc_type=doc_type,
                title=title,
                files=[(name, io.BytesIO(data)) for name, data in files],
            )
        document.refresh_from_db()
        return document

    return _deliver
