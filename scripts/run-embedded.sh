#!/usr/bin/env bash
# The embedded default in one box: clamd (local signatures), a Celery worker with beat on the
# filesystem transport, and the web server on 127.0.0.1:8000. Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
VAR=${JCPORTAL_VAR_DIR:-var}
mkdir -p "$VAR/clamd" "$VAR/broker/queue" "$VAR/broker/processed" "$VAR/log"
# Safe to expose: no debug pages (the translated error pages instead); WhiteNoise serves the static files.
export DEBUG="${DEBUG:-false}"
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

if command -v clamd >/dev/null 2>&1 || [ -x /usr/sbin/clamd ]; then
  $PY -c "import sys; sys.path.insert(0, 'src'); from pathlib import Path; from jcportal.core import localclamd; localclamd.prepare(Path('$VAR/clamd').resolve())"
  "$(command -v clamd || echo /usr/sbin/clamd)" --config-file "$VAR/clamd/clamd.conf" &
  pids+=($!)
  export CLAMD_SOCKET="${CLAMD_SOCKET:-$(realpath -m "$VAR/clamd/clamd.sock")}"
  export MALWARE_SCAN_REQUIRED="${MALWARE_SCAN_REQUIRED:-true}"
fi

# One worker for every queue (intake, ocr, io, housekeeping); production runs one per queue.
PYTHONPATH=src .venv/bin/celery -A jcportal worker -B -Q intake,ocr,io,housekeeping --concurrency 2 --loglevel INFO \
  --schedule "$VAR/celerybeat-schedule" >"$VAR/log/worker.log" 2>&1 &
pids+=($!)

$PY manage.py seed_demo
echo
echo "Jobcenter-Portal: http://127.0.0.1:8000/   health: http://127.0.0.1:8000/healthz"
echo "worker log: $VAR/log/worker.log"
PYTHONPATH=src .venv/bin/gunicorn -c python:jcportal.core.gunicorn_config jcportal.wsgi:application --bind 127.0.0.1:8000 \
  --workers 2 --threads 4 &
pids+=($!)
wait -n "${pids[@]}"
