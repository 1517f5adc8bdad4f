"""Exporters in the back office: their configuration (administrators), the documents the DMS has not
acknowledged (case staff), and a case file as an xdomea message (staff who may read its documents)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jcportal.accounts import policy
from jcportal.accounts.actor import Actor
from jcportal.audit.services import audit
from jcportal.casework import selectors as case_selectors
from jcportal.documents.models import Document
from jcportal.exporters import selectors, services, xdomea
from jcportal.exporters.base import Nothing, exporters
from jcportal.exporters.models import ExporterConfig

from .decorators import staff_required
from .forms_exporters import ExporterConfigForm

administrators = staff_required(policy.can_administer)


@administrators
def exporter_list(request: HttpRequest) -> HttpResponse:
    configs = list(selectors.configs())
    context = {"configs": configs, "plugins": exporters.items()}
    return render(request, "backoffice/exporters/list.html", context)


def _save(
    request: HttpRequest, form: ExporterConfigForm, config: ExporterConfig | None
) -> HttpResponse | None:
    if request.method != "POST" or not form.is_valid():
        return None
    data = form.cleaned_data
    services.save_config(
        config,
        by=Actor.from_request(request),
        jobcenter=data["jobcenter"],
        name=data["name"],
        exporter=form.plugin.identifier,
        event_types=data["event_types"],
        options=data["options"],
        active=data["active"],
    )
    messages.success(request, _("The exporter was saved."))
    return redirect("backoffice:exporters")


@administrators
def exporter_new(request: HttpRequest, exporter: str) -> HttpResponse:
    plugin = exporters.get(exporter)
    if plugin is None:
        raise Http404
    form = ExporterConfigForm(request.POST or None, plugin=plugin, initial={"name": str(plugin.label)})
    response = _save(request, form, None)
    context = {"form": form, "plugin": plugin, "config": None}
    return response or render(request, "backoffice/exporters/form.html", context)


@administrators
def exporter_edit(request: HttpRequest, config_id: int) -> HttpResponse:
    config = get_object_or_404(ExporterConfig, pk=config_id)
    plugin = config.plugin
    if plugin is None:
        raise Http404
    form = ExporterConfigForm(
        request.POST or None, plugin=plugin, initial=ExporterConfigForm.initial_for(config)
    )
    response = _save(request, form, config)
    context = {"form": form, "plugin": plugin, "config": config, "jobs": selectors.recent_jobs(config)}
    return response or render(request, "backoffice/exporters/form.html", context)


@administrators
@require_POST
def exporter_delete(request: HttpRequest, config_id: int) -> HttpResponse:
    config = get_object_or_404(ExporterConfig, pk=config_id)
    services.delete_config(config, by=Actor.from_request(request))
    messages.success(request, _("The exporter was deleted."))
    return redirect("backoffice:exporters")


@administrators
@require_POST
def exporter_retry(request: HttpRequest, config_id: int) -> HttpResponse:
    config = get_object_or_404(ExporterConfig, pk=config_id)
    count = services.retry_failed(config, by=Actor.from_request(request))
    messages.success(request, _("Failed exports started again: %(count)s.") % {"count": count})
    return redirect("backoffice:exporter-edit", config_id=config.pk)


@staff_required(policy.is_case_staff)
def unacknowledged(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.unacknowledged(request.user), 50).get_page(request.GET.get("page"))
    now = timezone.now()
    rows = [(d, int((now - (d.exported_at or now)).total_seconds() // 3600)) for d in page.object_list]
    context = {"page": page, "rows": rows, "hours": selectors.overdue_hours()}
    return render(request, "backoffice/exporters/unacknowledged.html", context)


@staff_required(policy.is_case_staff)
def household_xdomea(request: HttpRequest, household_id: int) -> FileResponse:
    """The case file (or the documents ticked in it: ``?dokument=<id>``) as an xdomea 0401 zip."""
    household = case_selectors.household_for(request.user, household_id)
    if household is None or not policy.can_read_documents_of(request.user, household):
        raise Http404
    documents: Any = None
    selection = request.GET.getlist("dokument")
    if selection:
        try:
            documents = list(
                Document.objects.filter(household=household, pk__in=selection, delivered_at__isnull=False)
                .exclude(status=Document.Status.QUARANTINED)
                .order_by("received_at")
                .prefetch_related("originals")
            )
        except Exception as error:  # a malformed id
            raise Http404 from error
    try:
        name, handle = xdomea.household_zip(household, documents)
    except Nothing as error:
        raise Http404 from error
    audit(
        "exporters.xdomea.downloaded",
        request=request,
        obj=household,
        household=household.pk,
        details={"file": name, "selection": len(selection)},
    )
    return FileResponse(handle, as_attachment=True, filename=name, content_type="application/zip")
