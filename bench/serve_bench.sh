#!/usr/bin/env bash
# serve_bench.sh — `ria serve` under load on loopback (wrk): cached and
# uncached questions, and many connections held at once, with the server's
# RSS.  Uses RIA_BENCH_ROWS rows of `ria gen` (default 10 M; the store is
# built once in bench/out).  Prints one line per run; docs/PERFORMANCE.md
# records the results.
set -euo pipefail
. "$(dirname "$0")/common.sh"
rows=${RIA_BENCH_ROWS:-10000000}
dur=${RIA_BENCH_SECONDS:-15}
command -v wrk >/dev/null || { echo "serve_bench: wrk is not installed (apt-get install wrk)" >&2; exit 1; }
store="$out/serve_store_$rows"
if [ ! -d "$store/log" ]; then
    csv=$(gen_csv "$rows")
    "$ria" ingest --store "$store" -q "$csv" >/dev/null
fi
pid=
stop_server() {
    [ -z "$pid" ] || { kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true; }
    pid=
}
# a fresh server (empty caches) on a random loopback port
start_server() {
    stop_server
    port=$((20000 + RANDOM % 20000))
    "$ria" serve --store "$store" --listen "127.0.0.1:$port" -q --query-log '' 2>/dev/null &
    pid=$!
    for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
    url="http://127.0.0.1:$port/api/ask"
}
trap stop_server EXIT
rss() { awk '/VmRSS/ {printf "%.0f MB", $2 / 1024}' "/proc/$pid/status"; }
run() {
    local name=$1 conns=$2 script=$3
    local res
    res=$(wrk -t2 -c"$conns" -d"${dur}s" --latency -s "$(dirname "$0")/wrk/$script" "$url")
    local rps p50 p95 p99 errs
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$res")
    p50=$(awk '$1 == "50%" {print $2}' <<<"$res")
    p99=$(awk '$1 == "99%" {print $2}' <<<"$res")
    p95=$(awk '$1 == "p95_us" {printf "%.2fms", $2 / 1000}' <<<"$res")
    errs=$(awk '/Non-2xx|Socket errors/ {print}' <<<"$res" | tr '\n' ' ')
    printf '%-22s conns %5s  %9s req/s  p50 %8s  p95 %8s  p99 %8s  RSS %s  %s\n' "$name" "$conns" \
        "$rps" "$p50" "$p95" "$p99" "$(rss)" "${errs:-no errors}"
}
echo "ria serve on $rows rows, wrk -t2 for ${dur}s per run (loopback, the same 2-core machine)"
start_server
run "cached question" 64 ask_cached.lua
start_server
run "uncached questions" 16 ask_uncached.lua
start_server
run "uncached questions" 64 ask_uncached.lua
start_server
run "cached, 1000 conns" 1000 ask_cached.lua
