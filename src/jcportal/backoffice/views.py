from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from jcportal.accounts import policy

from .decorators import staff_required


@staff_required()
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    context = {
        "case_staff": policy.is_case_staff(user),
        "scan_station": policy.can_use_scan_station(user),
        "statistics": policy.can_see_statistics(user),
        "audit_log": policy.can_read_audit_log(user),
        "administer": policy.can_administer(user),
        "clearing": policy.can_open_clearing(user),
    }
    return render(request, "backoffice/home.html", context)
