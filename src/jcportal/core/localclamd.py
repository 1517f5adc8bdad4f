"""Run a private clamd for the embedded default and the tests.

No signature download is possible offline, so the database holds a local signature file that
detects the EICAR test file, plus every official database that the system already has
(/var/lib/clamav), so a machine with real signatures scans with them too.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
SYSTEM_DB = Path("/var/lib/clamav")


def clamd_binary() -> str | None:
    return shutil.which("clamd") or (
        str(Path("/usr/sbin/clamd")) if Path("/usr/sbin/clamd").exists() else None
    )


def prepare(directory: Path) -> Path:
    """Write config and signature database below ``directory``; return the config path."""
    db = directory / "db"
    db.mkdir(parents=True, exist_ok=True)
    (db / "jcportal-eicar.ndb").write_text(f"Eicar-Test-Signature:0:*:{EICAR.hex()}\n")
    for official in ("main.cvd", "main.cld", "daily.cvd", "daily.cld", "bytecode.cvd", "bytecode.cld"):
        source = SYSTEM_DB / official
        target = db / official
        if source.exists() and not target.exists():
            target.symlink_to(source)
    conf = directory / "clamd.conf"
    conf.write_text(
        "\n".join(
            [
                f"DatabaseDirectory {db}",
                f"LocalSocket {directory / 'clamd.sock'}",
                "LocalSocketMode 660",
                "Foreground yes",
                f"PidFile {directory / 'clamd.pid'}",
                f"LogFile {directory / 'clamd.log'}",
                "StreamMaxLength 200M",
                "MaxFileSize 200M",
                "MaxScanSize 400M",
                "User root",
                "",
            ]
        )
    )
    return conf


def socket_path(directory: Path) -> Path:
    return directory / "clamd.sock"


def start(directory: Path, timeout: float = 60.0) -> subprocess.Popen[bytes]:
    binary = clamd_binary()
    if binary is None:
        raise RuntimeError("clamd is not installed (scripts/install-system-deps.sh installs clamav-daemon)")
    conf = prepare(directory)
    sock = socket_path(directory)
    if sock.exists():
        sock.unlink()
    process = subprocess.Popen(
        [binary, "--config-file", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"clamd exited: {process.stderr.read().decode() if process.stderr else ''}")
        if sock.exists():
            try:
                with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                    s.settimeout(2)
                    s.connect(str(sock))
                    s.sendall(b"zPING\0")
                    if s.recv(16).startswith(b"PONG"):
                        return process
            except OSError:
                pass
        time.sleep(0.2)
    process.kill()
    raise RuntimeError("clamd did not start in time")
