"""Fixtures of the encryption-at-rest and backup tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from jcportal.core import crypto
from jcportal.core.testing.processes import free_port


@pytest.fixture
def own_keys(settings, tmp_path, monkeypatch) -> Iterator[Path]:  # type: ignore[no-untyped-def]
    """A master key of this test only, in a data folder of its own."""
    monkeypatch.delenv("MASTER_KEY", raising=False)
    settings.VAR_DIR = tmp_path / "var"
    settings.VAR_DIR.mkdir()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    crypto.forget_cached_keys()
    yield settings.VAR_DIR / "master.key"
    crypto.forget_cached_keys()


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """moto in server mode (KMS, S3) on a free port, as a real endpoint over HTTP."""
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def aws(monkeypatch, moto_endpoint) -> str:  # type: ignore[no-untyped-def]
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "eu-central-1",
    }.items():
        monkeypatch.setenv(name, value)
    return str(moto_endpoint)
