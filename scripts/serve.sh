#!/usr/bin/env bash
# Serve the platform for the demo, on SQLite: the background worker and gunicorn.
#
# `make run` migrates, loads the reference data and the demo and collects the
# static files, then calls this script. It prints the address and the demo
# logins, starts the worker (imports and other background tasks), the scheduler
# (the daily reminder sweep) and the web server, and stops the worker and the
# scheduler when the web server exits.
set -euo pipefail

cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
PORT=${PORT:-8000}
PY="$VENV/bin/python"

# Demo mode: enables `manage.py totp_code` for the presenter. Never on a real server.
export OCOP_DEMO=true
if [ "${OCOP_PRODUCTION:-false}" = "true" ]; then
    echo "serve.sh serves the demo; refusing to run with OCOP_PRODUCTION=true" >&2
    exit 2
fi

echo
echo "OCOP platform (demo) — open http://127.0.0.1:${PORT}/"
echo
"$PY" manage.py demo_logins
echo
echo "Current authenticator code of a staff account, from another terminal:"
echo "  OCOP_DEMO=true $PY manage.py totp_code demo_bacninh"
echo "Stop with Ctrl-C."
echo

# --no-reload: the worker must not restart itself halfway through an import.
"$PY" manage.py db_worker --no-reload &
worker=$!
# Enqueues the daily jobs (certificate reminders) for the worker, once a day.
"$PY" manage.py scheduler &
scheduler=$!
# One thread per worker: SQLite takes one writer at a time. Persistent connections: reopening SQLite for every
# request makes the closing connection checkpoint the WAL with an fsync (about 20 ms a scan on this hardware).
CONN_MAX_AGE=${CONN_MAX_AGE:-60} "$VENV/bin/gunicorn" ocop.wsgi:application \
    --bind "127.0.0.1:${PORT}" --workers 2 --threads 1 \
    --access-logfile - --error-logfile - &
web=$!

stop_web() {
    kill -TERM "$web" 2>/dev/null || true
}
stop_worker() {
    kill -TERM "$scheduler" "$worker" 2>/dev/null || true
    wait "$scheduler" "$worker" 2>/dev/null || true
}
# Ctrl-C or a TERM from a supervisor stops gunicorn; whatever way the script
# ends, the worker and the scheduler are stopped too.
trap stop_web INT TERM
trap stop_worker EXIT

status=0
wait "$web" || status=$?
# `wait` returns early when a trapped signal arrives: wait for gunicorn to finish shutting down.
while kill -0 "$web" 2>/dev/null; do
    wait "$web" || status=$?
done
exit "$status"
