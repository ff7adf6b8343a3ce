#!/usr/bin/env bash
# Dirty data end to end: ingest `ria gen --dirty` output, then check the
# stored rows and the reconciliation against an independent script and the
# generator's record of injected defects; load it again (nothing is added),
# and round-trip the export.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ria=$RIA_BIN
$ria gen --rows 150000 --seed 11 --dirty 0.03 --out "$tmp/in.csv" --truth "$tmp/truth.json"
$ria ingest --store "$tmp/s" --json "$tmp/in.csv" > "$tmp/report.json"
$ria export --store "$tmp/s" --out "$tmp/export.csv"
python3 "$here/ingest_check.py" "$tmp/in.csv" "$tmp/export.csv" "$tmp/report.json" "$tmp/truth.json"

# loading the same export again adds nothing
$ria ingest --store "$tmp/s" --json "$tmp/in.csv" > "$tmp/report2.json"
python3 - "$tmp/report.json" "$tmp/report2.json" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
assert b["accepted"] == 0, b["accepted"]
assert b["duplicates"] == a["accepted"] + a["duplicates"], (b["duplicates"], a["accepted"])
assert b["quarantined"] == a["quarantined"]
print("reload: 0 rows added,", b["duplicates"], "duplicates")
PY
test "$($ria versions --store "$tmp/s" --json | python3 -c 'import json,sys; v=json.load(sys.stdin); print(v[-1]["rows"] == v[0]["rows"])')" = True

# the export of the table ingests back into the same table
$ria ingest --store "$tmp/s2" -q "$tmp/export.csv" >/dev/null
$ria export --store "$tmp/s2" --out "$tmp/export2.csv"
sort "$tmp/export.csv" > "$tmp/a"; sort "$tmp/export2.csv" > "$tmp/b"
cmp -s "$tmp/a" "$tmp/b" || { echo "export round trip differs"; diff "$tmp/a" "$tmp/b" | head; exit 1; }
echo "export round trip: identical"

# a small memory budget dedupes a partition in several passes: the same rows
# survive as with the default budget (one pass here), and a reload still
# adds nothing (~90k rows a month against 84k fingerprints per pass)
$ria gen --rows 1100000 --seed 12 --years 1 --start 2024-01-01 --dirty 0.02 --out "$tmp/big.csv"
RIA_LOG=info $ria ingest --store "$tmp/m16" --memory 16M --json "$tmp/big.csv" > "$tmp/m16.json" 2> "$tmp/m16.log"
grep -q "dedupe: partition .* passes" "$tmp/m16.log" || { echo "no partition was deduplicated in passes"; exit 1; }
$ria ingest --store "$tmp/mdef" --json "$tmp/big.csv" > "$tmp/mdef.json"
$ria ingest --store "$tmp/m16" --memory 16M --json "$tmp/big.csv" > "$tmp/m16b.json"
q="SELECT count(*), sum(amount), sum(quantity), count(DISTINCT order_id), count(DISTINCT customer_id) FROM sales"
test "$($ria sql --store "$tmp/m16" "$q")" = "$($ria sql --store "$tmp/mdef" "$q")" ||
    { echo "dedupe in passes kept other rows"; exit 1; }
python3 - "$tmp/m16.json" "$tmp/mdef.json" "$tmp/m16b.json" <<'PY'
import json, sys
a, b, c = (json.load(open(p)) for p in sys.argv[1:4])
for k in ("accepted", "duplicates", "quarantined"):
    assert a[k] == b[k], (k, a[k], b[k])
assert a["duplicates"] > 0
assert c["accepted"] == 0 and c["duplicates"] == a["accepted"] + a["duplicates"], c
print("dedupe in passes:", a["accepted"], "accepted,", a["duplicates"], "duplicates, as in one pass")
PY
