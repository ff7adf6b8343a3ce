#!/usr/bin/env bash
# views.sh — materialized views end to end, through the command line:
# default views after a first ingest; the bench questions and a set of
# varied queries give the same answers with and without views (--no-views),
# through the view --explain/--stats name, and fall back to the base table
# where they must (distinct orders, unaligned ranges, non-dimension
# columns); `ria views add/drop/refresh` commit versions that build, drop
# and rebuild views; appends reuse the rollups of untouched months;
# time travel answers each version from its own views; vacuum keeps the
# rollups kept versions use and removes orphans.
#
# Needs RIA_BIN.
set -euo pipefail
: "${RIA_BIN:?set RIA_BIN to the ria binary}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
S=$tmp/store
export LC_ALL=C

ria() { "$RIA_BIN" "$@"; }
fail() { echo "FAIL: $*" >&2; exit 1; }

# Runs a query file through views and without; fails on any difference and
# prints "view<TAB>query" for each line.
compare() {
    local file=$1
    ria sql --store "$S" --batch "$file" > "$tmp/with.jsonl"
    ria sql --store "$S" --no-views --batch "$file" > "$tmp/base.jsonl"
    python3 - "$file" "$tmp/with.jsonl" "$tmp/base.jsonl" << 'EOF'
import json, sys
queries = [l.strip() for l in open(sys.argv[1]) if l.strip() and not l.startswith('--')]
w = [json.loads(l) for l in open(sys.argv[2])]
b = [json.loads(l) for l in open(sys.argv[3])]
assert len(w) == len(b) == len(queries), (len(w), len(b), len(queries))
bad = 0
for q, x, y in zip(queries, w, b):
    if 'error' in x or 'error' in y:
        print('error in', q, x.get('error'), y.get('error'), file=sys.stderr); bad += 1; continue
    view = x['stats']['view']
    if y['stats']['view'] != '':
        print('--no-views used a view:', q, file=sys.stderr); bad += 1
    for r in (x, y):
        r.pop('stats'); r.pop('median_ms', None)
    if 'ORDER BY' not in q:
        x['rows'].sort(key=json.dumps); y['rows'].sort(key=json.dumps)
    if x != y:
        print('DIFFERENT:', q, '\n  view', view, json.dumps(x)[:400], '\n  base', json.dumps(y)[:400], file=sys.stderr)
        bad += 1
    print(view + '\t' + q)
sys.exit(1 if bad else 0)
EOF
}

# view_of "SQL": the view that answers it ("" for the base table)
view_of() { ria sql --store "$S" --format json "$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["stats"]["view"])'; }
# manifest field of the latest version through python: manifest 'expr'
manifest() {
    python3 - "$S" "$1" << 'EOF'
import glob, json, sys
m = json.load(open(sorted(glob.glob(sys.argv[1] + '/log/*.json'))[-1]))
views = {v['name']: v for v in m.get('views', [])}
files = {(v['name'], s['partition']): s['path'] for v in m.get('views', []) for s in v['segments']}
print(eval(sys.argv[2]))
EOF
}

ria gen --rows 150000 --seed 21 --start 2023-01-01 --years 2 --out "$tmp/a.csv"
ria gen --rows 20000 --seed 22 --start 2025-01-01 --years 1 --out "$tmp/b.csv"
ria gen --rows 20000 --seed 23 --start 2023-06-01 --years 1 --out "$tmp/c.csv"
ria ingest --store "$S" -q "$tmp/a.csv" > /dev/null

# --- defaults
ria views --store "$S" > "$tmp/list.txt"
for v in month_core day_core month_all month_sku; do
    grep -q "^$v " "$tmp/list.txt" || fail "default view $v missing: $(cat "$tmp/list.txt")"
done
[ "$(manifest 'sum(s["base_rows"] for s in views["month_core"]["segments"])')" = 150000 ] ||
    fail "month_core does not cover every row"

# --- the bench questions (dates shifted into the data) and varied queries
cat > "$tmp/q.sql" << 'EOF'
SELECT sum(amount) FROM sales WHERE order_date >= '2024-01-01' AND order_date < '2024-02-01'
SELECT category, sum(amount) AS revenue FROM sales GROUP BY category ORDER BY revenue DESC
SELECT sum(amount) FROM sales WHERE category = 'Electronics' AND state = 'CA' AND order_date >= '2024-01-01' AND order_date < '2024-04-01'
SELECT year(order_date) AS y, month(order_date) AS m, sum(amount) FROM sales GROUP BY y, m ORDER BY y, m
SELECT state, sum(amount) AS revenue FROM sales WHERE order_date >= '2023-01-01' AND order_date < '2024-01-01' GROUP BY state ORDER BY revenue DESC LIMIT 5
SELECT category, sum(CASE WHEN order_date < '2024-04-01' THEN amount ELSE 0 END) AS q1, sum(CASE WHEN order_date >= '2024-04-01' THEN amount ELSE 0 END) AS q2 FROM sales WHERE order_date >= '2024-01-01' AND order_date < '2024-07-01' GROUP BY category ORDER BY category
SELECT category, sum(CASE WHEN year(order_date) = 2024 THEN amount ELSE 0 END) / sum(CASE WHEN year(order_date) = 2023 THEN amount ELSE 0 END) - 1 AS yoy FROM sales WHERE order_date >= '2023-01-01' AND order_date < '2025-01-01' GROUP BY category ORDER BY yoy DESC
SELECT category, year(order_date) AS y, (sum(amount) - sum(cost)) / sum(amount) AS margin FROM sales GROUP BY category, y ORDER BY category, y
SELECT count(DISTINCT order_id), sum(amount) / count(DISTINCT order_id) FROM sales WHERE order_date >= '2024-01-01' AND order_date < '2025-01-01' AND status <> 'Cancelled'
SELECT sku, sum(quantity) AS units FROM sales WHERE status <> 'Cancelled' AND order_date >= '2024-12-01' AND order_date < '2025-01-01' GROUP BY sku ORDER BY units DESC, sku LIMIT 10
SELECT channel, sum(amount) / (SELECT sum(amount) FROM sales) AS share FROM sales GROUP BY channel ORDER BY share DESC
SELECT CAST(order_date AS DATE) AS d, sum(amount) FROM sales WHERE order_date >= '2024-12-02' AND order_date < '2025-01-01' GROUP BY d ORDER BY d
SELECT quarter(order_date) AS q, sum(CASE WHEN year(order_date) = 2024 THEN amount ELSE 0 END) - sum(CASE WHEN year(order_date) = 2023 THEN amount ELSE 0 END) FROM sales GROUP BY q ORDER BY q
SELECT month(order_date), sum(amount) / (SELECT sum(amount) FROM sales WHERE year(order_date) = 2024) FROM sales WHERE year(order_date) = 2024 GROUP BY 1 ORDER BY 1
SELECT region, count(*), count(amount), avg(amount), min(amount), max(amount) FROM sales GROUP BY region
SELECT status, sum(quantity), avg(quantity), sum(amount - cost) FROM sales WHERE order_date BETWEEN '2023-03-01' AND '2023-05-31 23:59:59' GROUP BY status ORDER BY status
SELECT segment, sub_category, sum(amount) FROM sales WHERE status NOT IN ('Cancelled', 'Returned') GROUP BY segment, sub_category HAVING sum(amount) > 10000 ORDER BY 3 DESC, 1, 2 LIMIT 7
SELECT dayofweek(order_date), count(*) FROM sales WHERE channel = 'Online' GROUP BY 1 ORDER BY 1
SELECT date_trunc('week', order_date) AS w, sum(amount) FROM sales WHERE order_date >= '2024-02-01' AND order_date < '2024-03-01' GROUP BY w ORDER BY w
SELECT count(DISTINCT state), count(DISTINCT category) FROM sales WHERE region = 'West'
SELECT sum(CASE WHEN status = 'Returned' THEN 1 ELSE 0 END) * 1.0 / count(*) FROM sales
SELECT category FROM sales GROUP BY category HAVING count(*) > 1000 ORDER BY category
SELECT sum(amount) FROM sales WHERE order_date >= '2024-01-01 08:00:00'
SELECT sum(amount) FROM sales WHERE order_date <= '2024-01-31'
SELECT city, sum(amount) FROM sales GROUP BY city ORDER BY 2 DESC LIMIT 3
SELECT count(DISTINCT customer_id) FROM sales WHERE category = 'Toys'
SELECT sum(amount) FROM sales WHERE discount > 0.1
EOF
compare "$tmp/q.sql" > "$tmp/routes.txt"
base_lines=$(grep -c -P '^\t' "$tmp/routes.txt" || true)
[ "$base_lines" = 7 ] || fail "expected 7 queries on the base table, got $base_lines: $(grep -P '^\t' "$tmp/routes.txt")"
grep -q -P '^\tSELECT count\(DISTINCT order_id\)' "$tmp/routes.txt" || fail "distinct orders did not fall back"
grep -q -P '^month_core\tSELECT category, sum\(amount\) AS revenue' "$tmp/routes.txt" || fail "Q2 not from month_core"
grep -q -P '^day_core\tSELECT CAST' "$tmp/routes.txt" || fail "daily revenue not from day_core"
grep -q -P '^month_sku\tSELECT sku' "$tmp/routes.txt" || fail "top skus not from month_sku"
grep -q -P '^month_all\tSELECT sum\(amount\) FROM sales WHERE category' "$tmp/routes.txt" || fail "Q3 not from month_all"

ria sql --store "$S" --explain "SELECT count(DISTINCT order_id) FROM sales" | grep -q '^view: none (.*order_id' ||
    fail "explain does not say why no view covers distinct orders"
ria sql --store "$S" --explain "SELECT region, sum(amount) FROM sales GROUP BY region" | grep -q '^view: month_core (month x' ||
    fail "explain does not name month_core"
ria sql --store "$S" --stats "SELECT sum(amount) FROM sales" 2>&1 > /dev/null | grep -q ', month_core, ' ||
    fail "--stats does not name the view"
[ "$(view_of "SELECT sum(amount) FROM sales")" = month_core ] || fail "json stats do not name the view"

# --- ria views add / drop / refresh
out=$(ria views --store "$S" add by_city --grain hour --dims city,status)
echo "$out" | grep -q '^added view by_city: version 2' || fail "views add: $out"
echo "$out" | grep -q '^by_city  *hour ' || fail "views add does not list the new view: $out"
[ "$(view_of "SELECT city, count(*) FROM sales WHERE order_date >= '2024-03-03 10:00:00' GROUP BY city")" = by_city ] ||
    fail "the added view does not answer"
ria views --store "$S" add bad --dims order_id > /dev/null 2>&1 && fail "a view over order_id was accepted"
ria views --store "$S" add by_city --dims city > /dev/null 2>&1 && fail "a second by_city was accepted"
ria views --store "$S" drop month_sku | grep -q '^dropped view month_sku: version 3' || fail "views drop"
[ "$(manifest '"month_sku" in views')" = False ] || fail "month_sku still in the manifest"
before=$(manifest 'files[("month_core", "2023-05")]')
ria views --store "$S" refresh > /dev/null
after=$(manifest 'files[("month_core", "2023-05")]')
[ "$before" != "$after" ] || fail "refresh did not rebuild month_core"
[ "$(ria versions --store "$S" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[-1]["operation"])')" = views ] ||
    fail "the refresh is not a views commit"

# --- an append into new months reuses every old rollup; the user's views stay
old=$(manifest 'sorted((k[0], k[1], p) for k, p in files.items())')
ria ingest --store "$S" -q "$tmp/b.csv" > /dev/null
v_append=$(ria versions --store "$S" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[-1]["version"])')
python3 - "$S" "$old" << 'EOF' || fail "an append rebuilt rollups of untouched months"
import ast, glob, json, sys
old = ast.literal_eval(sys.argv[2])
m = json.load(open(sorted(glob.glob(sys.argv[1] + '/log/*.json'))[-1]))
new = {(v['name'], s['partition']): s['path'] for v in m['views'] for s in v['segments']}
assert all(new[(v, p)] == path for v, p, path in old), 'paths changed'
assert any(p.startswith('2025') for _, p in new), 'no rollups for the new months'
assert 'by_city' in {v['name'] for v in m['views']}, 'the added view was dropped'
EOF
# an upsert that changes amounts of stored rows, then an append into old months
python3 - "$tmp/a.csv" "$tmp/up.csv" << 'EOF'
import csv, sys
rows = list(csv.reader(open(sys.argv[1])))
w = csv.writer(open(sys.argv[2], 'w'))
w.writerow(rows[0])
for i, r in enumerate(rows[1:]):
    if i % 37 == 0:
        r[11] = '%.2f' % (float(r[11]) * 3 + 0.07)
        w.writerow(r)
EOF
ria ingest --store "$S" -q --mode upsert --key order_id,sku "$tmp/up.csv" > /dev/null
ria ingest --store "$S" -q "$tmp/c.csv" > /dev/null
compare "$tmp/q.sql" > /dev/null

# --- time travel: every version answers from its own views
latest=$(ria versions --store "$S" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[-1]["version"])')
: > "$tmp/tt.sql"
for v in $(seq 1 "$latest"); do
    echo "SELECT category, year(order_date), sum(amount), count(*), avg(quantity) FROM sales AS OF VERSION $v GROUP BY 1, 2 ORDER BY 1, 2" >> "$tmp/tt.sql"
    echo "SELECT status, sum(amount) / (SELECT sum(amount) FROM sales AS OF VERSION $v) FROM sales AS OF VERSION $v WHERE order_date >= '2023-06-01' GROUP BY 1 ORDER BY 1" >> "$tmp/tt.sql"
done
compare "$tmp/tt.sql" > "$tmp/tt.txt"
grep -c -P '^\t' "$tmp/tt.txt" > /dev/null && fail "time travel fell back to the base table: $(grep -P '^\t' "$tmp/tt.txt" | head -3)"
[ "$(sort -u "$tmp/tt.txt" | wc -l)" -gt 3 ] || fail "time travel returned nothing"

# --- vacuum keeps what kept versions use, removes the rest
mkdir -p "$S/views/month_core/2023-01"
echo junk > "$S/views/month_core/2023-01/v99-00000000.seg"
ria vacuum --store "$S" --keep 1 > /dev/null
[ ! -e "$S/views/month_core/2023-01/v99-00000000.seg" ] || fail "vacuum left an orphan rollup"
manifest '"\n".join(files.values())' | while read -r p; do
    [ -e "$S/$p" ] || fail "vacuum removed $p, which the latest version uses"
done
compare "$tmp/q.sql" > /dev/null
n_files=$(find "$S/views" -name '*.seg' | wc -l)
[ "$n_files" = "$(manifest 'len(files)')" ] || fail "after vacuum $n_files rollup files, the latest version uses $(manifest 'len(files)')"
echo "views: ok"
