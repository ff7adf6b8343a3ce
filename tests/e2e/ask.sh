#!/usr/bin/env bash
# ask.sh — the question engine through the command line: `ria ask` prints a
# sentence and what was computed, and its figure equals a sum worked out
# here from the CSV; `--json` carries every field of the answer contract;
# exit codes; `ria chat` on piped input answers a question and its
# follow-up and handles :sql, :json, :reset and :quit; `ria summary` as text
# and JSON, its revenue equal to the answer for the same period; `ria eval`
# scores 100% on the shared golden questions (data from
# ../shared/bench/gen_sales.py) and at least 95% on each of tests/golden/*
# with the data set tests/golden/README.md names for it, and fails below
# --min-accuracy.
#
# Exit codes (src/cli/cmd_ask.c, cmd_summary.c):
#   ria ask      0 answered, 3 when the question is not understood or out of
#                scope (the answer says so); 1 for status "error" (e.g. a
#                question over 2000 characters); 2 usage; 8 no store
#   ria summary  0 answered, 3 when the period is not understood
#
# Needs RIA_BIN; RIA_FIXTURES and RIA_SHARED (../shared) as tests/run sets
# them.  Without the shared directory its part is skipped with a message.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$(dirname "$here")")
: "${RIA_BIN:?set RIA_BIN to the ria binary}"
fixtures=${RIA_FIXTURES:-$root/tests/fixtures}
shared=${RIA_SHARED:-$root/../shared}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
S=$tmp/store
export LC_ALL=C

ria() { "$RIA_BIN" "$@"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
# json_get FILE EXPR: a python expression over the JSON document `a`
json_get() { python3 -c 'import json,sys; a=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }

ria gen --rows 50000 --seed 3 --out "$tmp/sales.csv"
ria ingest --store "$S" -q "$tmp/sales.csv" > /dev/null

# --- ria ask: a sentence, the table, "computed:", a figure equal to the CSV's
ria ask --store "$S" "revenue in Texas in Q2 2024" > "$tmp/out.txt"
head -1 "$tmp/out.txt" | grep -Eq '^Revenue for Texas in Q2 2024 was \$[0-9,]+\.[0-9]{2}\.$' ||
    fail "ask sentence: $(head -1 "$tmp/out.txt")"
grep -q '^computed: Revenue (revenue = sum of amount); state = Texas; 2024-04-01 to 2024-06-30; excludes orders whose status is ' "$tmp/out.txt" ||
    fail "ask has no computed: line: $(cat "$tmp/out.txt")"
want=$(python3 - "$tmp/sales.csv" << 'EOF'
import csv, sys
from decimal import Decimal
t = sum((Decimal(r['amount']) for r in csv.DictReader(open(sys.argv[1]))
         if r['state'] == 'TX' and '2024-04-01' <= r['order_date'][:10] <= '2024-06-30'
         and r['status'] not in ('Cancelled', 'Returned')), Decimal(0))
print('${:,.2f}'.format(t))
EOF
)
head -1 "$tmp/out.txt" | grep -qF "was $want." || fail "ask says $(head -1 "$tmp/out.txt"), the CSV gives $want"

ria ask --store "$S" "revenue by category in 2024" > "$tmp/out.txt"
grep -Eq '^  Electronics +\$[0-9,]+\.[0-9]{2}' "$tmp/out.txt" || fail "ask prints no table: $(cat "$tmp/out.txt")"
grep -q '^computed: ' "$tmp/out.txt" || fail "breakdown without computed: line"

# --- --json: the fields of the answer contract
ria ask --store "$S" --json "units by region in Q3 2023" > "$tmp/a.json"
python3 - "$tmp/a.json" << 'EOF' || fail "ask --json"
import json, sys
a = json.load(open(sys.argv[1]))
for k in ('status', 'text', 'value', 'columns', 'rows', 'chart', 'interpretation', 'sql', 'tier',
          'timings', 'follow_up'):
    assert k in a, 'missing ' + k
assert a['status'] == 'answered' and a['tier'] in ('rules', 'plan_cache', 'exact_cache'), a['tier']
assert a['follow_up'] is False
assert [c['name'] for c in a['columns']] == ['region', 'units'], a['columns']
assert len(a['rows']) >= 3 and all(isinstance(r[1], (int, float)) for r in a['rows']), a['rows']
assert a['chart']['type'] != 'none'
i = a['interpretation']
assert i['metric']['name'] == 'units' and i['group_by'] == ['region'], i
assert i['period']['from'] == '2023-07-01' and i['period']['to'] == '2023-09-30', i['period']
assert i['summary'] and i['data_version'] == 1
assert len(a['sql']) >= 1 and a['sql'][0].startswith('SELECT')
assert a['timings']['total_ms'] >= 0
EOF
# the answer's SQL, run by `ria sql`, gives the answer's rows
python3 - "$tmp/a.json" "$RIA_BIN" "$S" << 'EOF' || fail "ask --json rows differ from its SQL"
import json, subprocess, sys
a = json.load(open(sys.argv[1]))
out = subprocess.run([sys.argv[2], 'sql', '--store', sys.argv[3], '--format', 'json', a['sql'][0]],
                     check=True, capture_output=True, text=True).stdout
r = json.loads(out)
got = sorted((row[0], float(row[1])) for row in r['rows'])
want = sorted((row[0], float(row[1])) for row in a['rows'])
assert got == want, (got, want)
EOF

# --- exit codes
ria ask --store "$S" "revenue in 2024" > /dev/null || fail "answered: exit $?"
set +e
ria ask --store "$S" "zorgle blamp" > "$tmp/nu.txt"; rc=$?
[ $rc = 3 ] || fail "not understood: exit $rc (was 3)"
grep -q "did not understand 'zorgle'" "$tmp/nu.txt" || fail "not understood: $(cat "$tmp/nu.txt")"
grep -q '^computed:' "$tmp/nu.txt" && fail "a question not understood printed computed:"
ria ask --store "$S" --json "delete all orders" > "$tmp/oos.json"; rc=$?
[ $rc = 3 ] || fail "out of scope: exit $rc (was 3)"
[ "$(json_get "$tmp/oos.json" 'a["status"], a["value"], a["rows"]')" = "('out_of_scope', None, [])" ] ||
    fail "out of scope: $(cat "$tmp/oos.json")"
ria ask --store "$S" "$(printf 'revenue %.0s' $(seq 300))" > /dev/null; rc=$?
[ $rc = 1 ] || fail "status error (too long): exit $rc (was 1)"
ria ask --store "$S" > /dev/null 2>&1; rc=$?
[ $rc = 2 ] || fail "no question: exit $rc (was 2)"
ria ask --store "$S" --bogus "revenue" > /dev/null 2>&1; rc=$?
[ $rc = 2 ] || fail "unknown option: exit $rc (was 2)"
ria ask --store "$tmp/nowhere" "revenue" > /dev/null 2>&1; rc=$?
[ $rc = 8 ] || fail "no store: exit $rc (was 8)"
set -e

# --- chat: a question, its follow-up, :sql, :json, :reset, :quit
printf '%s\n' "revenue in 2024" "and in Texas?" ":sql" ":reset" "and in Texas?" ":json" \
    "what about Florida?" ":quit" "revenue in 2022" | ria chat --store "$S" > "$tmp/chat.txt"
first=$(ria ask --store "$S" "revenue in 2024" | head -1)
tx24=$(ria ask --store "$S" "revenue in Texas in 2024" | head -1)
tx_all=$(ria ask --store "$S" "revenue in Texas" | head -1)
grep -qxF "$first" "$tmp/chat.txt" || fail "chat: no '$first'"
grep -qxF "$tx24" "$tmp/chat.txt" || fail "chat: the follow-up is not '$tx24': $(cat "$tmp/chat.txt")"
grep -Eq "^SELECT sum\(amount\) .*state = 'TX'.*;$" "$tmp/chat.txt" || fail "chat: :sql printed no SQL"
grep -qx '(a new conversation)' "$tmp/chat.txt" || fail "chat: :reset"
grep -qxF "$tx_all" "$tmp/chat.txt" || fail "chat: after :reset the follow-up kept 2024"
grep -qx '(JSON output on)' "$tmp/chat.txt" || fail "chat: :json"
python3 - "$tmp/chat.txt" << 'EOF' || fail "chat: the JSON answer after :json"
import json, sys
t = open(sys.argv[1]).read()
a = json.JSONDecoder().raw_decode(t[t.index('{\n'):])[0]
assert a['status'] == 'answered' and a['follow_up'] is True, a
assert a['interpretation']['filters'] and 'Florida' in a['text'], a['text']
assert '2024' not in a['text'], a['text']  # the context after :reset has no year
EOF
grep -q '2022' "$tmp/chat.txt" && fail "chat: a line after :quit was answered"
[ "$(grep -c '^computed: ' "$tmp/chat.txt")" = 3 ] || fail "chat: expected 3 answers as text"

# --- summary: text and JSON; the revenue of each section equals ria ask's
ria summary --store "$S" > "$tmp/sum.txt"
grep -Eq '^- Revenue was \$[0-9,]+\.[0-9]{2} ' "$tmp/sum.txt" || fail "summary text: $(head -5 "$tmp/sum.txt")"
grep -q '^computed by [0-9]* SQL statements on data version 1' "$tmp/sum.txt" || fail "summary footer"
for period in "" "Q3 2024"; do
    ria summary --store "$S" --json ${period:+"$period"} > "$tmp/sum.json"
    python3 - "$tmp/sum.json" "$RIA_BIN" "$S" << 'EOF' || fail "summary --json '$period'"
import json, subprocess, sys
a = json.load(open(sys.argv[1]))
assert a['status'] == 'answered' and a['text'] and a['sections'] and a['sql'], a.keys()
for k in ('unusual_months', 'caveats'):
    assert k in a, k
for s in a['sections']:
    rev = [r[1] for r in s['headline']['rows'] if r[0] == 'Revenue'][0]
    p = s['period']
    q = 'revenue from %s to %s' % (p['from'], p['to'])
    ans = json.loads(subprocess.run([sys.argv[2], 'ask', '--store', sys.argv[3], '--json', q],
                                    check=True, capture_output=True, text=True).stdout)
    assert abs(ans['value'] - rev) < 0.005, (s['title'], rev, q, ans['value'])
EOF
done
set +e
ria summary --store "$S" "blorp" > "$tmp/bad.txt"; rc=$?
set -e
[ $rc = 3 ] || fail "summary of an unreadable period: exit $rc (was 3)"
grep -q "could not read 'blorp'" "$tmp/bad.txt" || fail "summary of an unreadable period: $(cat "$tmp/bad.txt")"

# --- eval: the project's golden sets on their data sets; every set runs,
# failures are counted and reported at the end
eval_failures=0
eval_set() { # eval_set STORE FILE PCT
    local name rc=0 acc
    name=$(basename "$2")
    ria eval --store "$1" --json --min-accuracy "$3" "$2" > "$tmp/eval.json" 2> "$tmp/eval.err" || rc=$?
    acc=$(json_get "$tmp/eval.json" '"%d/%d right, %d cache mismatches" % (a["right"], a["total"], a["cache_mismatches"])' 2> /dev/null) ||
        acc="no report"
    if [ $rc != 0 ] || [[ "$acc" != *" 0 cache mismatches" ]]; then
        echo "FAIL: eval $name (minimum $3%): exit $rc, $acc" >&2
        json_get "$tmp/eval.json" '"\n".join(json.dumps(m)[:300] for m in a["misses"][:5])' >&2 2> /dev/null || true
        head -c 3000 "$tmp/eval.err" >&2
        eval_failures=$((eval_failures + 1))
    else
        echo "eval $name: $acc"
    fi
}
ria gen --rows 200000 --seed 7 --out "$tmp/gen7.csv"
ria ingest --store "$tmp/gen7" -q "$tmp/gen7.csv" > /dev/null
eval_set "$tmp/gen7" "$root/tests/golden/gen.jsonl" 95
for pair in superstore:superstore amazon:amazon uci:online_retail; do
    ria ingest --store "$tmp/${pair%%:*}" -q "$fixtures/${pair#*:}.csv" > /dev/null
    eval_set "$tmp/${pair%%:*}" "$root/tests/golden/${pair%%:*}.jsonl" 95
done

# a set below the threshold fails, and passes a lower one
printf '%s\n' '{"id": "t-S1", "category": "simple", "question": "revenue in 2016", "expect": {"value": 1}}' \
    '{"id": "t-N1", "category": "abstain", "question": "what is the weather", "expect": {"abstain": true}}' > "$tmp/half.jsonl"
ria eval --store "$tmp/superstore" -q --min-accuracy 95 "$tmp/half.jsonl" > /dev/null 2>&1 &&
    fail "eval at 50% passed --min-accuracy 95"
ria eval --store "$tmp/superstore" -q --min-accuracy 50 "$tmp/half.jsonl" > /dev/null ||
    fail "eval at 50% failed --min-accuracy 50"

# --- eval: the shared golden questions, 100%
if [ ! -d "$shared" ]; then
    echo "skip: no shared directory at $shared (the shared golden questions were not run)"
else
    [ -f "$shared/golden/questions.jsonl" ] || fail "$shared/golden/questions.jsonl is missing"
    [ -f "$shared/bench/gen_sales.py" ] || fail "$shared/bench/gen_sales.py is missing"
    python3 "$shared/bench/gen_sales.py" --rows 200000 --seed 42 > "$tmp/shared.csv"
    ria ingest --store "$tmp/shared" -q "$tmp/shared.csv" > /dev/null
    eval_set "$tmp/shared" "$shared/golden/questions.jsonl" 100
fi
[ $eval_failures = 0 ] || fail "$eval_failures golden sets failed (above)"
echo "ask: ok"
