#!/usr/bin/env bash
# Start the demo system: migrate, load the demo city once, run the scheduler loop beside the web server.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
PORT="${PORT:-8000}"
mkdir -p data
$PY manage.py migrate --noinput -v0
$PY manage.py collectstatic --noinput -v0
$PY manage.py load_demo --if-empty

$PY manage.py run_scheduler &
scheduler=$!
trap 'kill $scheduler 2>/dev/null || true' EXIT INT TERM

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
.venv/bin/gunicorn keyprojects.wsgi --bind "127.0.0.1:${PORT}" --workers 2 --threads 4 --access-logfile - --log-level warning
