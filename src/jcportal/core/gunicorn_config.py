"""gunicorn settings of every web process: ``gunicorn -c python:jcportal.core.gunicorn_config …``.

The access log is one JSON object per line like the application's logs, with the request id and the
path only: a query string can hold search terms (a citizen's name in the inbox search), so it is never
logged.
"""

accesslog = "-"
access_log_format = (
    '{"time": "%(t)s", "level": "INFO", "logger": "gunicorn.access", "request_id": "%({x-request-id}o)s", '
    '"method": "%(m)s", "path": "%(U)s", "status": %(s)s, "bytes": "%(B)s", "duration_ms": %(M)s}'
)
