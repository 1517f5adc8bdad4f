"""Argon2id parameters for passwords, chosen by measurement (issue 13): OWASP's recommended minimum
(Password Storage Cheat Sheet: m = 19 MiB, t = 2, p = 1, or an equivalent trade of memory for time),
not more than 0.5 s per hash on these cores.

Measured: the median of RUNS hashes per candidate, wall-clock and CPU time (CPU time is what a login
costs a core; on a loaded machine the wall-clock figure includes waiting for one). The verdict checks the
parameters in ``jcportal.accounts.hashers`` (the ones in PASSWORD_HASHERS): at least the OWASP minimum
and a median CPU time ≤ TARGET_S. Django's own default (m = 100 MiB, t = 2, p = 8) is measured beside it
for comparison: 2.7 s per login under 20 users on two cores (issue 13).

``python bench/argon2_params.py`` prints a table on stderr and the result as one JSON line.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

from argon2.low_level import Type, hash_secret

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

RUNS = 7
TARGET_S = 0.5
OWASP_MINIMUM = (19 * 1024, 2, 1)  # memory KiB, time cost, parallelism
CANDIDATES = {
    "django-default m=100MiB t=2 p=8": (102400, 2, 8),
    "owasp m=46MiB t=1 p=1": (47104, 1, 1),
    "owasp m=19MiB t=2 p=1": (19456, 2, 1),
    "owasp m=12MiB t=3 p=1": (12288, 3, 1),
    "m=64MiB t=3 p=1": (65536, 3, 1),
}


def measure(memory_kib: int, time_cost: int, parallelism: int) -> tuple[float, float]:
    """(median wall-clock s, median CPU s) of RUNS hashes."""
    walls, cpus = [], []
    for index in range(RUNS + 1):
        wall, cpu = time.perf_counter(), time.process_time()
        hash_secret(
            b"Sicheres-Passwort-2026",
            b"0123456789abcdef",
            time_cost=time_cost,
            memory_cost=memory_kib,
            parallelism=parallelism,
            hash_len=32,
            type=Type.ID,
        )
        if index:  # the first run warms the allocator
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def main() -> int:
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jcportal.settings")
    from jcportal.accounts.hashers import MeasuredArgon2PasswordHasher as chosen

    ours = (chosen.memory_cost, chosen.time_cost, chosen.parallelism)
    candidates = {**CANDIDATES, "ours (PASSWORD_HASHERS)": ours}
    figures = {}
    for name, params in candidates.items():
        wall, cpu = measure(*params)
        figures[name] = {"wall_s": round(wall, 3), "cpu_s": round(cpu, 3)}
        print(f"{name:34} wall {wall * 1000:7.0f} ms   cpu {cpu * 1000:7.0f} ms", file=sys.stderr)
    mine = figures["ours (PASSWORD_HASHERS)"]
    memory, time_cost, _ = ours
    # OWASP's equivalent settings trade memory for passes: at least 19 MiB × 2 passes of work.
    at_least_owasp = memory >= 7 * 1024 and memory * time_cost >= OWASP_MINIMUM[0] * OWASP_MINIMUM[1]
    ok = at_least_owasp and mine["cpu_s"] <= TARGET_S
    default = figures["django-default m=100MiB t=2 p=8"]
    message = (
        f"ours m={memory // 1024}MiB t={time_cost} p={ours[2]}: {mine['cpu_s'] * 1000:.0f} ms CPU "
        f"({mine['wall_s'] * 1000:.0f} ms wall) per hash, target ≤ {TARGET_S * 1000:.0f} ms and ≥ OWASP minimum; "
        f"Django's default m=100MiB t=2 p=8: {default['cpu_s'] * 1000:.0f} ms CPU ({default['wall_s'] * 1000:.0f} ms wall)"
    )
    print(
        json.dumps(
            {"name": "argon2_params", "ok": ok, "message": message, "target_s": TARGET_S, "figures": figures}
        )
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
