#!/usr/bin/env bash
# query_bench.sh — the twelve standard queries on ria (views off and on) and
# DuckDB, side by side in one run, on gen_sales.py data.
#
#   bench/query_bench.sh [ROWS...]         default: 1000000 10000000
#
# Per size: load the same CSV into a ria store and a DuckDB table (2
# threads); run each query of bench/queries.txt once to warm up and 5 times
# timed (parse + plan + execute); print per-query medians, the ria/DuckDB
# ratios and their geometric means as Markdown, and ria's peak RSS.
set -euo pipefail
source "$(dirname "$0")/common.sh"
ensure_duckdb
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000000 10000000)
runs=${RUNS:-5}
for rows in "${sizes[@]}"; do
    csv=$(ref_csv "$rows")
    store="$out/store_query_$rows"
    if [ ! -f "$store/RIA_STORE" ]; then
        "$ria" ingest -q --store "$store" "$csv" >/dev/null
    fi
    /usr/bin/time -f "%M" -o "$out/rss_off.txt" \
        "$ria" sql --store "$store" --no-views --batch "$bench_dir/queries.txt" --repeat "$runs" > "$out/ria_off.jsonl"
    /usr/bin/time -f "%M" -o "$out/rss_on.txt" \
        "$ria" sql --store "$store" --batch "$bench_dir/queries.txt" --repeat "$runs" > "$out/ria_on.jsonl"
    (cd "$bench_dir" && node duckdb_bench.mjs query "$csv" queries.txt "$runs") > "$out/duck.json"
    echo
    echo "### $rows rows"
    python3 - "$out" <<'PY'
import json, math, sys
out = sys.argv[1]
off = [json.loads(l) for l in open(out + "/ria_off.jsonl")]
on = [json.loads(l) for l in open(out + "/ria_on.jsonl")]
duck = json.load(open(out + "/duck.json"))["queries"]
rss_off = int(open(out + "/rss_off.txt").read().split()[-1]) / 1024
rss_on = int(open(out + "/rss_on.txt").read().split()[-1]) / 1024
print("| query | DuckDB ms | ria ms (views off) | ratio | ria ms (views on) | ratio | view |")
print("|---|---:|---:|---:|---:|---:|---|")
r_off, r_on = [], []
for i, (a, b, d) in enumerate(zip(off, on, duck)):
    for x in (a, b):
        if "error" in x:
            sys.exit("Q%d failed: %s" % (i + 1, x["error"]))
    ro, rn = a["median_ms"] / d["median_ms"], b["median_ms"] / d["median_ms"]
    r_off.append(ro)
    r_on.append(rn)
    print("| Q%d | %.2f | %.2f | %.3f | %.2f | %.3f | %s |" % (
        i + 1, d["median_ms"], a["median_ms"], ro, b["median_ms"], rn, b["stats"]["view"] or "base"))
g = lambda v: math.exp(sum(map(math.log, v)) / len(v))
print("| geometric mean | | | %.3f | | %.3f | |" % (g(r_off), g(r_on)))
print()
print("peak RSS of `ria sql` over the batch: %.0f MB (views off), %.0f MB (views on)" % (rss_off, rss_on))
PY
done
