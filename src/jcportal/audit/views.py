"""Downloads of a household's access log (Art. 15 DSGVO): the citizen from the transparency view, the
data-protection officer from the audit log. Access decisions are the policy's."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import translation

from jcportal.accounts import policy
from jcportal.accounts.actor import Actor
from jcportal.households.models import Household, normalise_bg_number

from .export import FORMATS, export_access_log


def _response(name: str, content_type: str, data: bytes) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def citizen_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The citizen's own household, in the language the portal is shown in."""
    if fmt not in FORMATS:
        raise Http404
    household = policy.citizen_household(request.user) if request.user.is_authenticated else None
    if household is None or not policy.can_see_transparency_log(request.user, household):
        raise PermissionDenied
    name, content_type, data = export_access_log(
        household,
        fmt,
        actor=Actor.from_request(request),
        viewer=request.user,
        language=translation.get_language(),
    )
    return _response(name, content_type, data)


def staff_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The data-protection officer answers a request: the household by BG number, the citizen's language
    unless another is chosen."""
    if fmt not in FORMATS:
        raise Http404
    if not policy.can_read_audit_log(request.user):
        raise PermissionDenied
    household = get_object_or_404(Household, bg_number=normalise_bg_number(request.GET.get("bg_number", "")))
    language = request.GET.get("language", "")
    if language not in {code for code, _name in settings.LANGUAGES}:
        language = ""
    name, content_type, data = export_access_log(
        household, fmt, actor=Actor.from_request(request), language=language or None
    )
    return _response(name, content_type, data)
