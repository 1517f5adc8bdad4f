"""Environment for tests that run jcportal in other processes (a Celery worker, a management command)
and kill them: their own SQLite file and storage under ``var``, the real clamd of the test session."""

from __future__ import annotations

import os
import socket
from pathlib import Path

ROOT = Path(__file__).resolve().parents[4]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now (for a server a test starts)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def process_env(var: Path, database: Path, clamd_socket: str, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT / "src"),
        "DJANGO_SETTINGS_MODULE": "jcportal.settings",
        "JCPORTAL_VAR_DIR": str(var),
        "DATABASE_URL": f"sqlite:///{database}",
        "MEDIA_ROOT": str(var / "media"),
        "OCR_ENABLED": "false",
        "CLAMD_SOCKET": clamd_socket,
        "MALWARE_SCAN_REQUIRED": "true",
        "PIPELINE_RESUME_AFTER_SECONDS": "0",
        **extra,
    }
