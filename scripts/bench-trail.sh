#!/usr/bin/env bash
# Benchmark of `lecture06 trail search` (issue 8). Not part of CI: run it by hand.
#   bash scripts/bench-trail.sh [MB]   (default 1100 MB uncompressed)
# Builds bench/trail (the search engine alone, release), generates a deterministic synthetic
# archive shaped like a real trail, then times on the same files, warm cache:
#   the engine (all cores)  vs  gzip -dc > /dev/null (one core)  vs  zcat | jq (same selection)
# and reports throughput, the ratios and peak RSS.
set -euo pipefail
cd "$(dirname "$0")/.."
MB="${1:-1100}"
DATA="${TRAIL_BENCH_DIR:-/tmp/lecture06-trail-bench-$MB}"
TEMPLATES="${TRAIL_BENCH_TEMPLATES:-../shared/testdata/cloudtrail/invictus-archive}"
USER_NAME=taro-student
EVENT=StopInstances

need() { command -v "$1" >/dev/null 2>&1 || { echo "installing $2"; (sudo -n true 2>/dev/null && sudo apt-get install -y "$2") || apt-get install -y "$2"; }; }
need jq jq
[ -x /usr/bin/time ] || need time time
need gzip gzip

cargo build --release --quiet --manifest-path bench/trail/Cargo.toml
BIN=bench/trail/target/release/trail-bench

if [ ! -f "$DATA/manifest.txt" ]; then
  rm -rf "$DATA"; mkdir -p "$DATA"
  echo "generating $MB MB into $DATA"
  "$BIN" generate "$DATA" --mb "$MB" --templates "$TEMPLATES"
fi
cat "$DATA/manifest.txt"; echo
LIST="$DATA/files.txt"
find "$DATA" -name '*.json.gz' | sort > "$LIST"
echo "files: $(wc -l < "$LIST"), cores: $(nproc)"
xargs cat < "$LIST" > /dev/null   # warm the page cache for every contender

secs() { local s e; s=$(date +%s.%N); "$@"; e=$(date +%s.%N); echo "$e - $s" | bc -l; }

GZIP_S=$(secs bash -c "xargs gzip -dc < '$LIST' > /dev/null")
echo "gzip -dc (1 core):            ${GZIP_S}s"

"$BIN" inflate "$DATA"

/usr/bin/time -v "$BIN" search "$DATA" --user "$USER_NAME" --event "$EVENT" > /tmp/trail-bench-search.json 2> /tmp/trail-bench-time.txt
cat /tmp/trail-bench-search.json
ENGINE_S=$(jq -r .seconds /tmp/trail-bench-search.json)
RSS_KB=$(grep 'Maximum resident' /tmp/trail-bench-time.txt | awk '{print $NF}')
echo "engine --user --event:        ${ENGINE_S}s, peak RSS ${RSS_KB} KB"

/usr/bin/time -v "$BIN" search "$DATA" --user "$USER_NAME" > /tmp/trail-bench-search-user.json 2> /tmp/trail-bench-time-user.txt
cat /tmp/trail-bench-search-user.json
USER_S=$(jq -r .seconds /tmp/trail-bench-search-user.json)
echo "engine --user only:           ${USER_S}s, peak RSS $(grep 'Maximum resident' /tmp/trail-bench-time-user.txt | awk '{print $NF}') KB"

JQ_S=$(secs bash -c "xargs zcat < '$LIST' | jq -c --arg u '$USER_NAME' --arg e '$EVENT' '.Records[] | select(.userIdentity.userName == \$u and .eventName == \$e) | .eventID' | sort -u > /tmp/trail-bench-jq.txt")
echo "zcat | jq (same selection):   ${JQ_S}s, $(wc -l < /tmp/trail-bench-jq.txt) distinct events (engine: $(jq -r .matches /tmp/trail-bench-search.json))"

echo
echo "engine / gzip -dc wall time:  $(echo "$ENGINE_S / $GZIP_S" | bc -l | cut -c1-5)  (target <= 0.25)"
echo "jq / engine wall time:        $(echo "$JQ_S / $ENGINE_S" | bc -l | cut -c1-6)  (target >= 10)"
echo "peak RSS:                     $((RSS_KB / 1024)) MB  (target < 64)"
