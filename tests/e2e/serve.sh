#!/usr/bin/env bash
# serve.sh — `ria serve` over real HTTP: every API route, errors, limits,
# keys, tasks and event streams, uploads and streamed ingest, new versions
# picked up while serving, feedback, metrics, and the Redis tier shared by
# two instances (serve_api.py has the details).
#
# Needs RIA_BIN.
set -euo pipefail
: "${RIA_BIN:?set RIA_BIN to the ria binary}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; pkill -f "ria serve --store $tmp" 2>/dev/null || true' EXIT
python3 "$(dirname "$0")/serve_api.py" "$RIA_BIN" "$tmp"
