#!/bin/sh
# Evaluate the detection engine (the same Engine `worker detect` runs) on gold JSONL files with the project's scorer (token-level, binary),
# printing per-type recall, false-positive examples and overall recall / precision / F2.
#
# Usage: benchmarks/phi/eval.sh [-c config.yaml] GOLD.jsonl...
# Default gold sets when none are given: the real nursing notes, the two hand-made clinical sets and
# presidio_synth_v2, all in detectors/testdata (the scorer was trained on them: see detectors/train -cv
# for out-of-fold figures).
# EVAL_PHI overrides the scorer path (default /work/shared/tools/eval_phi.py).
set -eu
cd "$(dirname "$0")/../.."
cfg=""
if [ "${1:-}" = "-c" ]; then cfg="-c $2"; shift 2; fi
scorer="${EVAL_PHI:-/work/shared/tools/eval_phi.py}"
if [ $# -eq 0 ]; then
	set -- detectors/testdata/physionet_dev.jsonl detectors/testdata/clinical_gold.jsonl detectors/testdata/holdout_gold.jsonl detectors/testdata/presidio_synth_v2.jsonl
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/predict" ./benchmarks/phi/predict
for gold in "$@"; do
	echo "== $gold"
	# shellcheck disable=SC2086
	"$tmp/predict" $cfg <"$gold" >"$tmp/pred.jsonl"
	python3 "$scorer" "$gold" "$tmp/pred.jsonl" --by-type
done
