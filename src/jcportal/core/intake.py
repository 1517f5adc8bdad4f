"""The intake checks for a file that is not a document (an administrator's video upload): the type from
the content (never the name), the size limit and the malware scan, as for every citizen's upload.
Documents (portal, document-request answers, online-service evidence, scans, letters) go through
``documents.pipeline`` instead; the access request's ID file through ``accounts.services``."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from . import clamav


def check_file(upload: UploadedFile, allowed: dict[str, str], max_bytes: int) -> str:
    """The detected MIME type; raises ValidationError (translated) when the file must not be stored."""
    import filetype

    if upload.size is not None and upload.size > max_bytes:
        raise ValidationError(_("The file is larger than allowed."), code="too_large")
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    mime = kind.mime if kind else ""
    if mime not in allowed:
        raise ValidationError(
            _("The content of the file is not one of: %(types)s.") % {"types": ", ".join(allowed.values())},
            code="wrong_type",
        )
    if clamav.configured():
        try:
            result = clamav.scan_stream(upload)  # type: ignore[arg-type]
        except clamav.ScannerUnavailable as exc:
            if settings.MALWARE_SCAN_REQUIRED:
                raise ValidationError(
                    _("We cannot check files right now. Please try again later."), code="no_scanner"
                ) from exc
        else:
            if not result.clean:
                raise ValidationError(_("The file contains malware and was not accepted."), code="malware")
        upload.seek(0)
    elif settings.MALWARE_SCAN_REQUIRED:
        raise ValidationError(
            _("We cannot check files right now. Please try again later."), code="no_scanner"
        )
    return mime
