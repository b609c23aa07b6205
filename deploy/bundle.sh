#!/usr/bin/env bash
# `make bundle`: one archive that installs the system on a server without network access.
#   dist/keyprojects-<version>-<date>.tar.gz
#     keyprojects-<version>-<date>/
#       install.sh            the install script (deploy/install.sh)
#       app/                  the code (tracked and new files, as git sees them), with node_modules/:
#                             the front-end packages of package.json, served locally
#       wheelhouse/           every Python wheel for the target (manylinux x86_64, CPython 3.11) and
#                             requirements.txt, the pinned dependencies of pyproject.toml
#       SHA256SUMS
# The target can be changed: KP_BUNDLE_PYTHON=3.12 make bundle (a wheelhouse for Python 3.12).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
TARGET_PY="${KP_BUNDLE_PYTHON:-3.11}"
ABI="cp${TARGET_PY/./}"
VERSION="$($PY -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["project"]["version"])')"
NAME="keyprojects-${VERSION}-$(date +%Y%m%d)"
STAGE="build/bundle/${NAME}"
rm -rf "$STAGE"
mkdir -p "$STAGE/app" "$STAGE/wheelhouse" dist

echo "== code"
# Every file git knows of or would add (not .gitignore'd), as it stands in the working tree.
git ls-files -z --cached --others --exclude-standard \
  | while IFS= read -r -d '' f; do [ -f "$f" ] && printf '%s\0' "$f"; done \
  | grep -zv -E '^(e2e|bench)/' \
  | tar --null -T - -cf - | tar -xf - -C "$STAGE/app"
git rev-parse HEAD >"$STAGE/app/REVISION" 2>/dev/null || true

echo "== front-end packages (npm ci from package-lock.json)"
[ -f node_modules/.installed ] || npm ci --no-audit --no-fund --loglevel=error
cp -a node_modules "$STAGE/app/node_modules"
rm -f "$STAGE/app/node_modules/.installed"

echo "== Python wheels for manylinux x86_64, CPython ${TARGET_PY}"
$PY -c 'import tomllib; print("\n".join(tomllib.load(open("pyproject.toml", "rb"))["project"]["dependencies"]))' \
  >"$STAGE/wheelhouse/requirements.txt"
platforms=()
for p in manylinux_2_28 manylinux_2_27 manylinux_2_24 manylinux_2_17 manylinux2014 manylinux_2_12 \
  manylinux2010 manylinux_2_5 manylinux1; do
  platforms+=(--platform "${p}_x86_64")
done
# pip resolves the transitive dependencies here, once; the server installs exactly these files.
$PY -m pip download --quiet --disable-pip-version-check --only-binary=:all: "${platforms[@]}" \
  --python-version "$TARGET_PY" --implementation cp --abi "$ABI" \
  --dest "$STAGE/wheelhouse" -r "$STAGE/wheelhouse/requirements.txt"

printf "python_version=%s\nplatform=manylinux_2_28_x86_64\n" "$TARGET_PY" >"$STAGE/wheelhouse/TARGET"
cp deploy/install.sh "$STAGE/install.sh"
chmod +x "$STAGE/install.sh"
(cd "$STAGE" && find . -type f ! -name SHA256SUMS ! -path './app/node_modules/*' -print0 | sort -z \
  | xargs -0 sha256sum >SHA256SUMS)

echo "== archive"
tar -C build/bundle -czf "dist/${NAME}.tar.gz" "$NAME"
rm -rf "$STAGE"
ls -lh "dist/${NAME}.tar.gz"
