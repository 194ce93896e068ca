#!/usr/bin/env bash
# Renders a lecture06 report as GitHub shows it, to a PNG anyone can look at: the report's HTML
# preview (`report --html`: pulldown-cmark with GitHub's extensions, charts inline) styled with
# github-markdown-css (the npm package GitHub's look is published as), photographed by headless
# Chromium (Debian's `chromium`). Not run in CI.
#
#   scripts/render-report.sh [--lang ja|en] [WORKSPACE]      -> WORKSPACE/render-<lang>.png
#
# Without WORKSPACE a fresh sandbox session is run (`--sandbox run --yes`) in a temporary folder.
# Needs: chromium, npm (github-markdown-css is installed once under $RENDER_CACHE, default
# ~/.cache/lecture06-render), and the lecture06 binary ($LECTURE06, default target/debug/lecture06).
set -euo pipefail

lang=ja
if [[ "${1:-}" == "--lang" ]]; then
  lang="${2:?--lang needs ja or en}"
  shift 2
fi
here="$(cd "$(dirname "$0")/.." && pwd)"
bin="${LECTURE06:-$here/target/debug/lecture06}"
[[ -x "$bin" ]] || { echo "no lecture06 binary at $bin: run cargo build, or set LECTURE06" >&2; exit 1; }
command -v chromium >/dev/null || { echo "chromium is missing: apt-get install chromium" >&2; exit 1; }

workspace="${1:-}"
sandbox=()
if [[ -z "$workspace" ]]; then
  workspace="$(mktemp -d)"
  sandbox=(--sandbox)
  LECTURE06_SANDBOX_NOW="${LECTURE06_SANDBOX_NOW:-2026-11-21T01:00:00Z}" \
    "$bin" --dir "$workspace" --sandbox --lang "$lang" run --yes >/dev/null
fi

cache="${RENDER_CACHE:-$HOME/.cache/lecture06-render}"
css="$cache/node_modules/github-markdown-css/github-markdown-light.css"
if [[ ! -f "$css" ]]; then
  mkdir -p "$cache"
  npm install --prefix "$cache" --no-audit --no-fund github-markdown-css >/dev/null
fi

md="$workspace/render-$lang.md"
"$bin" --dir "$workspace" "${sandbox[@]}" --lang "$lang" report --html --force --out "$md" >/dev/null
html="${md%.md}.html"
styled="${md%.md}.styled.html"
# GitHub's stylesheet instead of the preview's own; the body as GitHub's article.
sed -e "s#<style>.*</style>#<link rel=\"stylesheet\" href=\"file://$css\"><style>.markdown-body{box-sizing:border-box;max-width:980px;margin:0 auto;padding:45px}</style>#" \
    -e 's#<body>#<body><article class="markdown-body">#' \
    -e 's#</body>#</article></body>#' "$html" > "$styled"

png="${md%.md}.png"
profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$profile" --hide-scrollbars --window-size=1024,"${RENDER_HEIGHT:-14000}" \
  --screenshot="$png" "file://$styled" >/dev/null 2>&1
echo "$png"
