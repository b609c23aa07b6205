#!/usr/bin/env bash
# Start the demo system: migrate, load the demo city once, run the task worker and the scheduler loop
# beside the web server (both stop with it).
# `scripts/run.sh` (make run) serves it as a real server does: gunicorn, DEBUG off, static files from
# WhiteNoise, the site's own error pages. `scripts/run.sh dev` (make dev) runs Django's development
# server with DEBUG on instead: it reloads on code changes and shows tracebacks.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
PORT="${PORT:-8000}"
MODE="${1:-run}"
DATA="${KEYPROJECTS_DATA_DIR:-data}"
mkdir -p "$DATA"
if [ "$MODE" = dev ]; then
  export DEBUG=1
else
  export DEBUG="${DEBUG:-0}"
  # With DEBUG off the built-in development key is not good enough: this installation gets its own,
  # made once and kept beside its database.
  if [ -z "${SECRET_KEY:-}" ]; then
    [ -s "$DATA/secret_key" ] || (umask 077 && $PY -c 'import secrets; print(secrets.token_urlsafe(50))' >"$DATA/secret_key")
    SECRET_KEY="$(cat "$DATA/secret_key")"
    export SECRET_KEY
  fi
fi
$PY manage.py migrate --noinput -v0
$PY manage.py collectstatic --noinput -v0
$PY manage.py load_demo --if-empty

# The worker runs imports and the scheduled jobs the loop queues (--no-reload: `make dev`'s runserver
# reloads itself; a reloading worker would stop tasks half-way).
$PY manage.py db_worker --no-reload -v0 &
worker=$!
$PY manage.py run_scheduler &
scheduler=$!
trap 'kill $scheduler $worker 2>/dev/null || true; wait $worker 2>/dev/null || true' EXIT INT TERM

cat <<MSG

  重点项目管理系统已启动： http://127.0.0.1:${PORT}/
  演示账号（密码均为 demo2026）：
    admin       重点办管理员（含系统管理）
    staff       重点办工作人员
    leader      市领导
    district    城区（青秀区）
    department  市直部门（市发展和改革委员会）
    owner       项目业主（南宁轨道交通集团有限责任公司）
  按 Ctrl+C 停止。

MSG
if [ "$MODE" = dev ]; then
  $PY manage.py runserver "127.0.0.1:${PORT}"
else
  .venv/bin/gunicorn keyprojects.wsgi --bind "127.0.0.1:${PORT}" --workers 2 --threads 4 --access-logfile - --log-level warning
fi
