"""The password hasher: Argon2id with parameters chosen by measurement on the target machine.

OWASP's Password Storage Cheat Sheet recommends at least m = 19 MiB, t = 2, p = 1 for Argon2id.
Django's default (m = 100 MiB, t = 2, p = 8) costs several times that per login: on two cores 20
concurrent logins took 2.7 s each (issue 13). ``bench/argon2_params.py`` measures the candidates; the
figures and the choice are in docs/operations/security.md. Hashes made with other parameters stay valid
and are re-hashed with these at the next login (Django's ``must_update``).
"""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class MeasuredArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 2
    memory_cost = 19456  # KiB = 19 MiB
    parallelism = 1
