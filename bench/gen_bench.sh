#!/usr/bin/env bash
# gen_bench.sh — `ria gen` throughput: ROWS rows to /dev/null, three rounds.
#
#   bench/gen_bench.sh [ROWS]               default: 10000000
#
# Prints the median time, rows/s, MB/s and peak RSS as a Markdown table.
set -euo pipefail
source "$(dirname "$0")/common.sh"
rows=${1:-10000000}
rounds=${ROUNDS:-3}
: > "$out/gen_times"
for ((i = 0; i < rounds; i++)); do
    /usr/bin/time -f "%e %M" -o "$out/time.txt" "$ria" gen --rows "$rows" --seed 42 |
        wc -c > "$out/gen_bytes"
    read -r secs rss < "$out/time.txt"
    echo "$secs $rss" >> "$out/gen_times"
done
t=$(cut -d' ' -f1 "$out/gen_times" | median)
rss=$(cut -d' ' -f2 "$out/gen_times" | sort -g | tail -1)
bytes=$(cat "$out/gen_bytes")
echo "| rows | MB | median s | M rows/s | MB/s | peak RSS MB |"
echo "|---:|---:|---:|---:|---:|---:|"
python3 -c "import sys; r,b,t,m=map(float,sys.argv[1:]); print('| %d | %.0f | %.2f | %.2f | %.0f | %.0f |' % (r, b/1e6, t, r/t/1e6, b/1e6/t, m/1024))" "$rows" "$bytes" "$t" "$rss"
