"""A stand-in clamd that answers PING and VERSION with a chosen signature database date (the real
clamd of the tests has only the EICAR test signature, and no test can wait for freshclam)."""

from __future__ import annotations

import socket
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path


def version_reply(age: timedelta | None) -> bytes:
    if age is None:
        return b"ClamAV 1.4.6"
    built = datetime.now(UTC) - age
    return f"ClamAV 1.4.6/27480/{built:%a %b %d %H:%M:%S %Y}".encode()


class FakeClamd:
    def __init__(self, path: Path, age: timedelta | None = timedelta(hours=3)) -> None:
        self.path = path
        self.age = age
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(str(path))
        self.server.listen(16)
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            with conn:
                data = b""
                while not data.endswith(b"\0"):
                    part = conn.recv(64)
                    if not part:
                        break
                    data += part
                if data.startswith(b"zPING"):
                    conn.sendall(b"PONG\0")
                elif data.startswith(b"zVERSION"):
                    conn.sendall(version_reply(self.age) + b"\0")

    def close(self) -> None:
        self.server.close()
        self.path.unlink(missing_ok=True)
