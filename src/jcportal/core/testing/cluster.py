"""``scripts/run-cluster.sh`` started from a test or a benchmark, and an HTTP client for its web processes.

The cluster runs against real servers: PostgreSQL and Redis on localhost (``reachable`` says whether
they answer), moto as S3 and clamd started by the script. Its database is copied from a template that is
migrated and seeded once per state of the migrations and the demo data (the first start takes longer).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import signal
import struct
import subprocess
import time
from pathlib import Path
from typing import Any

from jcportal.core.testing.processes import free_port

from .processes import ROOT

PG_SERVER = os.environ.get("CLUSTER_PG_URL", "postgres://postgres@127.0.0.1:5432")
REDIS_SERVER = os.environ.get("CLUSTER_REDIS_URL", "redis://127.0.0.1:6379")
# A fixed key-encryption key: the template database's wrapped data keys stay readable.
TEST_MASTER_KEY = base64.b64encode(b"jcportal-cluster-test-master-key").decode()


def reachable() -> str:
    """Empty when PostgreSQL and Redis answer, else what does not."""
    import psycopg
    import redis

    try:
        psycopg.connect(PG_SERVER + "/postgres", connect_timeout=3).close()
    except psycopg.Error as exc:
        return f"PostgreSQL at {PG_SERVER}: {exc}"
    try:
        redis.Redis.from_url(REDIS_SERVER, socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        return f"Redis at {REDIS_SERVER}: {exc}"
    return ""


def template_name() -> str:
    """Changes whenever a migration or the demo data changes."""
    digest = hashlib.sha256()
    src = ROOT / "src" / "jcportal"
    for path in sorted([*src.glob("*/migrations/*.py"), *(src / "demo").rglob("*.py")]):
        digest.update(path.read_bytes())
    return f"jc_cluster_tmpl_{digest.hexdigest()[:12]}"


def totp(secret_b32: str) -> str:
    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
    digest = hmac.new(key, struct.pack(">Q", int(time.time()) // 30), "sha1").digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


class Cluster:
    def __init__(
        self,
        var: Path,
        *,
        name: str = "test",
        workers: str = "intake,ocr io,housekeeping",
        concurrency: int = 2,
        redis_db: int = 12,
        web: int = 2,
        **env: str,
    ) -> None:
        self.var = var
        self.ports = [free_port() for _ in range(web)]
        self.s3_port = free_port()
        self.database_url = f"{PG_SERVER}/jc_cluster_{name}_{os.getpid()}"
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "DJANGO_ALLOW_ASYNC"))},
            "DATABASE_URL": self.database_url,
            "CLUSTER_VAR": str(var),
            "CLUSTER_PORTS": " ".join(map(str, self.ports)),
            "CLUSTER_S3_PORT": str(self.s3_port),
            "CLUSTER_REDIS_URL": REDIS_SERVER,
            "CLUSTER_REDIS_DB": str(redis_db),
            "CLUSTER_WORKERS": workers,
            "CLUSTER_CONCURRENCY": str(concurrency),
            "CLUSTER_COLLECTSTATIC": "0",
            "CLUSTER_DB_TEMPLATE": template_name(),
            "MASTER_KEY": TEST_MASTER_KEY,
            "OCR_ENABLED": "false",
            "PIPELINE_RESUME_AFTER_SECONDS": "5",
            **env,
        }
        self.process: subprocess.Popen[bytes] | None = None
        self.log = var / "cluster.log"

    @property
    def urls(self) -> list[str]:
        return [f"http://127.0.0.1:{port}" for port in self.ports]

    def start(self, timeout: float = 240) -> None:
        self.var.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            ["bash", str(ROOT / "scripts" / "run-cluster.sh")],
            cwd=ROOT,
            env=self.env,
            stdout=self.log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if "cluster ready" in self.log.read_text(errors="replace"):
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.3)
        output = self.log.read_text(errors="replace")[-4000:]
        self.stop()
        raise RuntimeError(f"the cluster did not start:\n{output}")

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        import psycopg

        with psycopg.connect(PG_SERVER + "/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.database_url.rsplit("/", 1)[1]}" WITH (FORCE)')
        self.process = None

    def process_env(self, **extra: str) -> dict[str, str]:
        """The environment the script gives its processes (for more workers started from outside)."""
        redis_db = int(self.env["CLUSTER_REDIS_DB"])
        return {
            **self.env,
            "PYTHONPATH": str(ROOT / "src"),
            "JCPORTAL_VAR_DIR": str(self.var),
            "CACHE_URL": f"{REDIS_SERVER}/{redis_db}",
            "CELERY_BROKER_URL": f"{REDIS_SERVER}/{redis_db + 1}",
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "S3_BUCKET": "jcportal-cluster",
            "S3_ENDPOINT_URL": f"http://127.0.0.1:{self.s3_port}",
            "S3_REGION": "eu-central-1",
            "S3_ACCESS_KEY_ID": "cluster",
            "S3_SECRET_ACCESS_KEY": "cluster-secret",
            "MEDIA_ROOT": str(self.var / "no-local-media"),
            "CLAMD_SOCKET": str(self.var / "clamd" / "clamd.sock"),
            "MALWARE_SCAN_REQUIRED": "true",
            **extra,
        }

    def sql(self, query: str, params: Any = ()) -> list[tuple[Any, ...]]:
        import psycopg

        with psycopg.connect(self.database_url) as conn:
            return conn.execute(query, params).fetchall()

    def s3(self) -> Any:
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=f"http://127.0.0.1:{self.s3_port}",
            region_name="eu-central-1",
            aws_access_key_id="cluster",
            aws_secret_access_key="cluster-secret",  # noqa: S106 - the local moto server of the script
        )

    def logs(self, tail: int | None = None) -> str:
        """Every process's log (``tail``: only the last characters of each)."""
        return "\n".join(
            f"--- {path.name}\n{path.read_text(errors='replace')[-(tail or 0) :]}"
            for path in sorted((self.var / "log").glob("*.log"))
        )


_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Browser:
    """A logged-in visitor of one web process (requests, no JavaScript, like the portal needs)."""

    def __init__(self, base_url: str) -> None:
        import requests

        self.base_url = base_url
        self.session = requests.Session()

    def csrf(self, path: str) -> str:
        page = self.session.get(self.base_url + path, timeout=30)
        page.raise_for_status()
        found = _CSRF.search(page.text)
        assert found, f"no CSRF token on {path}"
        return found.group(1)

    def post(self, path: str, data: dict[str, str], files: Any = None, referer: str | None = None) -> Any:
        token = self.csrf(referer or path)
        return self.session.post(
            self.base_url + path,
            data={**data, "csrfmiddlewaretoken": token},
            files=files,
            headers={"Referer": self.base_url + (referer or path)},
            timeout=60,
            allow_redirects=False,
        )

    def login(self, username: str, password: str, totp_secret: str | None = None) -> None:
        response = self.post("/konto/anmelden/", {"username": username, "password": password})
        assert response.status_code == 302, f"login of {username} failed: {response.status_code}"
        if totp_secret:
            response = self.post("/konto/zweiter-faktor/", {"token": totp(totp_secret)})
            assert response.status_code == 302, f"second factor of {username} failed"

    def clone(self) -> Browser:
        """Another connection with the same session (for concurrent requests)."""
        other = Browser(self.base_url)
        other.session.cookies.update(self.session.cookies)
        return other

    def upload(self, doc_type: str, files: list[tuple[str, bytes, str]], token: str | None = None) -> str:
        """Send files through the portal's upload form; returns the new document's id."""
        response = self.session.post(
            self.base_url + "/portal/hochladen/",
            data={
                "doc_type": doc_type,
                "title": "",
                "note": "",
                "complete": "1",
                "csrfmiddlewaretoken": token or self.csrf("/portal/hochladen/"),
            },
            files=[("more_files", file) for file in files],
            headers={"Referer": self.base_url + "/portal/hochladen/"},
            timeout=120,
            allow_redirects=False,
        )
        assert response.status_code == 302, f"upload refused: {response.status_code} {response.text[:500]}"
        found = re.search(r"/hochladen/([0-9a-f-]{36})/", response.headers["Location"])
        assert found, response.headers["Location"]
        return found.group(1)
