"""Run the decoding of an untrusted file in a child process with a memory and a time limit.

A hostile file (a decompression bomb that slips past the header checks, a PDF whose repair loops, a
decoder bug that allocates without end) must never take the worker (or the web process) down: the
decoding runs in a forked child whose address space (``RLIMIT_AS``) and CPU time (``RLIMIT_CPU``) are
capped and which the parent kills after a wall-clock timeout. What the child returns (or raises as a
``FileProblem``) comes back through a pipe; a child that ran out of memory or time, or died, becomes
``FileProblem("too_complex")``, a message for the citizen like any other file problem.

The budget is on top of what the process already uses (a fork shares it): ``CONVERT_MEMORY_MB`` and
``CONVERT_SECONDS`` (settings). JPEG photos wrapped unchanged are not decoded and need no child.
"""

from __future__ import annotations

import os
import pickle
import resource
import select
import signal
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings

T = TypeVar("T")

_PAGE = os.sysconf("SC_PAGE_SIZE")


class LimitExceeded(Exception):
    """The child ran out of memory or time, or died; ``reason`` says which."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _address_space() -> int:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[0]) * _PAGE


def _child(func: Callable[..., Any], args: tuple[Any, ...], memory: int, seconds: int, fd: int) -> None:
    try:
        resource.setrlimit(resource.RLIMIT_AS, (_address_space() + memory, resource.RLIM_INFINITY))
        resource.setrlimit(resource.RLIMIT_CPU, (seconds, resource.RLIM_INFINITY))
        try:
            outcome: tuple[str, Any] = ("ok", func(*args))
        except MemoryError:
            outcome = ("limit", "memory")
        except BaseException as exc:  # noqa: BLE001 - every failure goes back to the parent
            outcome = ("raised", exc)
        try:
            payload = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # an unpicklable exception: its text is enough
            payload = pickle.dumps(("raised", RuntimeError(repr(outcome[1]))))
        with os.fdopen(fd, "wb") as pipe:
            pipe.write(payload)
    finally:
        os._exit(0)


def run_limited(
    func: Callable[..., T], *args: Any, memory_mb: int | None = None, seconds: int | None = None
) -> T:
    """``func(*args)`` in a forked child under the limits; its result or its exception, re-raised here.
    Raises ``LimitExceeded`` when the child exceeded a limit or died."""
    memory = (memory_mb or settings.CONVERT_MEMORY_MB) * 1024 * 1024
    limit = seconds or settings.CONVERT_SECONDS
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child, which never returns
        os.close(read_fd)
        _child(func, args, memory, limit, write_fd)
    os.close(write_fd)
    chunks: list[bytes] = []
    deadline = time.monotonic() + limit + 5
    timed_out = False
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                timed_out = True
                break
            ready, _, _ = select.select([read_fd], [], [], remaining)
            if not ready:
                continue
            chunk = os.read(read_fd, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(read_fd)
        if timed_out:
            os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
    if timed_out:
        raise LimitExceeded("time")
    if not chunks:
        signum = os.WTERMSIG(status) if os.WIFSIGNALED(status) else 0
        raise LimitExceeded("time" if signum == signal.SIGXCPU else "died")
    kind, value = pickle.loads(b"".join(chunks))  # noqa: S301 - our own child wrote it
    if kind == "ok":
        return value  # type: ignore[no-any-return]
    if kind == "limit":
        raise LimitExceeded(value)
    raise value
