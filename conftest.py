"""Test fixtures shared by every app. Factories live beside each app in ``tests/factories.py``."""

from __future__ import annotations

import os
from pathlib import Path

# Before Django loads the settings: tests run tasks inline unless a test starts a real worker,
# and Playwright's sync API runs an event loop in the main thread next to Django's ORM.
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
os.environ.setdefault("OCR_ENABLED", "false")

import pytest  # noqa: E402

pytest_plugins = ["jcportal.core.testing.fixtures", "jcportal.api.testing"]


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, request):  # type: ignore[no-untyped-def]
    """The SQLite test database lives in a file (one per xdist process), not in memory: Django shares
    one in-memory connection between the test thread and the live server's request threads, so
    concurrent browser requests could nest each other's transactions (a commit callback that never ran).
    PostgreSQL test databases keep pytest-django's per-process suffix."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3" and not database.get("TEST", {}).get("NAME"):
        worker = getattr(request.config, "workerinput", {}).get("workerid", "main")
        folder = Path(settings.VAR_DIR)
        folder.mkdir(parents=True, exist_ok=True)
        database.setdefault("TEST", {})["NAME"] = str(folder / f"test-{worker}.sqlite3")


def pytest_collection_modifyitems(config, items):  # type: ignore[no-untyped-def]
    # Browser tests last: they are the slowest and need everything else to work.
    items.sort(key=lambda item: 1 if item.get_closest_marker("browser") else 0)


@pytest.fixture(autouse=True)
def _test_defaults(settings):  # type: ignore[no-untyped-def]
    """pytest-django loads the settings before this file runs: apply the environment defaults above."""
    from jcportal.celery import app

    eager = os.environ["CELERY_TASK_ALWAYS_EAGER"].lower() in ("1", "true", "yes")
    settings.CELERY_TASK_ALWAYS_EAGER = eager
    settings.OCR_ENABLED = os.environ["OCR_ENABLED"].lower() in ("1", "true", "yes")
    app.conf.task_always_eager = eager
    app.conf.task_eager_propagates = True
    # Eager calls open a producer pool for the configured broker; a test that points the app at
    # another broker (a real worker on Redis) must not inherit it.
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture(autouse=True)
def _fresh_data_keys():  # type: ignore[no-untyped-def]
    """Every test starts without unwrapped data keys in this process: databases are emptied between tests
    and household ids repeat, so a key cached by an earlier test would encrypt with a key this test's
    database does not know (its data would then not decrypt)."""
    from jcportal.core import crypto

    crypto.forget_cached_keys()
    yield
    crypto.forget_cached_keys()


@pytest.fixture(autouse=True)
def _plain_static_names(settings):  # type: ignore[no-untyped-def]
    """Pages render plain static names (the live server serves them from the finders; no collectstatic);
    portal/tests/test_transfer_budget.py switches the hashed manifest storage on after collectstatic."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _isolated_media(settings, tmp_path):  # type: ignore[no-untyped-def]
    """Every test writes files into its own temporary storage folder."""
    storages = dict(settings.STORAGES)
    if storages["default"]["BACKEND"].endswith("FileSystemStorage"):
        storages["default"] = {
            **storages["default"],
            "OPTIONS": {**storages["default"]["OPTIONS"], "location": str(tmp_path / "media")},
        }
        settings.STORAGES = storages
        settings.MEDIA_ROOT = tmp_path / "media"
