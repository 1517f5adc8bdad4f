import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[4]


def run_check(**env_overrides):
    env = {
        k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "DEMO_DATA", "DATABASE_URL"}
    }
    env.update(
        {"JCPORTAL_MODE": "production", "JCPORTAL_VAR_DIR": "/tmp/jcportal-prodcheck"}, **env_overrides
    )
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "check"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )


def test_production_refuses_insecure_settings_and_names_them():
    result = run_check(DEBUG="true", DEMO_DATA="true", SECURE_COOKIES="false")
    assert result.returncode != 0
    for setting in ("DEBUG", "SECRET_KEY", "DEMO_DATA", "malware scanner", "SECURE_COOKIES", "PostgreSQL"):
        assert setting in result.stderr


def test_production_starts_with_secure_settings():
    result = run_check(
        SECRET_KEY="x" * 50,
        DEBUG="false",
        DEMO_DATA="false",
        CLAMD_SOCKET="/run/clamav/clamd.ctl",
        SECURE_COOKIES="true",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/jcportal",
    )
    assert result.returncode == 0, result.stderr


def test_seed_demo_refused_in_production():
    env = {k: v for k, v in os.environ.items() if k not in {"DEMO_DATA"}}
    env.update(
        JCPORTAL_MODE="production",
        JCPORTAL_VAR_DIR="/tmp/jcportal-prodcheck",
        SECRET_KEY="x" * 50,
        DEBUG="false",
        CLAMD_SOCKET="/x",
        SECURE_COOKIES="true",
    )
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "seed_demo", "--skip-checks"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )
    assert result.returncode != 0
    assert "refused in production" in result.stderr
