#!/usr/bin/env bash
# fixtures.sh — ingest the three retail-export fixtures (Superstore, an Amazon
# seller report, UCI Online Retail) each into a fresh store with no options,
# and check the schema, the report, the stored rows and the quarantine
# against fixtures_check.py, which works them out from the CSV on its own.
# Also: the committed fixtures are exactly what make_fixtures.py writes, and
# the human report names the Windows-1252 conversion.
#
# Needs RIA_BIN and RIA_FIXTURES (tests/fixtures); tests/run sets both.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
: "${RIA_BIN:?set RIA_BIN to the ria binary}"
fixtures=${RIA_FIXTURES:-$here/../fixtures}
ria=$RIA_BIN
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

# The generator is deterministic and the committed files are its output.
mkdir "$tmp/regen"
python3 "$fixtures/make_fixtures.py" "$tmp/regen"
for f in "$tmp"/regen/*; do
    b=$(basename "$f")
    if ! cmp -s "$f" "$fixtures/$b"; then
        echo "FAIL: tests/fixtures/$b differs from what make_fixtures.py writes (run it again)"
        fail=1
    fi
done

for name in superstore amazon online_retail; do
    csv=$fixtures/$name.csv
    store=$tmp/$name
    if ! "$ria" ingest --store "$store" --json "$csv" > "$tmp/$name.report.json" 2> "$tmp/$name.err"; then
        echo "FAIL: $name: ria ingest exited non-zero: $(cat "$tmp/$name.err")"
        fail=1
        continue
    fi
    "$ria" info --store "$store" --json > "$tmp/$name.info.json"
    "$ria" export --store "$store" --out "$tmp/$name.export.csv"
    python3 "$here/fixtures_check.py" "$name" "$csv" "$fixtures/$name.expect.json" \
        "$tmp/$name.report.json" "$tmp/$name.info.json" "$tmp/$name.export.csv" "$store" || fail=1
done

# The human report says how many rows were converted from Windows-1252.
converted=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["converted_rows"])' \
    "$tmp/superstore.report.json")
"$ria" ingest --store "$tmp/human" "$fixtures/superstore.csv" > "$tmp/human.txt"
if ! grep -q "^  $converted rows were not UTF-8 and were converted from Windows-1252$" "$tmp/human.txt"; then
    echo "FAIL: the human report does not say '$converted rows were not UTF-8 and were converted from Windows-1252':"
    sed 's/^/    /' "$tmp/human.txt" | head -40
    fail=1
fi

# Loading a fixture again adds nothing: every row is a duplicate of a stored one.
"$ria" ingest --store "$tmp/amazon" --json "$fixtures/amazon.csv" > "$tmp/again.json"
python3 - "$tmp/amazon.report.json" "$tmp/again.json" <<'PY' || fail=1
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
want = a["accepted"] + a["duplicates"]
if b["accepted"] != 0 or b["duplicates"] != want or b["quarantined"] != a["quarantined"]:
    print("FAIL: amazon loaded twice: accepted %d (expected 0), duplicates %d (expected %d)"
          % (b["accepted"], b["duplicates"], want))
    sys.exit(1)
PY

[ "$fail" -eq 0 ] || exit 1
echo "fixtures: ok"
