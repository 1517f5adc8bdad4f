"""Structured logs: one JSON object per line with the request id, and no social data.

The request id comes from the ``X-Request-ID`` header (when it is well-formed) or is made up, and is
returned in the response (core.middleware.RequestIdMiddleware). Celery tasks log their task id in the
same field. ``RedactFilter`` masks what looks like an IBAN or an e-mail address in any message, as a
second line of defence: the code itself logs identifiers (document ids, receipt numbers), never names,
file names or account numbers.
"""

from __future__ import annotations

import contextvars
import logging
import re
import uuid

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")

_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b")
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.-]+\b")


def new_request_id(offered: str | None = None) -> str:
    """The offered id when it is safe to log and to echo, else a new random one."""
    if offered and _VALID_ID.match(offered):
        return offered
    return uuid.uuid4().hex


def redact(text: str) -> str:
    return _EMAIL.sub("[e-mail]", _IBAN.sub("[IBAN]", text))


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            # django.request logs a failed request after the middleware returned: its id is on the request
            record.request_id = (
                getattr(getattr(record, "request", None), "request_id", None) or request_id.get()
            )
        return True


class RedactFilter(logging.Filter):
    """Formats the message once and masks IBANs and e-mail addresses in it; drops the arguments and
    results of Celery tasks that Celery attaches to its own log records (the JSON formatter would
    write every attached field)."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        if request is not None and hasattr(request, "method"):
            # django.request attaches the request, whose repr has the query string (search terms)
            record.request = f"{request.method} {request.path}"
        data = getattr(record, "data", None)
        if isinstance(data, dict) and {"args", "kwargs", "return_value"} & data.keys():
            record.data = {k: v for k, v in data.items() if k not in ("args", "kwargs", "return_value")}
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not lose the record
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def _task_prerun(task_id: str | None = None, **kwargs: object) -> None:
    request_id.set(task_id or new_request_id())


def _setup_celery_logging(**kwargs: object) -> None:
    """Celery workers log through Django's LOGGING (JSON) instead of replacing the root logger."""
    import logging.config

    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)


def connect_celery_signals() -> None:
    from celery import signals

    signals.task_prerun.connect(_task_prerun, weak=False)
    signals.setup_logging.connect(_setup_celery_logging, weak=False)
