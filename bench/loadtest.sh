#!/usr/bin/env bash
# A bounded load test: gunicorn on 127.0.0.1 with the production settings and a Celery
# worker against the configured PostgreSQL and Redis, locust headless for LOADTEST_TIME, a
# summary per request type (requests/s, p50/p95/p99, errors), then everything stops.
set -euo pipefail
: "${DATABASE_URL:?set DATABASE_URL to the PostgreSQL database to test}"
: "${REDIS_URL:?set REDIS_URL (the cache shared by the web processes)}"
RUN=${RUN:-uv run --frozen}
PORT=${LOADTEST_PORT:-8765}
WORKERS=${LOADTEST_WORKERS:-2}
THREADS=${LOADTEST_THREADS:-1}
AGENTS=${LOADTEST_AGENTS:-200}
INTEGRATIONS=${LOADTEST_INTEGRATIONS:-20}
# A shift signs in over about a minute (4 agents a second), then works five minutes.
SPAWN_RATE=${LOADTEST_SPAWN_RATE:-4}
TIME=${LOADTEST_TIME:-6m}
# LOADTEST_INTEGRATIONS=0 (with LOADTEST_THINK=0) measures the agents' mix alone at saturation.
USERS=(Agent)
if [ "$INTEGRATIONS" -gt 0 ]; then USERS+=(Integration); fi
mkdir -p var
export DEBUG=0 SECURE_SSL_REDIRECT=0 BEHIND_TLS_PROXY=1 ALLOWED_HOSTS=127.0.0.1
export SECRET_KEY=${SECRET_KEY:-$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))')}
export CELERY_BROKER_URL=${CELERY_BROKER_URL:-$REDIS_URL}
$RUN python manage.py migrate --no-input >/dev/null
$RUN python manage.py collectstatic --no-input >/dev/null
$RUN python manage.py shell -c \
  "from bench.loadtest import loadtest_prepare; loadtest_prepare(agents=$AGENTS)"
$RUN gunicorn cxcenter.wsgi --bind "127.0.0.1:$PORT" --workers "$WORKERS" --threads "$THREADS" \
  --access-logfile /dev/null --error-logfile var/loadtest-gunicorn.log &
GUNICORN=$!
# The after-commit work of the intakes (routing notifications, surveys) runs here.
$RUN celery -A cxcenter worker --loglevel=WARNING --pool=threads \
  --concurrency "${LOADTEST_CELERY_CONCURRENCY:-2}" >var/loadtest-celery.log 2>&1 &
CELERY=$!
stop() {
  kill "$GUNICORN" "$CELERY" 2>/dev/null || true
  wait "$GUNICORN" "$CELERY" 2>/dev/null || true
}
trap stop EXIT
for _ in $(seq 1 50); do
  curl -fsS -o /dev/null "http://127.0.0.1:$PORT/healthz" && break
  sleep 0.2
done
uptime
# Locust stops by itself after --run-time; timeout bounds it if it does not.
LOADTEST_INTEGRATIONS=$INTEGRATIONS timeout --signal=INT 1h \
  $RUN --group load locust -f bench/locustfile.py --headless \
  --host "http://127.0.0.1:$PORT" --users "$((AGENTS + INTEGRATIONS))" \
  --spawn-rate "$SPAWN_RATE" --run-time "$TIME" --stop-timeout 10 \
  --csv var/loadtest --only-summary "${USERS[@]}" >var/loadtest-locust.log 2>&1 || true
uptime
$RUN python -m bench.loadtest_report var/loadtest
