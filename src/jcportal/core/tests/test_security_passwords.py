"""Passwords: Argon2id at OWASP's recommended minimum (the speed is measured by bench/argon2_params.py,
not timed here); hashes with other parameters are upgraded at the next login."""

from __future__ import annotations

from django.contrib.auth.hashers import get_hasher, identify_hasher, make_password

from jcportal import settings as project_settings
from jcportal.accounts.hashers import MeasuredArgon2PasswordHasher


def test_the_password_hasher_is_argon2id_at_the_owasp_minimum():  # type: ignore[no-untyped-def]
    assert project_settings.PASSWORD_HASHERS[0] == "jcportal.accounts.hashers.MeasuredArgon2PasswordHasher"
    hasher = MeasuredArgon2PasswordHasher()
    encoded = hasher.encode("Sicheres-Passwort-2026", hasher.salt())
    assert encoded.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert hasher.verify("Sicheres-Passwort-2026", encoded)
    assert hasher.memory_cost * hasher.time_cost >= 19 * 1024 * 2  # OWASP: 19 MiB × 2 passes or more


def test_hashes_with_other_parameters_stay_valid_and_are_upgraded(settings):  # type: ignore[no-untyped-def]
    from django.contrib.auth.hashers import Argon2PasswordHasher

    class Old(Argon2PasswordHasher):  # cheaper than Django's default, to keep the test fast
        memory_cost = 8192

    old = Old().encode("Sicheres-Passwort-2026", Old().salt())
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS
    hasher = identify_hasher(old)
    assert isinstance(hasher, MeasuredArgon2PasswordHasher) and hasher.verify("Sicheres-Passwort-2026", old)
    assert hasher.must_update(old)
    assert not get_hasher().must_update(make_password("Sicheres-Passwort-2026"))
