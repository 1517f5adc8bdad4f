from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from jcportal.accounts import policy

from . import health, markup, selectors, services
from .models import AccessibilityFeedback
from .page_forms import AccessibilityFeedbackForm


def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("core:after-login")
    return render(request, "core/home.html")


@login_required
def after_login(request: HttpRequest) -> HttpResponse:
    if policy.is_staff(request.user):
        return redirect("backoffice:home")
    return redirect("portal:dashboard")


@require_GET
def set_language(request: HttpRequest, code: str) -> HttpResponse:
    """Switch language by a plain link (works without JavaScript); remembered in a cookie and on the account."""
    supported = {c for c, _ in settings.LANGUAGES}
    if code not in supported:
        raise Http404
    next_url = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    if request.user.is_authenticated and request.user.preferred_language != code:
        request.user.preferred_language = code
        request.user.save(update_fields=["preferred_language"])
    return response


PAGES = {"barrierefreiheit", "leichte-sprache", "gebaerdensprache", "impressum", "datenschutz"}
# The date of the built-in accessibility statement (its last review); an edited page shows its own date.
ACCESSIBILITY_STATEMENT_DATE = datetime.date(2026, 11, 23)


def page(request: HttpRequest, slug: str) -> HttpResponse:
    """An information page: the administrator's text for the current language, else the built-in text."""
    if slug not in PAGES:
        raise Http404
    language = translation.get_language() or settings.LANGUAGE_CODE
    context: dict[str, object] = {
        "slug": slug,
        "edited": selectors.edited_page(slug, language),
        "jobcenter": selectors.jobcenter(),
        "site_url": settings.SITE_URL,
        "statement_date": ACCESSIBILITY_STATEMENT_DATE,
        "feedback_email": selectors.feedback_recipient(),
        "may_read_feedback": _may_read_feedback(request.user),
        "open_feedback_count": selectors.open_feedback().count() if _may_read_feedback(request.user) else 0,
        # Information in Leichte Sprache is Leichte Sprache also for someone who browses in German.
        "content_language": "de-ls" if slug == "leichte-sprache" and language == "de" else language,
    }
    if context["edited"] is not None:
        context["edited_body"] = markup.render(context["edited"].body)  # type: ignore[attr-defined]
    if slug == "gebaerdensprache":
        context["videos"] = selectors.published_videos()
    return render(request, f"core/pages/{slug}.html", context)


def sign_language_video(request: HttpRequest, video_id: int) -> FileResponse:
    """The video file itself, for the <video> element and (with ?download=1) as a download."""
    video = selectors.published_video(video_id)
    if video is None:
        raise Http404
    download = request.GET.get("download") == "1"
    response = FileResponse(
        video.file.open("rb"),
        as_attachment=download,
        filename=video.file.name.rsplit("/", 1)[-1],
        content_type=video.content_type,
    )
    response["Cache-Control"] = "public, max-age=3600"
    return response


def accessibility_feedback(request: HttpRequest) -> HttpResponse:
    """The feedback mechanism of the accessibility statement: anyone may report a barrier."""
    if request.method == "POST":
        form = AccessibilityFeedbackForm(request.POST)
        if form.is_valid():
            services.submit_accessibility_feedback(
                language=translation.get_language() or "", **form.cleaned_data
            )
            messages.success(
                request,
                _(
                    "Thank you. Your report has reached the Jobcenter. If you gave an email address, we will answer you."
                ),
            )
            return redirect("core:page", slug="barrierefreiheit")
    else:
        form = AccessibilityFeedbackForm(initial={"page_address": request.GET.get("seite", "")[:500]})
    return render(request, "core/accessibility_feedback.html", {"form": form})


def _may_read_feedback(user) -> bool:  # type: ignore[no-untyped-def]
    return policy.can_read_accessibility_feedback(user)


@login_required
def accessibility_feedback_list(request: HttpRequest) -> HttpResponse:
    if not _may_read_feedback(request.user):
        raise PermissionDenied
    return render(
        request,
        "core/accessibility_feedback_list.html",
        {
            "open_feedback": selectors.open_feedback(),
            "handled_feedback": selectors.all_feedback().exclude(handled_at=None)[:50],
        },
    )


@login_required
@require_POST
def accessibility_feedback_handled(request: HttpRequest, feedback_id: int) -> HttpResponse:
    if not _may_read_feedback(request.user):
        raise PermissionDenied
    feedback = get_object_or_404(AccessibilityFeedback, pk=feedback_id)
    services.mark_feedback_handled(feedback)
    messages.success(request, _("The report is marked as handled."))
    return redirect("core:accessibility-feedback-list")


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    healthy, components = health.run_all()
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "components": components},
        status=200 if healthy else 503,
    )


# --- error pages (handler400 … handler500 in jcportal.urls, CSRF_FAILURE_VIEW in settings) -----------
# Rendered with the request, so they are in the site's layout and the visitor's language; never a
# technical page (DEBUG is off in `make run`). The 500 page falls back to plain text when even the
# layout cannot be rendered (the database may be what failed).


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "400.html", status=400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "403.html", {"csrf_failure": True}, status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    try:
        return render(request, "500.html", status=500)
    except Exception:  # the layout needs the database (session, user): say it in plain words
        text = _("Something went wrong on our side")
        return HttpResponse(f"<!DOCTYPE html><title>{text}</title><h1>{text}</h1>", status=500)
