#!/usr/bin/env bash
# The production topology on one machine: PostgreSQL, Redis (cache, broker, locks, rate limits), an
# S3-compatible server (moto), clamd, two gunicorn web processes (127.0.0.1:8000 and :8001), two Celery
# workers (intake+ocr, io+housekeeping) and one beat. Starts from a fresh database and bucket, seeds the
# demo data of `make run`. Ctrl-C stops everything it started.
#
# Knobs (the cluster test and bench/throughput.py use them): CLUSTER_VAR, CLUSTER_DB, CLUSTER_PORTS,
# CLUSTER_S3_PORT, CLUSTER_REDIS_URL, CLUSTER_REDIS_DB (cache; the broker uses the next one),
# CLUSTER_WORKERS ("intake,ocr io,housekeeping": one worker per entry, its queues), CLUSTER_CONCURRENCY,
# CLUSTER_BEAT (1/0), CLUSTER_COLLECTSTATIC (1/0).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=$(pwd)/.venv/bin/python
BIN=$(pwd)/.venv/bin
export PYTHONPATH=src

# PostgreSQL: the server on localhost, else a throwaway one (scripts/with-postgres.sh)
DB=${CLUSTER_DB:-jcportal_cluster}
if [ -z "${DATABASE_URL:-}" ]; then
  PG_URL="postgres://postgres@127.0.0.1:5432/$DB" exec bash scripts/with-postgres.sh bash "$0" "$@"
fi

VAR=$(realpath -m "${CLUSTER_VAR:-var/cluster}")
PORTS=${CLUSTER_PORTS:-"8000 8001"}
S3_PORT=${CLUSTER_S3_PORT:-9000}
REDIS_URL=${CLUSTER_REDIS_URL:-redis://127.0.0.1:6379}
REDIS_DB=${CLUSTER_REDIS_DB:-2}
WORKERS=${CLUSTER_WORKERS:-"intake,ocr io,housekeeping"}
CONCURRENCY=${CLUSTER_CONCURRENCY:-2}
rm -rf "$VAR/clamd" "$VAR/log"
mkdir -p "$VAR/clamd" "$VAR/log"

pids=()
cleanup() {
  trap - EXIT INT TERM
  for pid in "${pids[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true; done
  for _ in $(seq 50); do
    alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 0.2
  done
  for pid in "${pids[@]}"; do kill -KILL -- "-$pid" 2>/dev/null || true; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM
start() {  # start NAME COMMAND…: in its own process group, output to $VAR/log/NAME.log
  local name=$1
  shift
  setsid "$@" >"$VAR/log/$name.log" 2>&1 &
  pids+=($!)
}

if ! $PY -c "import redis, sys; redis.Redis.from_url('$REDIS_URL').ping()" 2>/dev/null; then
  command -v redis-server >/dev/null || { echo "Redis is neither running nor installed" >&2; exit 1; }
  REDIS_URL=redis://127.0.0.1:6390
  start redis redis-server --port 6390 --bind 127.0.0.1 --save "" --appendonly no
  sleep 0.5
fi

export JCPORTAL_VAR_DIR="$VAR"
export CACHE_URL="$REDIS_URL/$REDIS_DB"
export CELERY_BROKER_URL="$REDIS_URL/$((REDIS_DB + 1))"
export CELERY_TASK_ALWAYS_EAGER=false
export S3_BUCKET=jcportal-cluster S3_ENDPOINT_URL="http://127.0.0.1:$S3_PORT" S3_REGION=eu-central-1
export S3_ACCESS_KEY_ID=cluster S3_SECRET_ACCESS_KEY=cluster-secret
export MEDIA_ROOT="$VAR/no-local-media"  # nothing may be written here: files go to the bucket
export LOG_FORMAT=${LOG_FORMAT:-json}
export EMAIL_URL=${EMAIL_URL:-filemail:///$VAR/mail}  # every mail as a file in var/cluster/mail

# Fresh state: empty database, empty broker and cache, a new S3 server (moto keeps objects in memory).
# CLUSTER_DB_TEMPLATE (tests, benchmarks): a database migrated and seeded once is copied instead of
# migrating and seeding again (its demo files are not in the new bucket; set MASTER_KEY to keep its keys).
export CLUSTER_DB_TEMPLATE=${CLUSTER_DB_TEMPLATE:-}
CLONED=$($PY - <<EOF
import os, psycopg, redis
base, name = os.environ["DATABASE_URL"].rsplit("/", 1)
template = os.environ["CLUSTER_DB_TEMPLATE"]
with psycopg.connect(base + "/postgres", autocommit=True) as conn:
    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    found = template and conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [template]).fetchone()
    conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if found else ""))
for db in ($REDIS_DB, $REDIS_DB + 1):
    redis.Redis.from_url(f"$REDIS_URL/{db}").flushdb()
print("yes" if found else "no")
EOF
)
start s3 "$BIN/moto_server" -H 127.0.0.1 -p "$S3_PORT"
if command -v clamd >/dev/null 2>&1 || [ -x /usr/sbin/clamd ]; then
  $PY -c "from pathlib import Path; from jcportal.core import localclamd; localclamd.prepare(Path('$VAR/clamd'))"
  start clamd "$(command -v clamd || echo /usr/sbin/clamd)" --config-file "$VAR/clamd/clamd.conf"
  export CLAMD_SOCKET="$VAR/clamd/clamd.sock"
  export MALWARE_SCAN_REQUIRED="${MALWARE_SCAN_REQUIRED:-true}"
fi
$PY - <<EOF
import time, boto3
s3 = boto3.client("s3", endpoint_url="http://127.0.0.1:$S3_PORT", region_name="eu-central-1",
                  aws_access_key_id="cluster", aws_secret_access_key="cluster-secret")
for _ in range(100):
    try:
        s3.create_bucket(Bucket="jcportal-cluster", CreateBucketConfiguration={"LocationConstraint": "eu-central-1"})
        break
    except Exception:
        time.sleep(0.1)
else:
    raise SystemExit("the S3 server did not start")
EOF

if [ "$CLONED" != yes ]; then
  $PY manage.py migrate --noinput -v0
  if [ "${CLUSTER_SEED:-1}" = 1 ]; then $PY manage.py seed_demo; fi
  if [ -n "$CLUSTER_DB_TEMPLATE" ]; then  # the new template replaces those of older migrations
    $PY - <<EOF
import os, psycopg
base, name = os.environ["DATABASE_URL"].rsplit("/", 1)
template = os.environ["CLUSTER_DB_TEMPLATE"]
prefix = template.rstrip("0123456789abcdef")
with psycopg.connect(base + "/postgres", autocommit=True) as conn:
    for (old,) in conn.execute("SELECT datname FROM pg_database WHERE starts_with(datname, %s)", [prefix]).fetchall():
        conn.execute(f'DROP DATABASE IF EXISTS "{old}" WITH (FORCE)')
    conn.execute(f'CREATE DATABASE "{template}" TEMPLATE "{name}"')
EOF
  fi
fi
if [ "${CLUSTER_COLLECTSTATIC:-1}" = 1 ]; then $PY manage.py collectstatic --noinput -v0; fi

n=0
for queues in $WORKERS; do
  n=$((n + 1))
  start "worker-$n" "$BIN/celery" -A jcportal worker -Q "$queues" -n "worker-$n@%h" --concurrency "$CONCURRENCY" \
    --without-gossip --without-mingle
done
if [ "${CLUSTER_BEAT:-1}" = 1 ]; then start beat "$BIN/celery" -A jcportal beat; fi
for port in $PORTS; do
  start "web-$port" "$BIN/gunicorn" -c python:jcportal.core.gunicorn_config jcportal.wsgi:application \
    --bind "127.0.0.1:$port" --workers 2 --threads 4
done
for port in $PORTS; do
  for _ in $(seq 150); do
    curl -fs -o /dev/null "http://127.0.0.1:$port/livez" && break
    sleep 0.2
  done
done
echo
for port in $PORTS; do echo "Jobcenter-Portal: http://127.0.0.1:$port/   health: http://127.0.0.1:$port/healthz"; done
echo "database $DATABASE_URL, cache $CACHE_URL, broker $CELERY_BROKER_URL, S3 $S3_ENDPOINT_URL/$S3_BUCKET"
echo "logs: $VAR/log/   mail: $VAR/mail/"
echo "cluster ready"
wait -n "${pids[@]}"
