"""How objects in the audit log are named on the back office's audit log page (registered in
``audit.readable`` from ``BackofficeConfig.ready``): a document by title and receipt number, a household
by BG number, a person by name, an online application by its Vorgangsnummer."""

from __future__ import annotations

import uuid

from django.utils.translation import gettext as _

from jcportal.audit.readable import register_object_resolver


def _uuids(ids: list[str]) -> list[uuid.UUID]:
    result = []
    for value in ids:
        try:
            result.append(uuid.UUID(str(value)))
        except ValueError:
            continue
    return result


def _ints(ids: list[str]) -> list[int]:
    return [int(v) for v in ids if str(v).isdigit()]


def documents(ids: list[str]) -> dict[str, str]:
    from jcportal.documents.models import Document

    rows = Document.objects.filter(pk__in=_uuids(ids)).values_list("pk", "title", "receipt_number")
    return {
        str(pk): _("%(title)s (receipt number %(number)s)") % {"title": title, "number": number}
        for pk, title, number in rows
    }


def households(ids: list[str]) -> dict[str, str]:
    from jcportal.households.models import Household

    rows = Household.objects.filter(pk__in=_ints(ids)).values_list("pk", "bg_number")
    return {str(pk): _("Household %(bg_number)s") % {"bg_number": bg} for pk, bg in rows}


def users(ids: list[str]) -> dict[str, str]:
    from jcportal.accounts.models import User

    return {
        str(u.pk): u.get_full_name() or u.get_username()
        for u in User.objects.filter(pk__in=_ints(ids)).only("pk", "first_name", "last_name", "username")
    }


def submissions(ids: list[str]) -> dict[str, str]:
    from jcportal.documents import types as document_types
    from jcportal.eforms.models import Submission

    rows = Submission.objects.filter(pk__in=_uuids(ids)).values_list("pk", "form_slug", "reference")
    return {
        str(pk): _("Online application %(service)s %(reference)s")
        % {"service": document_types.label(slug), "reference": reference or ""}
        for pk, slug, reference in rows
    }


def register() -> None:
    register_object_resolver("documents.document", documents)
    register_object_resolver("households.household", households)
    register_object_resolver("accounts.user", users)
    register_object_resolver("eforms.submission", submissions)
