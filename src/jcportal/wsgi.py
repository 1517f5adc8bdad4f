import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jcportal.settings")
application = get_wsgi_application()


def _refuse_insecure_production() -> None:
    """gunicorn does not run Django's system checks: production mode runs them here and refuses to start."""
    from django.conf import settings
    from django.core.checks import ERROR, run_checks

    if not settings.PRODUCTION:
        return
    errors = [message for message in run_checks(include_deployment_checks=False) if message.level >= ERROR]
    if errors:
        lines = "\n".join(f"- {message.msg} {message.hint or ''}" for message in errors)
        raise SystemExit(f"jcportal refuses to start in production mode:\n{lines}")


_refuse_insecure_production()
