"""The README lists every environment variable the settings read (issue 2: README explains every one)."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

ENV_READ = re.compile(r"""env(?:\.\w+)?\(\s*["']([A-Z][A-Z0-9_]+)["']""")


def variables_read(source: str) -> set[str]:
    return set(ENV_READ.findall(source))


def test_every_environment_variable_is_in_the_readme():
    source = (Path(settings.PROJECT_DIR) / "src" / "jcportal" / "settings.py").read_text(encoding="utf-8")
    readme = (Path(settings.PROJECT_DIR) / "README.md").read_text(encoding="utf-8")
    found = variables_read(source)
    assert {"DATABASE_URL", "CELERY_BROKER_URL", "S3_BUCKET", "SECRET_KEY"} <= found
    missing = sorted(name for name in found if f"`{name}`" not in readme)
    assert not missing, f"environment variables not explained in the README: {missing}"


def test_the_check_sees_a_new_variable():
    assert variables_read('X = env.int("NEW_SETTING", default=1)\nY = env("OTHER")') == {
        "NEW_SETTING",
        "OTHER",
    }
