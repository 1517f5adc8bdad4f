"""An online application and its evidence are one piece of work: the evidence documents get no inbox
item of their own (``inbox.services.bundle_parents``) and are done when the application's item is done
(``bundle_children``). Registered in ``EformsConfig.ready``."""

from __future__ import annotations

from typing import Any

from django.utils import translation
from django.utils.translation import gettext

from .models import Submission, SubmissionEvidence


def evidence_parent(document: Any) -> str | None:
    """The application ``document`` is evidence of, named for the document's history (in German, the
    office language of stored texts); None when it is no evidence or its application was discarded."""
    evidence = SubmissionEvidence.objects.filter(document_id=document.pk).select_related("submission").first()
    if evidence is None:
        return None
    submission = evidence.submission
    with translation.override("de"):
        service = str(submission.definition.short_title)
        if submission.reference:
            return gettext("Evidence of the online application %(service)s %(reference)s") % {
                "service": service,
                "reference": submission.reference,
            }
        return gettext("Evidence of the online application %(service)s") % {"service": service}


def evidence_of(document_id: Any) -> list[Any]:
    """The evidence documents of the application whose copy in the case file is ``document_id``."""
    return list(
        SubmissionEvidence.objects.filter(submission__document_id=document_id)
        .exclude(submission__status=Submission.Status.DRAFT)
        .values_list("document_id", flat=True)
    )
