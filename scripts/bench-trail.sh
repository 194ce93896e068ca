#!/usr/bin/env bash
# Benchmark of `lecture06 trail search` (issues 8 and 22). Not part of CI: run it by hand.
#   bash scripts/bench-trail.sh [MB]   (default 1100 MB uncompressed)
#   BENCH_COMMITS="d373ee1 9632b3b" bash scripts/bench-trail.sh   (also time those commits' engine)
# Builds bench/trail (the search engine alone, release) from the work tree and, for each commit
# in BENCH_COMMITS, from that commit's sources; generates a deterministic synthetic archive shaped
# like a real trail; then times on the same files, warm cache, in one run so that every contender
# sees the same machine load:
#   each engine (all cores, ROUNDS rounds interleaved: A B C A B C …)  vs  gzip -dc > /dev/null
#   (one core)  vs  zcat | jq (same selection)
# and reports throughput, the ratios, peak RSS and the load average.
set -euo pipefail
cd "$(dirname "$0")/.."
MB="${1:-1100}"
DATA="${TRAIL_BENCH_DIR:-/tmp/lecture06-trail-bench-$MB}"
TEMPLATES="${TRAIL_BENCH_TEMPLATES:-../shared/testdata/cloudtrail/invictus-archive}"
ROUNDS="${ROUNDS:-3}"
WORK="${TRAIL_BENCH_WORK:-/tmp/lecture06-trail-bench-build}"
USER_NAME=taro-student
EVENT=StopInstances

need() { command -v "$1" >/dev/null 2>&1 || { echo "installing $2"; (sudo -n true 2>/dev/null && sudo apt-get install -y "$2") || apt-get install -y "$2"; }; }
need jq jq
[ -x /usr/bin/time ] || need time time
need gzip gzip

# One binary per contender: "work" (this tree) and each commit of BENCH_COMMITS, all built with
# one target directory so the dependencies compile once.
mkdir -p "$WORK/bin"
export CARGO_TARGET_DIR="$WORK/target"
cargo build --release --quiet --manifest-path bench/trail/Cargo.toml
cp "$CARGO_TARGET_DIR/release/trail-bench" "$WORK/bin/work"
NAMES=(work)
for commit in ${BENCH_COMMITS:-}; do
  src="$WORK/src-$commit"
  rm -rf "$src"; mkdir -p "$src"
  git archive "$commit" src bench/trail | tar -x -C "$src"
  cargo build --release --quiet --manifest-path "$src/bench/trail/Cargo.toml"
  cp "$CARGO_TARGET_DIR/release/trail-bench" "$WORK/bin/$commit"
  NAMES+=("$commit")
done
BIN="$WORK/bin/work"

if [ ! -f "$DATA/manifest.txt" ]; then
  rm -rf "$DATA"; mkdir -p "$DATA"
  echo "generating $MB MB into $DATA"
  "$BIN" generate "$DATA" --mb "$MB" --templates "$TEMPLATES"
fi
cat "$DATA/manifest.txt"; echo
LIST="$DATA/files.txt"
find "$DATA" -name '*.json.gz' | sort > "$LIST"
echo "files: $(wc -l < "$LIST"), cores: $(nproc), load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
xargs cat < "$LIST" > /dev/null   # warm the page cache for every contender

secs() { local s e; s=$(date +%s.%N); "$@"; e=$(date +%s.%N); echo "$e - $s" | bc -l; }

GZIP_S=$(secs bash -c "xargs gzip -dc < '$LIST' > /dev/null")
echo "gzip -dc (1 core):            ${GZIP_S}s"

"$BIN" inflate "$DATA"

# Interleaved rounds: every contender once per round.
declare -A BEST RSS MATCHES
for round in $(seq "$ROUNDS"); do
  for name in "${NAMES[@]}"; do
    out="$WORK/search-$name.json"
    /usr/bin/time -v "$WORK/bin/$name" search "$DATA" --user "$USER_NAME" --event "$EVENT" > "$out" 2> "$WORK/time-$name.txt"
    s=$(jq -r .seconds "$out")
    rss=$(grep 'Maximum resident' "$WORK/time-$name.txt" | awk '{print $NF}')
    echo "round $round  $name  --user --event: ${s}s, peak RSS ${rss} KB, $(jq -r .matches "$out") matches, load $(cut -d' ' -f1 /proc/loadavg)"
    if [ -z "${BEST[$name]:-}" ] || [ "$(echo "$s < ${BEST[$name]}" | bc -l)" = 1 ]; then BEST[$name]=$s; fi
    if [ -z "${RSS[$name]:-}" ] || [ "$rss" -gt "${RSS[$name]}" ]; then RSS[$name]=$rss; fi
    MATCHES[$name]=$(jq -r .matches "$out")
  done
done

/usr/bin/time -v "$BIN" search "$DATA" --user "$USER_NAME" > "$WORK/search-user.json" 2> "$WORK/time-user.txt"
echo "work --user only:             $(jq -r .seconds "$WORK/search-user.json")s, peak RSS $(grep 'Maximum resident' "$WORK/time-user.txt" | awk '{print $NF}') KB"

JQ_S=$(secs bash -c "xargs zcat < '$LIST' | jq -c --arg u '$USER_NAME' --arg e '$EVENT' '.Records[] | select(.userIdentity.userName == \$u and .eventName == \$e) | .eventID' | sort -u > '$WORK/jq.txt'")
echo "zcat | jq (same selection):   ${JQ_S}s, $(wc -l < "$WORK/jq.txt") distinct events"
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"

echo
printf '%-10s %10s %14s %12s %10s %8s\n' engine "best s" "/ gzip -dc" "jq / engine" "RSS MB" matches
for name in "${NAMES[@]}"; do
  printf '%-10s %10.3f %14.3f %12.1f %10d %8s\n' "$name" "${BEST[$name]}" \
    "$(echo "${BEST[$name]} / $GZIP_S" | bc -l)" "$(echo "$JQ_S / ${BEST[$name]}" | bc -l)" \
    "$((RSS[$name] / 1024))" "${MATCHES[$name]}"
done
echo "targets: engine / gzip -dc <= 0.12, jq / engine >= 40, peak RSS < 256 MB"
