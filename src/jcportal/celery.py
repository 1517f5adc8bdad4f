"""The Celery application. Every background job of jcportal is a task registered here."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jcportal.settings")

app = Celery("jcportal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
