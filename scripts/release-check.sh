#!/usr/bin/env bash
# The project's proof of the release path (issue 21): what a tagged release publishes, built and
# installed here the way a student installs it. Not part of .ci/run (it makes a full `dist` build,
# about 15 minutes on a 2-core machine); run it before tagging a release:
#   bash scripts/release-check.sh
# Needs only the Rust toolchain, python3, curl, tar, xz and sha256sum; the rest comes from the
# crate registry. In order:
#  1. installs the dist version pinned in dist-workspace.toml from crates.io (`--locked`), cached
#     in target/tools/ (a second run reuses it);
#  2. checks that every AWS SDK crate is named in both [profile.release.package] and
#     [profile.dist.package] of Cargo.toml, that .github/workflows/release.yml is exactly what
#     `dist generate` writes from dist-workspace.toml, and that `dist plan` succeeds;
#  3. builds this host's artifacts with dist into target/distrib/ (the .tar.xz, its .sha256,
#     sha256.sum, the shell installer) and checks the checksums and the binary's size (<= 25 MiB);
#  4. serves target/distrib/ on 127.0.0.1 (a free port) and runs the generated shell installer
#     with its download-URL override into a temporary HOME/CARGO_HOME, in a network namespace
#     with nothing but loopback (`unshare -n`) where the system allows it;
#  5. runs the installed `lecture06 --version` and a whole `--sandbox run --yes` in a temporary
#     folder, then serves the archive with one byte changed and shows the installer refuses it;
#  6. prints, as its last line, `binary=<bytes> archive=<bytes> installed_in=<seconds>`.
set -euo pipefail
cd "$(dirname "$0")/.."

HOST=x86_64-unknown-linux-gnu
MAX_BINARY_BYTES=$((25 * 1024 * 1024))
DIST_VERSION=$(sed -n 's/^cargo-dist-version = "\(.*\)"$/\1/p' dist-workspace.toml)
TOOLS="$PWD/target/tools/dist-$DIST_VERSION"
DIST="$TOOLS/bin/dist"
ARCHIVE="lecture06-$HOST.tar.xz"
INSTALLER="lecture06-installer.sh"

say() { echo "release-check: $*" >&2; }
fail() {
  echo "release-check: FAILED: $*" >&2
  exit 1
}

[ -n "$DIST_VERSION" ] || fail "no cargo-dist-version in dist-workspace.toml"
[ "$(rustc -vV | sed -n 's/^host: //p')" = "$HOST" ] ||
  fail "this check builds and installs the $HOST artifacts: run it on an $HOST machine"

# 1. The pinned dist, from the crate registry (the crate is cargo-dist, the command `dist`).
if [ "$("$DIST" --version 2>/dev/null)" != "cargo-dist $DIST_VERSION" ]; then
  say "installing cargo-dist $DIST_VERSION into $TOOLS (once; a few minutes)"
  cargo install cargo-dist --locked --version "$DIST_VERSION" --root "$TOOLS"
fi
say "$("$DIST" --version)"

# 2a. Cargo takes no wildcards in profile package tables: every SDK crate the binary links must be
# named in both profiles (a new aws-sdk-* dependency would otherwise build at the wrong opt-level).
# Left out: the proc-macro crate and aws-smithy-protocol-test (aws-smithy-http-client's test-util).
sdk_crates=$(cargo tree --locked -e normal --prefix none -f '{p}' --target "$HOST" |
  awk '$1 ~ /^aws-(sdk|smithy)-/ && $1 !~ /-macros$/ && $1 != "aws-smithy-protocol-test" {print $1}' | sort -u)
for profile in release dist; do
  table=$(sed -n "/^\[profile\.$profile\.package\]$/,/^\[/p" Cargo.toml)
  for crate in $sdk_crates; do
    grep -q "^$crate = " <<<"$table" || fail "Cargo.toml: [profile.$profile.package] does not name $crate"
  done
done
say "every SDK crate is named in [profile.release.package] and [profile.dist.package]"

# 2b. The workflow is dist's own, unedited: `dist generate --check` fails on any difference.
"$DIST" generate --mode=ci --check ||
  fail ".github/workflows/release.yml is not what dist $DIST_VERSION generates: run \`$DIST generate --mode=ci\` and read the diff"
say "release.yml is what dist $DIST_VERSION generates"
"$DIST" plan >/dev/null || fail "dist plan"
say "dist plan succeeds"

# 3. This host's artifacts, built as the workflow's build-local-artifacts and
# build-global-artifacts jobs build them (profile.dist).
rm -rf target/distrib
say "building the $HOST artifacts (profile dist; this is the long part)"
/usr/bin/time -f "release-check: dist build: %e s wall, %U s user + %S s system CPU, %M KB peak" \
  "$DIST" build --artifacts=all --target="$HOST" >/dev/null
DISTRIB="$PWD/target/distrib"
for file in "$ARCHIVE" "$ARCHIVE.sha256" sha256.sum "$INSTALLER"; do
  [ -s "$DISTRIB/$file" ] || fail "dist build made no target/distrib/$file"
done
(cd "$DISTRIB" && sha256sum --quiet -c "$ARCHIVE.sha256") || fail "$ARCHIVE does not match $ARCHIVE.sha256"
grep -qF "$(cut -d' ' -f1 "$DISTRIB/$ARCHIVE.sha256")" "$DISTRIB/sha256.sum" ||
  fail "sha256.sum does not list $ARCHIVE's checksum"
grep -qF "$(cut -d' ' -f1 "$DISTRIB/$ARCHIVE.sha256")" "$DISTRIB/$INSTALLER" ||
  fail "$INSTALLER does not carry $ARCHIVE's checksum"
ARCHIVE_BYTES=$(stat -c %s "$DISTRIB/$ARCHIVE")
BINARY_BYTES=$(tar -xJOf "$DISTRIB/$ARCHIVE" "lecture06-$HOST/lecture06" | wc -c)
[ "$BINARY_BYTES" -le "$MAX_BINARY_BYTES" ] ||
  fail "the binary is $BINARY_BYTES bytes, over the 25 MiB ($MAX_BINARY_BYTES bytes) budget"
say "archive $ARCHIVE_BYTES bytes, checksums agree; binary $BINARY_BYTES bytes (<= 25 MiB)"

# 4 and 5 run in their own network namespace when the system allows it: loopback only.
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/bad"
cp "$DISTRIB/$ARCHIVE" "$DISTRIB/$INSTALLER" "$WORK/bad/"
# One byte in the middle of the archive changed (inverted): the archive the installer must refuse.
python3 - "$WORK/bad/$ARCHIVE" <<'EOF'
import sys
path = sys.argv[1]
with open(path, "r+b") as f:
    data = f.read()
    f.seek(len(data) // 2)
    f.write(bytes([data[len(data) // 2] ^ 0xFF]))
EOF

# Serves a folder on 127.0.0.1 and runs the shell installer from it into fresh HOME/CARGO_HOME
# folders under $WORK/<name>; prints the seconds it took; returns the installer's status.
install_from() {
  local served=$1 name=$2 port pid status start end
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  python3 -m http.server --bind 127.0.0.1 --directory "$served" "$port" >"$WORK/$name-http.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 100); do
    curl -fsS -o /dev/null "http://127.0.0.1:$port/$INSTALLER" 2>/dev/null && break
    sleep 0.1
  done
  mkdir -p "$WORK/$name/home"
  start=$(date +%s.%N)
  status=0
  env -i PATH=/usr/bin:/bin HOME="$WORK/$name/home" CARGO_HOME="$WORK/$name/cargo" \
    LECTURE06_DOWNLOAD_URL="http://127.0.0.1:$port" \
    sh "$served/$INSTALLER" >"$WORK/$name/installer.log" 2>&1 || status=$?
  end=$(date +%s.%N)
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  python3 -c "print(f'{$end - $start:.2f}')"
  return "$status"
}

# The installed binary: its version, and the whole sandbox assignment in a temporary folder.
run_installed() {
  local bin="$WORK/good/cargo/bin/lecture06" expected
  expected="lecture06 $(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -1)"
  [ -x "$bin" ] || fail "the installer put no lecture06 in CARGO_HOME/bin"
  [ "$("$bin" --version)" = "$expected" ] || fail "installed --version says '$("$bin" --version)', expected '$expected'"
  say "installed: $("$bin" --version)"
  mkdir -p "$WORK/assignment"
  (cd "$WORK/assignment" && HOME="$WORK/good/home" "$bin" --sandbox run --yes >"$WORK/run.log" 2>&1) ||
    fail "the installed lecture06 --sandbox run --yes failed (its output: $(tail -5 "$WORK/run.log"))"
  (cd "$WORK/assignment" && HOME="$WORK/good/home" "$bin" --sandbox status --json >"$WORK/status.json") || fail "status --json"
  python3 - "$WORK/status.json" <<'EOF' || fail "the sandbox run left steps undone (status --json: $WORK/status.json)"
import json, sys
status = json.load(open(sys.argv[1]))
steps = status["steps"]
undone = [s for s in steps if s.get("status") != "done"]
sys.exit(1 if not steps or undone else 0)
EOF
  say "installed lecture06 ran the whole sandbox assignment"
}

offline_phase() {
  INSTALLED_IN=$(install_from "$DISTRIB" good) ||
    fail "the installer failed on the archive dist built: $(tail -5 "$WORK/good/installer.log")"
  say "installer: $INSTALLED_IN s (log: tail of $WORK/good/installer.log)"
  run_installed
  if install_from "$WORK/bad" bad >/dev/null; then
    fail "the installer accepted an archive with one byte changed"
  fi
  grep -qi "checksum" "$WORK/bad/installer.log" ||
    fail "the installer refused the changed archive, but not for its checksum: $(tail -5 "$WORK/bad/installer.log")"
  [ ! -e "$WORK/bad/cargo/bin/lecture06" ] || fail "the refused archive left a lecture06 behind"
  say "the installer refuses an archive with one byte changed: $(grep -i checksum "$WORK/bad/installer.log" | head -1)"
  echo "binary=$BINARY_BYTES archive=$ARCHIVE_BYTES installed_in=$INSTALLED_IN"
}

export -f say fail install_from run_installed offline_phase
export WORK DISTRIB ARCHIVE INSTALLER BINARY_BYTES ARCHIVE_BYTES
if unshare -rn true 2>/dev/null; then
  say "installing in a network namespace with loopback only (unshare -rn)"
  unshare -rn bash -c 'set -euo pipefail; ip link set lo up; offline_phase'
else
  say "unshare -rn is not allowed here: installing with the network present (the URL override still points at 127.0.0.1)"
  offline_phase
fi
