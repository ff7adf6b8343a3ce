#!/usr/bin/env bash
# Runs the browser tests of the web page (tests/browser/page.test.mjs) in
# Debian's Chromium.
#
#   tests/browser/run.sh                  against the mock server, started here
#                                         on a fresh generated store (needs ./ria)
#   RIA_URL=http://127.0.0.1:8080 tests/browser/run.sh
#                                         against a running server (ria serve);
#                                         nothing is started. RIA_API_KEY is the
#                                         key to type if the server asks for one;
#                                         RIA_TEST_UPLOAD=0 skips the CSV upload.
#
# Installs what is missing: node modules (npm ci, here and in web/) and, as
# root, the chromium package. Screenshots go to tests/browser/artifacts/.
# Exits non-zero when a test fails.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$here"

if [ ! -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
        echo "run.sh: installing chromium" >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null ||
            { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }
    else
        echo "run.sh: ${CHROMIUM:-/usr/bin/chromium} is missing: apt-get install -y chromium" >&2
        exit 1
    fi
fi
command -v node >/dev/null || { echo "run.sh: node is missing: apt-get install -y nodejs npm" >&2; exit 1; }
[ -d node_modules/playwright-core ] || npm ci --no-audit --no-fund --loglevel=error
[ -f "$root/web/node_modules/chart.js/dist/chart.umd.js" ] ||
    npm ci --prefix "$root/web" --no-audit --no-fund --loglevel=error

tmp=""
pid=""
cleanup() {
    if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
    if [ -n "$tmp" ]; then rm -rf "$tmp"; fi
}
trap cleanup EXIT

if [ -z "${RIA_URL:-}" ]; then
    ria=${RIA_BIN:-$root/ria}
    [ -x "$ria" ] || (cd "$root" && make -j2 >/dev/null)
    tmp=$(mktemp -d)
    # a store with a few defects, so the quality report and quarantine have rows
    "$ria" gen --rows 100000 --seed 7 --dirty 0.01 --out "$tmp/sales.csv" 2>/dev/null
    "$ria" ingest --store "$tmp/store" -q "$tmp/sales.csv" >/dev/null
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    key="key-$RANDOM$RANDOM"
    python3 "$here/mock_server.py" --store "$tmp/store" --port "$port" --ria "$ria" --api-key "$key" \
        >"$tmp/mock.log" 2>&1 &
    pid=$!
    for _ in $(seq 100); do
        if python3 -c "import socket,sys; socket.create_connection(('127.0.0.1', $port), 0.2)" 2>/dev/null; then break; fi
        kill -0 "$pid" 2>/dev/null || { cat "$tmp/mock.log" >&2; exit 1; }
        sleep 0.1
    done
    export RIA_URL="http://127.0.0.1:$port" RIA_API_KEY="$key"
fi

echo "browser tests against $RIA_URL" >&2
status=0
node --test --test-reporter=spec page.test.mjs || status=$?
if [ "$status" -ne 0 ] && [ -n "$tmp" ] && [ -f "$tmp/mock.log" ]; then
    echo "--- mock server log" >&2
    tail -n 40 "$tmp/mock.log" >&2
fi
echo "screenshots: $here/artifacts/" >&2
exit "$status"
