"""Back office: the scan station – separator sheets, batch upload, batch view with manual assignment."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from jcportal.accounts import policy
from jcportal.audit.services import audit
from jcportal.households.models import Household
from jcportal.scanning import previews as scan_previews
from jcportal.scanning import services
from jcportal.scanning.forms import BatchUploadForm, HouseholdSearchForm, SegmentAssignForm, SeparatorForm
from jcportal.scanning.models import ScanBatch
from jcportal.scanning.tasks import process_batch

from .decorators import staff_required

scan_staff = staff_required(policy.can_use_scan_station)


@scan_staff
def scan_home(request: HttpRequest) -> HttpResponse:
    form = BatchUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        batches = []
        for upload in form.cleaned_data["scans"]:
            batch = services.create_batch(stream=upload, name=upload.name, created_by=request.user)
            audit("scan.batch_uploaded", request=request, obj=batch, details={"file": batch.original_name})
            batches.append(batch)
            transaction.on_commit(partial(process_batch.delay, batch.pk))
        messages.success(
            request,
            _("%(count)d file(s) received. The pages are being split into documents.")
            % {"count": len(batches)},
        )
        if len(batches) == 1:
            return redirect("backoffice:scan-batch", batch_id=batches[0].pk)
        return redirect("backoffice:scan")
    listing = ScanBatch.objects.annotate(
        segment_count=Count("segments"),
        unassigned=Count("segments", filter=Q(segments__document__isnull=True)),
    ).order_by("-created_at", "-pk")
    status = request.GET.get("status", "")
    if status in ScanBatch.Status.values:
        listing = listing.filter(status=status)
    page = Paginator(listing, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "backoffice/scan/home.html",
        {
            "form": form,
            "page": page,
            "status": status,
            "statuses": ScanBatch.Status.choices,
            "waiting": ScanBatch.objects.filter(status=ScanBatch.Status.NEEDS_ASSIGNMENT).count(),
        },
    )


@scan_staff
def separators(request: HttpRequest) -> HttpResponse:
    form = SeparatorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        entries = form.entries()
        pdf = services.separator_sheets_pdf(entries)
        audit(
            "scan.separators_printed",
            request=request,
            details={"sheets": len(entries), "doc_type": form.cleaned_data["doc_type"]},
        )
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = 'attachment; filename="trennblaetter.pdf"'
        response["Cache-Control"] = "private, no-store"
        return response
    return render(request, "backoffice/scan/separators.html", {"form": form})


def _search(form: HouseholdSearchForm) -> list[Household]:
    if not form.is_bound or not form.is_valid():
        return []
    term = form.cleaned_data["q"].strip()
    return list(
        Household.objects.filter(Q(bg_number__istartswith=term) | Q(members__last_name__istartswith=term))
        .distinct()
        .prefetch_related("members")
        .order_by("bg_number")[:20]
    )


@scan_staff
def batch_detail(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = get_object_or_404(ScanBatch, pk=batch_id)
    segments = list(batch.segments.select_related("household", "document"))
    posted = None
    if request.method == "POST":
        if request.POST.get("action") == "process" and batch.split_at is None:
            try:
                services.process_batch(batch, actor=request.user, request=request)
            except services.ScanError:
                messages.error(request, _("The file could not be read as a PDF."))
            return redirect("backoffice:scan-batch", batch_id=batch.pk)
        posted = next((s for s in segments if str(s.pk) == request.POST.get("segment", "")), None)
        if posted is None or posted.document_id is not None:
            return redirect("backoffice:scan-batch", batch_id=batch.pk)
    rows = []
    for segment in segments:
        form = None
        if segment.document_id is None:
            bound = posted is not None and posted.pk == segment.pk
            initial = {
                "doc_type": segment.doc_type,
                "bg_number": segment.household.bg_number
                if segment.household
                else request.GET.get("use", "")[:20],
            }
            form = SegmentAssignForm(
                request.POST if bound else None, prefix=f"seg{segment.pk}", initial=initial
            )
            if bound and form.is_valid():
                services.assign_segment(
                    segment=segment,
                    household=form.cleaned_data["bg_number"],
                    doc_type=form.cleaned_data["doc_type"],
                    actor=request.user,
                    request=request,
                )
                services.create_documents(batch, actor=request.user, request=request)
                messages.success(
                    request,
                    _("Pages %(first)d–%(last)d were added to the case file as a document.")
                    % {"first": segment.first_page, "last": segment.last_page},
                )
                return redirect("backoffice:scan-batch", batch_id=batch.pk)
        rows.append({"segment": segment, "form": form})
    search = HouseholdSearchForm(request.GET if "q" in request.GET else None)
    # one audit entry per view of the batch (its page previews are part of it)
    audit("scan.batch_viewed", request=request, obj=batch, details={"pages": batch.page_count})
    bound_form = next((r["form"] for r in rows if r["form"] is not None and r["form"].is_bound), None)
    return render(
        request,
        "backoffice/scan/batch.html",
        {
            "batch": batch,
            "rows": rows,
            "search": search,
            "results": _search(search),
            "has_open": any(r["form"] is not None for r in rows),
            "form": bound_form,
            "separator_pages": max(0, batch.page_count - sum(s.page_count for s in segments)),
        },
    )


@scan_staff
def batch_page(request: HttpRequest, batch_id: int) -> HttpResponse:
    """A small PNG of one page, so that the scan station can see what it assigns."""
    batch = get_object_or_404(ScanBatch, pk=batch_id)
    try:
        number = int(request.GET.get("page", "1"))
    except ValueError:
        raise Http404 from None
    if not 1 <= number <= max(batch.page_count, 1) or batch.status == ScanBatch.Status.FAILED:
        raise Http404
    data = scan_previews.page_png(batch, number)  # stored once per batch, never re-rendered
    if data is None:
        raise Http404
    response = HttpResponse(data, content_type="image/png")
    response["Cache-Control"] = "private, no-store"
    return response
