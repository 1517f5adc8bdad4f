# jcportal – the two setup commands are `make run` and `make test` (see README).
SHELL := /bin/bash
PY := .venv/bin/python
PIP := .venv/bin/pip
PYTEST := .venv/bin/pytest
# Two processes (pytest-xdist): the suite stays well under 30 minutes on 2 cores.
PYTEST_ARGS ?= -q -p no:cacheprovider -n auto --durations=15
PG_URL ?= postgres://postgres@127.0.0.1:5432/jcportal
export PYTHONPATH := src

.PHONY: run run-cluster test system-deps venv prepare lint typecheck test-sqlite test-postgres bench soak audit fuzz messages compilemessages clean

system-deps:
	bash scripts/install-system-deps.sh

.venv/.installed: pyproject.toml requirements.lock
	test -x $(PY) || python3.11 -m venv .venv || python3 -m venv .venv
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -c requirements.lock -e '.[dev]'
	touch $@

venv: .venv/.installed

compilemessages: venv
	if [ -d src/jcportal/locale ]; then cd src/jcportal && ../../$(PY) ../../manage.py compilemessages -v0; fi

prepare: system-deps venv compilemessages
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py collectstatic --noinput -v0

run: prepare
	bash scripts/run-embedded.sh

# The production topology on one machine (README, "make run-cluster"): PostgreSQL, Redis, S3 (moto), two
# web processes on :8000 and :8001, two workers, one beat.
run-cluster: system-deps venv compilemessages
	bash scripts/run-cluster.sh

lint: venv
	.venv/bin/ruff check src conftest.py bench scripts
	.venv/bin/ruff format --check src conftest.py bench scripts

typecheck: venv
	.venv/bin/mypy src/jcportal

test-sqlite: venv compilemessages
	$(PYTEST) $(PYTEST_ARGS)

test-postgres: venv compilemessages
	bash scripts/with-postgres.sh $(PYTEST) $(PYTEST_ARGS)

test: system-deps lint typecheck test-sqlite test-postgres

# Speed and memory targets as ratios measured in one run (bench/README.md); not part of `make test`.
bench: venv
	$(PY) bench/run.py

# Soak (bench/README.md): 50 citizens upload and 10 caseworkers work their inbox for SOAK_MINUTES (20)
# against the embedded default and then the production topology, one worker killed (SIGKILL) and restarted
# in the middle; no errors, no lost or doubled documents, flat memory. Not part of `make test`.
soak: venv compilemessages
	$(PY) bench/soak.py

# Known vulnerabilities in requirements.lock (pip-audit). Fails with exit code 2, saying so, when no
# vulnerability database answers (these machines reach none): never a silent pass. docs/operations/security.md
audit: venv
	$(PY) scripts/audit.py

# Coverage-guided fuzzing of every parser of untrusted bytes (atheris), FUZZ_SECONDS per target; not in `make test`
# (its short cousin, the Hypothesis property tests, is).
fuzz: venv
	$(PY) scripts/fuzz.py

messages: venv
	$(PY) manage.py update_catalogues

clean:
	rm -rf var .venv
