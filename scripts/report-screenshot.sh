#!/usr/bin/env bash
# Renders a `worker audit report` in headless Chromium and saves a PNG, to
# check by eye that the self-contained report (inline CSS + SVG, no JS)
# displays without any network access.
#
# usage: scripts/report-screenshot.sh [--in export.jsonl] [--pub key.pub] [--out report.png] [--height 2000]
#   defaults: the signed sample log audit/testdata/sample.jsonl and its key,
#   output audit/testdata/report-screenshot.png. Installs chromium with apt-get if absent.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
in="$root/audit/testdata/sample.jsonl"
pub="$root/audit/testdata/sample.pub"
out="$root/audit/testdata/report-screenshot.png"
height=2000
while [ $# -gt 0 ]; do
  case "$1" in
    --in) in=$2; shift 2 ;;
    --pub) pub=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --height) height=$2; shift 2 ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "report-screenshot: unknown argument $1" >&2; exit 2 ;;
  esac
done

browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [ -z "$browser" ]; then
  echo "report-screenshot: installing chromium" >&2
  apt-get install -y chromium >/dev/null
  browser=$(command -v chromium)
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$root" && go build -o "$work/worker" ./cmd/worker)
# report exits 1 when verification fails; the page is still worth seeing.
"$work/worker" audit report --in "$in" --pub "$pub" --out "$work/report.html" || echo "report-screenshot: verification failed (see report)" >&2

mkdir -p "$(dirname "$out")"
"$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$work/profile" --screenshot="$out" --window-size=1280,"$height" \
  "file://$work/report.html" 2>"$work/chromium.log" || { cat "$work/chromium.log" >&2; exit 1; }
echo "wrote $out"
