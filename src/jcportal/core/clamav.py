"""A minimal client for clamd (ClamAV daemon), speaking its documented socket protocol.

We stream bytes with INSTREAM, so the scanner never needs access to our storage.
"""

from __future__ import annotations

import socket
import struct
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import BinaryIO

from django.conf import settings

CHUNK = 64 * 1024


class ScannerUnavailable(Exception):
    """clamd is not configured or does not answer."""


@dataclass(frozen=True)
class ScanResult:
    clean: bool
    signature: str = ""


def configured() -> bool:
    return bool(settings.CLAMD_SOCKET or settings.CLAMD_HOST)


def _connect(timeout: float) -> socket.socket:
    if settings.CLAMD_SOCKET:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        sock.connect(settings.CLAMD_SOCKET)
        return sock
    if settings.CLAMD_HOST:
        return socket.create_connection((settings.CLAMD_HOST, settings.CLAMD_PORT), timeout=timeout)
    raise ScannerUnavailable("no clamd configured (CLAMD_SOCKET or CLAMD_HOST)")


def _command(sock: socket.socket, command: bytes) -> None:
    sock.sendall(b"z" + command + b"\0")


def _read_reply(sock: socket.socket) -> str:
    data = b""
    while not data.endswith(b"\0"):
        part = sock.recv(4096)
        if not part:
            break
        data += part
    return data.rstrip(b"\0").decode("utf-8", "replace").strip()


def ping(timeout: float = 2.0) -> bool:
    try:
        with _connect(timeout) as sock:
            _command(sock, b"PING")
            return _read_reply(sock) == "PONG"
    except (OSError, ScannerUnavailable):
        return False


def version(timeout: float = 2.0) -> str:
    with _connect(timeout) as sock:
        _command(sock, b"VERSION")
        return _read_reply(sock)


@dataclass(frozen=True)
class Signatures:
    """What clamd's VERSION says about its signature database."""

    official: bool  # False: no official database loaded (the embedded EICAR test signature only)
    version: int = 0
    built_at: datetime | None = None

    def age_hours(self, now: datetime | None = None) -> float | None:
        if self.built_at is None:
            return None
        return ((now or datetime.now(UTC)) - self.built_at).total_seconds() / 3600


def signatures(timeout: float = 2.0) -> Signatures:
    """Parse ``ClamAV 1.4.6/27480/Sun Dec  6 09:22:01 2026`` (no ``/…`` part: no official database).

    Raises ScannerUnavailable when clamd does not answer."""
    try:
        reply = version(timeout)
    except OSError as exc:
        raise ScannerUnavailable(str(exc)) from exc
    parts = reply.split("/")
    if len(parts) < 3 or not parts[1].strip().isdigit() or parts[1].strip() == "0":
        return Signatures(official=False)
    try:
        built = datetime.strptime(" ".join(parts[2].split()), "%a %b %d %H:%M:%S %Y").replace(tzinfo=UTC)
    except ValueError:
        built = None
    return Signatures(official=True, version=int(parts[1]), built_at=built)


def signature_problem(max_age_hours: float) -> str:
    """Empty when clamd's signatures are official and younger than ``max_age_hours``, else the reason.

    Raises ScannerUnavailable when clamd does not answer."""
    found = signatures()
    if not found.official:
        return "no signature database (test signature only)"
    age = found.age_hours()
    if age is None:
        return "signature database date unknown"
    if age > max_age_hours:
        return f"signature database {int(age)} hours old"
    return ""


def scan_stream(stream: BinaryIO, timeout: float = 120.0) -> ScanResult:
    """Scan a binary stream. Raises ScannerUnavailable when clamd cannot be reached or errs."""
    try:
        with _connect(timeout) as sock:
            _command(sock, b"INSTREAM")
            while chunk := stream.read(CHUNK):
                sock.sendall(struct.pack("!L", len(chunk)) + chunk)
            sock.sendall(struct.pack("!L", 0))
            reply = _read_reply(sock)
    except OSError as exc:
        raise ScannerUnavailable(str(exc)) from exc
    # "stream: OK" | "stream: Eicar-Signature FOUND" | "INSTREAM size limit exceeded. ERROR"
    if reply.endswith("OK"):
        return ScanResult(clean=True)
    if reply.endswith("FOUND"):
        signature = reply.split(":", 1)[-1].rsplit(" ", 1)[0].strip()
        return ScanResult(clean=False, signature=signature)
    raise ScannerUnavailable(reply or "empty reply from clamd")
