#!/usr/bin/env bash
# Install or upgrade 重点项目管理系统 from an unpacked bundle, without network access.
#
#   sudo ./install.sh                     first install, or an upgrade with a newer bundle
#   ./install.sh --no-systemd --prefix DIR --env-file FILE
#                                         everything but the system user and the systemd units
#                                         (a trial run, or a server managed some other way)
#
# What it does: copies the code to PREFIX/app (the previous code goes to PREFIX/app.previous), makes the
# virtual environment PREFIX/venv and installs every package from ./wheelhouse only (pip --no-index),
# writes the environment file from deploy/keyprojects.env.example with a fresh SECRET_KEY if there is
# none yet (an existing one is never changed), collects the static files, applies the database
# migrations, and installs and (re)starts the systemd units keyprojects-web, -worker and -scheduler
# (and /usr/local/bin/kp-manage: manage.py with the services' environment, as their user).
set -euo pipefail

PREFIX=/opt/keyprojects
ENV_FILE=/etc/keyprojects/keyprojects.env
SERVICE_USER=keyprojects
SYSTEMD=1
MIGRATE=1
PYTHON="${PYTHON:-}"

usage() {
  sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'
  cat <<'USAGE'

Options:
  --prefix DIR        where the code, venv and data go (default /opt/keyprojects)
  --env-file FILE     the environment file (default /etc/keyprojects/keyprojects.env)
  --user NAME         the system user the services run as (default keyprojects)
  --python PATH       the Python 3.11 interpreter (default: python3.11, else python3)
  --no-systemd        no system user, no units: for a trial run or another process manager
  --no-migrate        do not touch the database (e.g. on a second app server: one server migrates)
USAGE
}

while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) PREFIX="$2"; shift 2 ;;
    --env-file) ENV_FILE="$2"; shift 2 ;;
    --user) SERVICE_USER="$2"; shift 2 ;;
    --python) PYTHON="$2"; shift 2 ;;
    --no-systemd) SYSTEMD=0; shift ;;
    --no-migrate) MIGRATE=0; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "未知参数：$1（--help 查看用法）" >&2; exit 2 ;;
  esac
done

BUNDLE="$(cd "$(dirname "$0")" && pwd)"
say() { printf '\n== %s\n' "$*"; }
die() { printf '错误：%s\n' "$*" >&2; exit 1; }

[ -d "$BUNDLE/app" ] && [ -d "$BUNDLE/wheelhouse" ] || die "请在解压后的安装包目录中运行（应有 app/ 和 wheelhouse/）。"
if [ "$SYSTEMD" = 1 ] && [ "$(id -u)" != 0 ]; then
  die "安装 systemd 服务需要 root 权限：请用 sudo 运行，或加 --no-systemd。"
fi

say "检查安装包完整性"
(cd "$BUNDLE" && sha256sum --quiet -c SHA256SUMS) || die "安装包文件校验失败，请重新拷贝安装包。"

say "检查 Python"
if [ -z "$PYTHON" ]; then
  PYTHON="$(command -v python3.11 || command -v python3 || true)"
fi
[ -n "$PYTHON" ] || die "找不到 Python 3.11，请先安装（见部署手册“环境要求”）。"
WANT="$(sed -n 's/^python_version=//p' "$BUNDLE/wheelhouse/TARGET" 2>/dev/null || echo 3.11)"
HAVE="$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
[ "$HAVE" = "$WANT" ] || die "安装包的软件包适用于 Python $WANT，而 $PYTHON 是 Python $HAVE；请用 --python 指定 Python $WANT。"
"$PYTHON" -c 'import venv, ensurepip' 2>/dev/null || die "$PYTHON 缺少 venv/ensurepip 模块（Debian/Ubuntu：安装 python3.11-venv）。"

if [ "$SYSTEMD" = 1 ] && ! id "$SERVICE_USER" >/dev/null 2>&1; then
  say "创建系统用户 $SERVICE_USER"
  useradd --system --home-dir "$PREFIX" --shell /usr/sbin/nologin "$SERVICE_USER"
fi

say "安装程序到 $PREFIX/app"
mkdir -p "$PREFIX"
if [ -d "$PREFIX/app" ]; then
  rm -rf "$PREFIX/app.previous"
  mv "$PREFIX/app" "$PREFIX/app.previous"
fi
cp -a "$BUNDLE/app" "$PREFIX/app"

say "安装 Python 软件包（离线：只用安装包中的 wheelhouse）"
[ -x "$PREFIX/venv/bin/python" ] || "$PYTHON" -m venv "$PREFIX/venv"
"$PREFIX/venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-index \
  --find-links "$BUNDLE/wheelhouse" -r "$BUNDLE/wheelhouse/requirements.txt"

if [ ! -f "$ENV_FILE" ]; then
  say "生成环境配置文件 $ENV_FILE（请按部署手册修改数据库地址等设置）"
  mkdir -p "$(dirname "$ENV_FILE")"
  secret="$("$PREFIX/venv/bin/python" -c 'import secrets; print(secrets.token_urlsafe(50))')"
  (umask 077 && sed -e "s|^SECRET_KEY=.*|SECRET_KEY=${secret}|" -e "s|/opt/keyprojects/data|${PREFIX}/data|g" \
    "$BUNDLE/app/deploy/keyprojects.env.example" >"$ENV_FILE")
  if [ "$SYSTEMD" = 1 ]; then
    chgrp "$SERVICE_USER" "$ENV_FILE" && chmod 640 "$ENV_FILE"
  fi
  cat <<NEXT

  程序和软件包已安装。请先编辑 $ENV_FILE：
  至少修改 DATABASE_URL、ALLOWED_HOSTS、CSRF_TRUSTED_ORIGINS、KP_SITE_URL（说明见部署手册第 5 节），
  然后再运行一次本脚本（同样的参数），完成数据库初始化并启动服务。已有的配置文件不会被覆盖。
NEXT
  exit 0
fi
grep -q '请改为' "$ENV_FILE" && die "$ENV_FILE 中仍有示例值（“请改为…”），请修改后再运行。"

# The services read the same file through systemd's EnvironmentFile=; read here the same way (NAME=value per
# line, the value as it stands, spaces included), not as shell code.
while IFS= read -r line || [ -n "$line" ]; do
  case "$line" in ''|'#'*) continue ;; esac
  export "${line%%=*}=${line#*=}"
done <"$ENV_FILE"
DATA_DIR="${KEYPROJECTS_DATA_DIR:-$PREFIX/data}"
mkdir -p "$DATA_DIR"
MANAGE=("$PREFIX/venv/bin/python" "$PREFIX/app/manage.py")

say "收集静态文件"
(cd "$PREFIX/app" && "${MANAGE[@]}" collectstatic --noinput -v0)

if [ "$MIGRATE" = 1 ]; then
  say "更新数据库结构（migrate）"
  (cd "$PREFIX/app" && "${MANAGE[@]}" migrate --noinput -v1)
  (cd "$PREFIX/app" && "${MANAGE[@]}" createcachetable)
fi

say "检查配置（check --deploy）"
(cd "$PREFIX/app" && "${MANAGE[@]}" check --deploy --fail-level ERROR) || die "配置检查未通过，请按提示修改 $ENV_FILE。"

if [ "$SYSTEMD" = 1 ]; then
  chown -R "$SERVICE_USER:$SERVICE_USER" "$DATA_DIR"
  say "安装 systemd 服务"
  for unit in keyprojects-web keyprojects-worker keyprojects-scheduler; do
    sed -e "s|/opt/keyprojects|${PREFIX}|g" \
      -e "s|/etc/keyprojects/keyprojects.env|${ENV_FILE}|g" \
      -e "s|^User=keyprojects|User=${SERVICE_USER}|" \
      -e "s|^Group=keyprojects|Group=${SERVICE_USER}|" \
      "$BUNDLE/app/deploy/systemd/${unit}.service" >"/etc/systemd/system/${unit}.service"
  done
  sed -e "s|^PREFIX=.*|PREFIX=${PREFIX}|" -e "s|^ENV_FILE=.*|ENV_FILE=${ENV_FILE}|" \
    -e "s|^SERVICE_USER=.*|SERVICE_USER=${SERVICE_USER}|" "$BUNDLE/app/deploy/kp-manage" >/usr/local/bin/kp-manage
  chmod 755 /usr/local/bin/kp-manage
  systemctl daemon-reload
  systemctl enable keyprojects-web keyprojects-worker keyprojects-scheduler >/dev/null
  systemctl restart keyprojects-web keyprojects-worker keyprojects-scheduler
  sleep 2
  systemctl --no-pager --lines=0 status keyprojects-web keyprojects-worker keyprojects-scheduler || true
fi

say "完成"
cat <<DONE
  程序：$PREFIX/app   虚拟环境：$PREFIX/venv   数据：$DATA_DIR
  配置：$ENV_FILE
  检查：curl -s http://${KP_BIND:-127.0.0.1:8000}/healthz   curl -s http://${KP_BIND:-127.0.0.1:8000}/readyz
  管理命令：kp-manage <命令>（如 kp-manage backup），见部署手册。
  首次安装后创建重点办管理员：在浏览器打开系统首页，按“初始设置”页面操作，或 kp-manage setup_office。
DONE
