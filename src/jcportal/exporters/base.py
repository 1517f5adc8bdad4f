"""The exporter plugin shape and the one registry they join, plus safe writing into target folders.

    @exporters.register("hotfolder")
    class HotFolderExporter(Exporter): ...

An exporter declares a label, the event types it listens to by default, what kind of object it exports
(``document`` or ``submission``) and its options as a Django form (rendered and validated by the back
office, stored as JSON on ``ExporterConfig.options``). ``export(config, obj, event_type)`` writes and returns a
short description of what it wrote; it raises ``ExportError`` (or ``OSError``) to be retried.

Target folders are always below ``settings.EXPORTER_FOLDER_ROOT`` (administrators name a subfolder;
operators mount the DMS's watched folders there), so a configuration can never write elsewhere.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from jcportal.core.forms import GovForm
from jcportal.core.registry import Registry


class ExportError(Exception):
    """An export that failed and should be tried again later."""


class Nothing(Exception):
    """There is nothing to export for this object (e.g. a document without PDF): the job is skipped."""


def folder_root() -> Path:
    return Path(settings.EXPORTER_FOLDER_ROOT).resolve()


def clean_subfolder(value: str) -> str:
    """A relative folder below the root: no absolute paths, no ``..``."""
    value = (value or "").strip().strip("/")
    parts = [p for p in value.split("/") if p not in ("", ".")]
    if not parts or any(p == ".." or p.startswith(".") for p in parts):
        raise ValidationError(_("Enter a folder name below the export folder, e.g. dms/eingang."))
    return "/".join(parts)


def target_folder(subfolder: str) -> Path:
    path = (folder_root() / clean_subfolder(subfolder)).resolve()
    if folder_root() not in path.parents:
        raise ExportError("target folder outside the export root")
    path.mkdir(parents=True, exist_ok=True)
    return path


class FolderOptions(GovForm):
    folder = forms.CharField(
        label=_("Folder"),
        max_length=300,
        help_text=_("Below the export folder of the server, e.g. dms/eingang."),
    )

    def clean_folder(self) -> str:
        return clean_subfolder(self.cleaned_data["folder"])


class Exporter:
    identifier: ClassVar[str] = ""
    label: ClassVar[Any] = ""
    description: ClassVar[Any] = ""
    kind: ClassVar[str] = "document"  # "document" or "submission"
    default_event_types: ClassVar[tuple[str, ...]] = ()
    options_form: ClassVar[type[forms.Form]] = FolderOptions
    marks_exported: ClassVar[bool] = True  # a successful export calls documents.services.mark_exported

    def export(self, config: Any, obj: Any, event_type: str = "") -> str:
        raise NotImplementedError


exporters: Registry[Exporter] = Registry("exporters")


def register(cls: type[Exporter]) -> type[Exporter]:
    exporters.add(cls.identifier, cls())
    return cls


# --- atomic writes ---------------------------------------------------------------------------------


def fsync_directory(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_file(path: Path, data: bytes) -> None:
    with open(path, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


@contextmanager
def staging_folder(parent: Path, name: str) -> Iterator[Path]:
    """A hidden temporary folder beside the final one; ``publish`` renames it into place."""
    staging = parent / f".tmp-{name}-{uuid.uuid4().hex}"
    staging.mkdir()
    try:
        yield staging
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def publish(staging: Path, final: Path) -> None:
    """Rename the staged folder to its final name in one step (same file system), then sync the parent."""
    if final.exists():
        shutil.rmtree(final)
    os.rename(staging, final)
    fsync_directory(final.parent)


def write_atomically(path: Path, data: bytes) -> None:
    """Write a single file under a temporary name and rename it into place."""
    fd, temporary = tempfile.mkstemp(prefix=f".tmp-{path.name}-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
        fsync_directory(path.parent)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
