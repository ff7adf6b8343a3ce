#!/usr/bin/env bash
# ingest_bench.sh — ria ingest against DuckDB's CSV load, same file, same run.
#
#   bench/ingest_bench.sh [ROWS...]        default: 1000000 10000000
#
# For each size: `ria gen` data (cached in bench/out), three rounds of
# `ria ingest` into a fresh store (elapsed time and peak RSS from
# /usr/bin/time) and of DuckDB's CREATE TABLE AS SELECT * FROM read_csv
# (2 threads); prints medians, MB/s, rows/s, store size as a fraction of the
# CSV, and the ria/DuckDB time ratio as a Markdown table.
set -euo pipefail
source "$(dirname "$0")/common.sh"
ensure_duckdb
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000000 10000000)
rounds=${ROUNDS:-3}
echo "| rows | CSV MB | ria s | ria MB/s | ria M rows/s | peak RSS MB | store / CSV | DuckDB s | ria / DuckDB |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for rows in "${sizes[@]}"; do
    csv=$(gen_csv "$rows")
    bytes=$(stat -c %s "$csv")
    store="$out/store_ingest"
    : > "$out/ria_times"; : > "$out/ria_rss"; : > "$out/duck_times"
    for ((i = 0; i < rounds; i++)); do
        rm -rf "$store"
        /usr/bin/time -f "%e %M" -o "$out/time.txt" "$ria" ingest -q --store "$store" "$csv" >/dev/null
        read -r secs rss < "$out/time.txt"
        echo "$secs" >> "$out/ria_times"
        echo "$rss" >> "$out/ria_rss"
        (cd "$bench_dir" && node duckdb_bench.mjs load "$csv") |
            python3 -c 'import json,sys; print(json.load(sys.stdin)["load_s"])' >> "$out/duck_times"
    done
    size=$(du -sb "$store" | cut -f1)
    t=$(median < "$out/ria_times")
    d=$(median < "$out/duck_times")
    rss=$(sort -g "$out/ria_rss" | tail -1)
    python3 - "$rows" "$bytes" "$t" "$rss" "$size" "$d" <<'PY'
import sys
rows, b, t, rss, size, d = (float(x) for x in sys.argv[1:7])
print("| %d | %.0f | %.2f | %.0f | %.2f | %.0f | %.1f %% | %.2f | %.2f |" % (
    rows, b / 1e6, t, b / 1e6 / t, rows / t / 1e6, rss / 1024, 100 * size / b, d, t / d))
PY
    rm -rf "$store"
done
