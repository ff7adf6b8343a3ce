#!/usr/bin/env bash
# browser.sh — the web page in Debian's Chromium (Playwright), against a
# real `ria serve` with API keys on a generated store with a few defects:
# ask, see the figure and the chart, a follow-up, feedback, the summary and
# data views, an upload with its quality report, phone width, no console
# errors, accessibility checks (tests/browser/page.test.mjs).  Screenshots
# are kept in tests/browser/artifacts/.
#
# Needs RIA_BIN, Chromium and Node.js (scripts/install-deps --test).
set -euo pipefail
: "${RIA_BIN:?set RIA_BIN to the ria binary}"
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
pid=""
cleanup() {
    [ -n "$pid" ] && { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }
    rm -rf "$tmp"
}
trap cleanup EXIT
"$RIA_BIN" gen --rows 100000 --seed 7 --dirty 0.01 --out "$tmp/sales.csv" 2>/dev/null
"$RIA_BIN" ingest --store "$tmp/store" -q "$tmp/sales.csv" >/dev/null
key="k$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
printf '%s write browser tests\n' "$key" > "$tmp/keys"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$RIA_BIN" serve --store "$tmp/store" --listen "127.0.0.1:$port" --api-key-file "$tmp/keys" -q \
    >"$tmp/serve.log" 2>&1 &
pid=$!
for _ in $(seq 100); do
    curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
    kill -0 "$pid" 2>/dev/null || { cat "$tmp/serve.log" >&2; exit 1; }
    sleep 0.1
done
RIA_URL="http://127.0.0.1:$port" RIA_API_KEY="$key" "$here/../browser/run.sh"
