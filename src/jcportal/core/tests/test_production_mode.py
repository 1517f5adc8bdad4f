import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from .fakeclamd import FakeClamd

ROOT = Path(__file__).resolve().parents[4]

# A production configuration without process-local state (nothing is contacted by `manage.py check`
# except clamd, which the fake answers).
SHARED = {
    "SECRET_KEY": "a-long-random-production-secret-9f8e7d6c5b4a3f2e1d0c9b8a7",
    "DEBUG": "false",
    "DEMO_DATA": "false",
    "SECURE_COOKIES": "true",
    "SECURE_SSL_REDIRECT": "true",
    "BEHIND_PROXY": "true",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/jcportal",
    "CACHE_URL": "redis://127.0.0.1:6379/1",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
    "CELERY_TASK_ALWAYS_EAGER": "false",
    "S3_BUCKET": "jcportal",
    "S3_ENDPOINT_URL": "http://127.0.0.1:9",
}


def run_check(*args: str, **env_overrides: str) -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "DEBUG",
            "SECRET_KEY",
            "DEMO_DATA",
            "DATABASE_URL",
            "CACHE_URL",
            "CELERY_BROKER_URL",
            "S3_BUCKET",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    env.update(
        {
            "JCPORTAL_MODE": "production",
            "JCPORTAL_VAR_DIR": "/tmp/jcportal-prodcheck",
            "CELERY_TASK_ALWAYS_EAGER": "false",
        },
        **env_overrides,
    )
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "check", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )


@pytest.fixture
def fresh_clamd(tmp_path):  # type: ignore[no-untyped-def]
    fake = FakeClamd(tmp_path / "clamd.sock")
    yield fake
    fake.close()


def test_production_refuses_insecure_settings_and_names_them():
    result = run_check(DEBUG="true", DEMO_DATA="true", SECURE_COOKIES="false")
    assert result.returncode != 0
    for setting in ("DEBUG", "SECRET_KEY", "DEMO_DATA", "malware scanner", "SECURE_COOKIES", "PostgreSQL"):
        assert setting in result.stderr


def test_production_refuses_process_local_state_and_says_what_to_set():
    result = run_check(
        **{**SHARED, "CACHE_URL": "locmemcache://", "CELERY_BROKER_URL": "filesystem://", "S3_BUCKET": ""}
    )
    assert result.returncode != 0
    assert "The cache is local to each process" in result.stderr and "CACHE_URL=redis://" in result.stderr
    assert "broker 'filesystem://'" in result.stderr
    assert "local disk" in result.stderr and "S3_BUCKET" in result.stderr
    assert "beat keeps its schedule in a local file" in result.stderr
    memory = run_check(**{**SHARED, "CELERY_BROKER_URL": "memory://"})
    assert "broker 'memory://'" in memory.stderr


def test_production_starts_with_shared_state_and_a_current_scanner(fresh_clamd):
    result = run_check(**SHARED, CLAMD_SOCKET=str(fresh_clamd.path))
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_is_clean_with_production_settings(fresh_clamd):
    result = run_check("--deploy", "--fail-level", "WARNING", **SHARED, CLAMD_SOCKET=str(fresh_clamd.path))
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("age", "message"),
    [(None, "no signature database"), (timedelta(days=5), "signature database 120 hours old")],
)
def test_production_refuses_a_scanner_without_current_signatures(tmp_path, age, message):
    fake = FakeClamd(tmp_path / "clamd.sock", age=age)
    try:
        result = run_check(**SHARED, CLAMD_SOCKET=str(fake.path))
        assert result.returncode != 0
        assert message in result.stderr and "freshclam" in result.stderr
        # the allowed age is configurable
        if age is not None:
            assert (
                run_check(
                    **SHARED, CLAMD_SOCKET=str(fake.path), CLAMAV_SIGNATURE_MAX_AGE_HOURS="200"
                ).returncode
                == 0
            )
    finally:
        fake.close()


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
