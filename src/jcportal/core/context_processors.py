from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import get_language, get_language_bidi

from jcportal.core.i18n import language_tag


def site(request: HttpRequest) -> dict[str, object]:
    current = get_language() or settings.LANGUAGE_CODE
    return {
        "site_name": settings.SITE_NAME,
        "language_options": [
            {"code": code, "tag": language_tag(code), "name": name, "current": code == current}
            for code, name in settings.LANGUAGES
        ],
        "language_tag": language_tag(current),
        "text_direction": "rtl" if get_language_bidi() else "ltr",
        "current_path": request.get_full_path(),
        "demo_mode": settings.DEMO_DATA and not settings.PRODUCTION,
    }
