"""The Celery application. Every background job of jcportal is a task registered here.

Tasks are routed to queues by kind of work (settings CELERY_TASK_ROUTES): ``intake``, ``ocr``, ``io``
(mail, exports, webhooks) and ``housekeeping`` (beat jobs, the heartbeat). Workers log JSON through
Django's LOGGING with the task id as request id (core.logging).
"""

import os

from celery import Celery
from kombu import Exchange, Queue

from jcportal.core import metrics
from jcportal.core.logging import connect_celery_signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jcportal.settings")

QUEUES = ("intake", "ocr", "io", "housekeeping")

app = Celery("jcportal")
app.config_from_object("django.conf:settings", namespace="CELERY")
# A worker started without -Q consumes every queue (the embedded default, the tests' workers).
app.conf.task_queues = [Queue(name, Exchange(name), routing_key=name) for name in QUEUES]
app.autodiscover_tasks()
connect_celery_signals()
metrics.connect_celery_signals()
