#!/usr/bin/env bash
# maintenance.sh — store maintenance end to end: compaction keeps every
# version's rows (the compacted version equals the latest before it) and
# reduces segment counts; time travel after upserts and compaction returns
# exactly what each version held when it was the latest; `vacuum --dry-run`
# removes nothing; `vacuum --keep 1` makes older versions unreadable with a
# clear error while the latest still exports identically; a second writer
# while one holds the lock fails with one line and a non-zero exit, and
# readers are not blocked.
#
# Needs RIA_BIN.
set -euo pipefail
: "${RIA_BIN:?set RIA_BIN to the ria binary}"
tmp=$(mktemp -d)
holder=
cleanup() {
    if [ -n "$holder" ]; then kill "$holder" 2> /dev/null || true; fi
    rm -rf "$tmp"
}
trap cleanup EXIT
S=$tmp/store
export LC_ALL=C

ria() { "$RIA_BIN" "$@"; }
fail() { echo "FAIL: $*" >&2; exit 1; }

# Sorted-export hash and row count of a version (latest when N is empty).
snap() {
    local v=${1:-} out=$tmp/export.csv
    if [ -n "$v" ]; then ria export --store "$S" --version "$v" --out "$out"
    else ria export --store "$S" --out "$out"; fi
    echo "$(tail -n +2 "$out" | sort | md5sum | cut -c1-32) $(($(wc -l < "$out") - 1))"
}
# A field of the version list: vfield N key
vfield() {
    ria versions --store "$S" --json | python3 -c '
import json, sys
for v in json.load(sys.stdin):
    if v["version"] == int(sys.argv[1]):
        print(v[sys.argv[2]])' "$1" "$2"
}
latest() { ria versions --store "$S" --json | python3 -c 'import json,sys; v=json.load(sys.stdin); print(v[-1]["version"] if v else 0)'; }
segments() { ria info --store "$S" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["segments"])'; }
max_per_partition() {
    ria info --store "$S" --json | python3 -c '
import json, sys
p = json.load(sys.stdin)["partitions"]
print(max(x["segments"] for x in p.values()))'
}

ria gen --rows 60000 --seed 1 --out "$tmp/a.csv"
ria gen --rows 60000 --seed 2 --out "$tmp/b.csv"
ria gen --rows 30000 --seed 3 --out "$tmp/c.csv"
ria gen --rows 5000 --seed 4 --dirty 0.05 --out "$tmp/d.csv"

# Four versions: two appends, an upsert by order id, a dirty append.
declare -A ref
ria ingest --store "$S" -q "$tmp/a.csv" > /dev/null
ref[1]=$(snap)
ria ingest --store "$S" -q "$tmp/b.csv" > /dev/null
ref[2]=$(snap)
ria ingest --store "$S" -q --mode upsert --key order_id "$tmp/c.csv" > /dev/null
ref[3]=$(snap)
ria ingest --store "$S" -q "$tmp/d.csv" > /dev/null
ref[4]=$(snap)
[ "$(latest)" = 4 ] || fail "expected 4 versions, have $(latest)"
[ "$(vfield 3 operation)" = upsert ] || fail "version 3 is not an upsert"
[ "${ref[3]}" != "${ref[2]}" ] || fail "the upsert changed nothing"
for v in 1 2 3 4; do
    [ "${ref[$v]#* }" = "$(vfield "$v" rows)" ] ||
        fail "version $v exports ${ref[$v]#* } rows, versions says $(vfield "$v" rows)"
done
# the byte-exact exports, to compare across compaction as well
for v in 1 2 3 4; do ria export --store "$S" --version "$v" --out "$tmp/pre.$v.csv"; done

# --- compaction
seg_before=$(segments)
max_before=$(max_per_partition)
[ "$max_before" -gt 1 ] || fail "no partition has several segments before compaction"
out=$(ria compact --store "$S")
echo "$out"
[[ $out == compacted* ]] || fail "compact: $out"
[ "$(latest)" = 5 ] || fail "compaction did not commit version 5"
[ "$(vfield 5 operation)" = compact ] || fail "version 5 is $(vfield 5 operation)"
seg_after=$(segments)
[ "$seg_after" -lt "$seg_before" ] || fail "segments $seg_before -> $seg_after"
[ "$(max_per_partition)" = 1 ] || fail "a partition still has $(max_per_partition) segments"
ref[5]=$(snap)
[ "${ref[5]}" = "${ref[4]}" ] || fail "compacted version ${ref[5]} != version 4 ${ref[4]}"
[ "${ref[5]#* }" = "$(vfield 5 rows)" ] || fail "version 5 row count"
echo "compaction: $seg_before -> $seg_after segments, rows identical (${ref[5]#* })"
# time travel across the compaction: every version as it was, byte for byte
for v in 1 2 3 4; do
    ria export --store "$S" --version "$v" --out "$tmp/post.$v.csv"
    cmp -s "$tmp/pre.$v.csv" "$tmp/post.$v.csv" || fail "version $v changed after compaction"
    [ "$(snap "$v")" = "${ref[$v]}" ] || fail "version $v hash"
done
out=$(ria compact --store "$S")
[ "$out" = "nothing to compact" ] || fail "second compaction: $out"
[ "$(latest)" = 5 ] || fail "a compaction with nothing to do committed a version"

# upsert on the compacted table, then time travel again
ria ingest --store "$S" -q --mode upsert --key order_id "$tmp/b.csv" > /dev/null
ref[6]=$(snap)
[ "${ref[6]#* }" = "$(vfield 6 rows)" ] || fail "version 6 row count"
[ "$(vfield 6 rows_removed)" -gt 0 ] || fail "the upsert on compacted data replaced nothing"
ria compact --store "$S" > /dev/null
[ "$(latest)" = 7 ] || fail "compaction after the upsert did not commit"
ref[7]=$(snap)
[ "${ref[7]}" = "${ref[6]}" ] || fail "compaction after the upsert changed the rows"
for v in 1 2 3 4 5 6 7; do
    [ "$(snap "$v")" = "${ref[$v]}" ] || fail "time travel: version $v differs from when it was latest"
done
echo "time travel: versions 1..7 export as they did when each was latest"

# --- vacuum
listing() { (cd "$S" && find . -type f ! -name lock | sort | xargs md5sum); }
listing > "$tmp/files.before"
out=$(ria vacuum --store "$S" --keep 1 --dry-run)
echo "dry run: $out"
[[ $out == "would remove "* ]] || fail "dry run said: $out"
would=$(echo "$out" | awk '{print $3}')
[ "$would" -gt 0 ] || fail "the dry run found nothing to remove"
listing > "$tmp/files.after"
cmp -s "$tmp/files.before" "$tmp/files.after" || fail "vacuum --dry-run changed files"
for v in 1 7; do [ "$(snap "$v")" = "${ref[$v]}" ] || fail "version $v after the dry run"; done

out=$(ria vacuum --store "$S" --keep 1)
echo "vacuum: $out"
removed=$(echo "$out" | awk '{print $2}')
[ "$removed" = "$would" ] || fail "vacuum removed $removed files, the dry run said $would"
for v in 1 2 3 4 5 6; do
    if ria export --store "$S" --version "$v" > /dev/null 2> "$tmp/err"; then
        fail "version $v still exports after vacuum --keep 1"
    fi
    [ "$(wc -l < "$tmp/err")" = 1 ] || fail "version $v: expected one error line, got: $(cat "$tmp/err")"
    grep -qi "vacuum" "$tmp/err" || fail "version $v: unclear error: $(cat "$tmp/err")"
done
echo "old versions: $(cat "$tmp/err")"
[ "$(snap)" = "${ref[7]}" ] || fail "latest changed after vacuum"
[ "$(snap 7)" = "${ref[7]}" ] || fail "version 7 changed after vacuum"
ria info --store "$S" > /dev/null
[ "$(latest)" = 7 ] || fail "versions after vacuum"
# nothing is left that version 7 does not reference
python3 - "$S" <<'PY'
import json, os, sys
s = sys.argv[1]
m = json.load(open(os.path.join(s, "log", "%020d.json" % 7)))
want = set()
for seg in m["segments"]:
    want.update(p for p in (seg["path"], seg["fp"], seg["dv"]) if p)
have = set()
for root, _, files in os.walk(os.path.join(s, "data")):
    have.update(os.path.relpath(os.path.join(root, f), s) for f in files)
extra, missing = sorted(have - want), sorted(want - have)
assert not extra, "unreferenced files after vacuum: %s" % extra[:5]
assert not missing, "referenced files missing after vacuum: %s" % missing[:5]
print("data/: %d files, all referenced by version 7" % len(have))
PY
out=$(ria vacuum --store "$S" --keep 1)
[[ $out == "removed 0 files"* ]] || fail "second vacuum: $out"

# --- one writer at a time
mkfifo "$tmp/feed"
"$RIA_BIN" ingest --store "$S" -q - < "$tmp/feed" > "$tmp/holder.out" 2> "$tmp/holder.err" &
holder=$!
exec 3> "$tmp/feed"
sed -n '1p; 2,2001s/^ORD-/LCK-/p' "$tmp/d.csv" >&3
# wait until the writer holds the lock (it records its pid in the lock file)
for _ in $(seq 100); do
    [ "$(head -n 1 "$S/lock" 2>/dev/null)" = "$holder" ] && break
    sleep 0.05
done
[ "$(head -n 1 "$S/lock")" = "$holder" ] || fail "the stdin ingest did not take the lock"
for cmd in "ingest -q $tmp/a.csv" "compact" "vacuum --keep 1"; do
    # shellcheck disable=SC2086
    if ria $cmd --store "$S" > /dev/null 2> "$tmp/err"; then rc=0; else rc=$?; fi
    [ "$rc" -ne 0 ] || fail "'ria $cmd' succeeded while another writer held the lock"
    [ "$(wc -l < "$tmp/err")" = 1 ] || fail "'ria $cmd': expected one line, got: $(cat "$tmp/err")"
    grep -Eqi "lock|another process" "$tmp/err" || fail "'ria $cmd': no lock in: $(cat "$tmp/err")"
    echo "second writer (ria $cmd): exit $rc: $(cat "$tmp/err")"
done
# readers are not blocked by the writer
[ "$(snap)" = "${ref[7]}" ] || fail "export while a writer is busy"
ria versions --store "$S" > /dev/null
[ "$(latest)" = 7 ] || fail "a version appeared before the writer finished"
sed -n '2002,3001s/^ORD-/LCK-/p' "$tmp/d.csv" >&3
exec 3>&-
wait "$holder" || fail "the stdin ingest failed: $(cat "$tmp/holder.err")"
holder=
[ "$(latest)" = 8 ] || fail "the stdin ingest did not commit"
rows8=$(vfield 8 rows_added)
[ "$rows8" -gt 2500 ] || fail "the stdin ingest added only $rows8 rows"
# and the lock is free again
ria ingest --store "$S" -q "$tmp/c.csv" > /dev/null || fail "no writer after the lock was released"
[ "$(latest)" = 9 ] || fail "version 9 missing"
echo "maintenance: ok"
