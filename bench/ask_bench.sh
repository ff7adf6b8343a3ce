#!/usr/bin/env bash
# ask_bench.sh — question latency on a large store: `ria eval` over the
# shared golden questions and the project's held-out set on gen_sales.py data
# (the query benchmark's store, built once in bench/out).
#
#   bench/ask_bench.sh [ROWS]               default: 10000000
#
# Prints uncached latency p50/p95 (every question planned and run: rules
# tier, no caches), cached latency p50/p95 (the same questions asked again),
# and the share of computed answers that came from a materialized view.
# Accuracy is not the point here (the golden answers are for 200,000 rows).
set -euo pipefail
source "$(dirname "$0")/common.sh"
rows=${1:-10000000}
csv=$(ref_csv "$rows")
store="$out/store_query_$rows"
if [ ! -f "$store/RIA_STORE" ]; then
    "$ria" ingest -q --store "$store" "$csv" >/dev/null
fi
files=("$shared/golden/questions.jsonl" "$root/tests/golden/holdout_bench.jsonl")
"$ria" eval --store "$store" --json "${files[@]}" > "$out/ask_eval.json"
python3 - "$out/ask_eval.json" "$rows" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
print("| rows | questions | uncached p50 ms | uncached p95 ms | cached p50 ms | cached p95 ms | from views |")
print("|---:|---:|---:|---:|---:|---:|---:|")
print("| %s | %d | %.2f | %.2f | %.3f | %.3f | %d of %d (%.0f %%) |" % (
    sys.argv[2], d["total"], d["p50_ms"], d["p95_ms"], d["cached_p50_ms"], d["cached_p95_ms"],
    d["from_views"], d["computed"], 100.0 * d["from_views"] / max(d["computed"], 1)))
PY
