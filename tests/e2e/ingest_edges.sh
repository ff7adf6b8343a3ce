#!/usr/bin/env bash
# ingest_edges.sh — small hand-written CSVs, each with exact expected
# outcomes (the --json report, `ria export`, the quarantine file, `ria info`):
# column order and header spelling, junk columns, delimiters, quoting and
# line numbers, BOM/CRLF, missing final newline, empty and header-only
# files, decorated numbers, blank numeric cells, date layouts, unterminated
# quotes, upsert with time travel, replace, several files, stdin,
# --max-amount, missing required columns; then --help, unknown options and
# a missing store for every command.  Checks live in ingest_edges_check.py.
#
# Needs RIA_BIN (tests/run sets it).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
: "${RIA_BIN:?set RIA_BIN to the ria binary}"
ria=$RIA_BIN
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
failures=0

# ck CHECK ARGS...: one assertion of ingest_edges_check.py; failures are counted.
ck() {
    python3 "$here/ingest_edges_check.py" "$@" || failures=$((failures + 1))
}
bad() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}
# load NAME STORE [OPTIONS] FILES...: ingest --json into NAME.json (must succeed).
load() {
    local name=$1 store=$2
    shift 2
    if ! "$ria" ingest --store "$store" --json "$@" > "$name.json" 2> "$name.err"; then
        bad "$name: ria ingest $* exited non-zero: $(cat "$name.err")"
        echo '{}' > "$name.json"
    fi
}
# export_is STORE EXPECTED_CSV [--version N]: the stored rows, as a multiset.
export_is() {
    local store=$1 want=$2
    shift 2
    if "$ria" export --store "$store" "$@" --out "$store.export.csv" 2> "$store.export.err"; then
        ck export "$store.export.csv" "$want"
    else
        bad "ria export --store $store $*: $(cat "$store.export.err")"
    fi
}
# one_line_error NAME: NAME.err holds exactly one line starting with "ria ".
one_line_error() {
    local n
    n=$(wc -l < "$1.err")
    if [ "$n" -ne 1 ] || ! grep -q '^ria [a-z]*: ' "$1.err"; then
        bad "$1: expected a one-line 'ria CMD: reason' message, got $n lines: $(head -c 300 "$1.err")"
    fi
}
# store_state STORE: every file of the store with its checksum (the lock excepted).
store_state() {
    (cd "$1" && find . -type f ! -name lock | LC_ALL=C sort | xargs md5sum)
}

# ---------------------------------------------------------------- headers
# Columns in any order, stray spaces and case in header names, junk columns
# (empty headers) at the end, and an extra column kept under its own name.
printf 'Amount, order id ,ORDER_DATE,Qty,Store Name,,\n' > hdr.csv
printf '10.50,A1,2024-01-15,2,North,,\n' >> hdr.csv
printf '7,A2,2024-01-16,1,South,,\n' >> hdr.csv
load hdr hdr hdr.csv
ck report hdr.json rows_read=2 accepted=2 quarantined=0 duplicates=0 rules= reconciles=1 \
    "notes~=ignored column 6 ''" "notes~=ignored column 7 ''" "notes~='order id' -> order_id" \
    "notes~='ORDER_DATE' -> order_date" files.0.date_format=YYYY-MM-DD
"$ria" info --store hdr --json > hdr.info.json
ck columns hdr.info.json "order_id:order_id:text:order id" "order_date:order_date:timestamp:ORDER_DATE" \
    "quantity:quantity:int:Qty" "amount:amount:decimal:Amount" "store_name::text:Store Name"
cat > hdr.want <<'EOF'
order_id,order_date,quantity,amount,store_name
A1,2024-01-15 00:00:00,2,10.5,North
A2,2024-01-16 00:00:00,1,7,South
EOF
export_is hdr hdr.want

# ------------------------------------------------------------- delimiters
# Semicolons (a quoted field holding a semicolon), then tabs.
cat > semi.csv <<'EOF'
order_id;order_date;amount;product_name
S1;2024-03-01;12.5;"Desk; oak"
S2;2024-03-02;-3;Lamp
S3;2024-03-03;4;Chair
EOF
load semi semi semi.csv
ck report semi.json rows_read=3 accepted=2 quarantined=1 rules=negative_amount:1 lines.negative_amount=3 \
    files.0.delimiter=';' reconciles=1
ck quarantine semi semi.json "3:negative_amount:amount '-3'"
cat > semi.want <<'EOF'
order_id,order_date,amount,product_name
S1,2024-03-01 00:00:00,12.5,Desk; oak
S3,2024-03-03 00:00:00,4,Chair
EOF
export_is semi semi.want

printf 'order_id\torder_date\tamount\tnote\n' > tabs.tsv
printf 'T1\t2024-02-01\t5\tcomma, inside\n' >> tabs.tsv
printf 'T2\t2024-02-02\tabc\tx\n' >> tabs.tsv
printf 'T3\t2024-02-03\t6.25\t\n' >> tabs.tsv
load tabs tabs tabs.tsv
ck report tabs.json rows_read=3 accepted=2 quarantined=1 rules=bad_amount:1 'files.0.delimiter=\t' reconciles=1
ck quarantine tabs tabs.json "3:bad_amount:amount 'abc'"
cat > tabs.want <<'EOF'
order_id,order_date,amount,note
T1,2024-02-01 00:00:00,5,"comma, inside"
T3,2024-02-03 00:00:00,6.25,
EOF
export_is tabs tabs.want

# ---------------------------------------------------------------- quoting
# Embedded commas, doubled quotes and newlines; the rows rejected after the
# multi-line records keep their physical line numbers (8 and 10).
cat > quoted.csv <<'EOF'
order_id,order_date,product_name,amount
Q1,2024-03-01,"Desk, oak ""large""",10
Q2,2024-03-02,"Two
line name",11
Q3,2024-03-03,"Three
line, ""quoted""
name",12
Q4,2024-03-04,plain,-5
Q5,2024-03-05,"ok",13
Q6,not a date,x,1
Q7,2024-03-07,"a ""b"", c",14
EOF
load quoted quoted quoted.csv
ck report quoted.json rows_read=7 accepted=5 quarantined=2 "rules=negative_amount:1,bad_date:1" \
    lines.negative_amount=8 lines.bad_date=10 files.0.rows=7 files.0.malformed_records=0 reconciles=1
ck quarantine quoted quoted.json "8:negative_amount:amount '-5'" "10:bad_date:not a date"
cat > quoted.want <<'EOF'
order_id,order_date,product_name,amount
Q1,2024-03-01 00:00:00,"Desk, oak ""large""",10
Q2,2024-03-02 00:00:00,"Two
line name",11
Q3,2024-03-03 00:00:00,"Three
line, ""quoted""
name",12
Q5,2024-03-05 00:00:00,ok,13
Q7,2024-03-07 00:00:00,"a ""b"", c",14
EOF
export_is quoted quoted.want

# An unterminated quote in the middle: only that record is quarantined (its
# own line), the lines after it are read as rows again.
cat > unterminated.csv <<'EOF'
order_id,order_date,product_name,amount
U1,2024-03-01,"multi
line",10
U2,2024-03-02,"broken,11
U3,2024-03-03,after,12
U4,2024-03-04,more,13
U5,2024-03-05,last,-1
EOF
load unterm unterm unterminated.csv
ck report unterm.json rows_read=5 accepted=3 quarantined=2 "rules=bad_record:1,negative_amount:1" \
    lines.bad_record=4 lines.negative_amount=7 files.0.malformed_records=1 reconciles=1
ck quarantine unterm unterm.json "4:bad_record:unterminated quoted field starting at line 4" \
    "7:negative_amount"
cat > unterm.want <<'EOF'
order_id,order_date,product_name,amount
U1,2024-03-01 00:00:00,"multi
line",10
U3,2024-03-03 00:00:00,after,12
U4,2024-03-04 00:00:00,more,13
EOF
export_is unterm unterm.want

# ------------------------------------------------------------- BOM, CRLF
# A UTF-8 BOM, CRLF line ends (also inside a quoted field), a blank line.
printf '\xef\xbb\xbforder_id,order_date,product_name,amount\r\n' > bom.csv
printf 'B1,2024-01-01,"two\r\nlines",1\r\n' >> bom.csv
printf '\r\n' >> bom.csv
printf 'B2,2024-01-02,Caf\xc3\xa9,-1\r\n' >> bom.csv
printf 'B3,2024-01-03,"x, y",2\r\n' >> bom.csv
printf 'B4,,z,3\r\n' >> bom.csv
load bom bom bom.csv
ck report bom.json rows_read=4 accepted=2 quarantined=2 "rules=negative_amount:1,missing_date:1" \
    lines.negative_amount=5 lines.missing_date=7 "files.0.encoding=UTF-8 with BOM" files.0.blank_lines=1 \
    converted_rows=0 reconciles=1
ck quarantine bom bom.json "5:negative_amount" "7:missing_date"
"$ria" info --store bom --json > bom.info.json
ck columns bom.info.json order_id:order_id:text:order_id order_date:order_date:timestamp \
    product_name:product_name:text amount:amount:decimal
printf 'order_id,order_date,product_name,amount\nB1,2024-01-01 00:00:00,"two\r\nlines",1\nB3,2024-01-03 00:00:00,"x, y",2\n' > bom.want
export_is bom bom.want

# No newline after the last record: a rejected last row keeps its line
# number; an accepted one (multi-line, quoted) is stored whole.
printf 'order_id,order_date,amount\r\nN1,2024-02-01,5\r\nN2,2024-02-02,-7.5' > nofinal1.csv
load nofinal1 nofinal1 nofinal1.csv
ck report nofinal1.json rows_read=2 accepted=1 quarantined=1 rules=negative_amount:1 lines.negative_amount=3
ck quarantine nofinal1 nofinal1.json "3:negative_amount"
printf 'order_id,order_date,amount,product_name\nN1,2024-02-01,5,"a\nb"' > nofinal2.csv
load nofinal2 nofinal2 nofinal2.csv
ck report nofinal2.json rows_read=1 accepted=1 quarantined=0 rules=
printf 'order_id,order_date,amount,product_name\nN1,2024-02-01 00:00:00,5,"a\nb"\n' > nofinal2.want
export_is nofinal2 nofinal2.want

# Blank lines before the header and between rows: skipped, counted, and
# line numbers stay physical.
printf '\n\norder_id,order_date,amount\n\nL1,2024-01-01,5\n  \nL2,2024-01-01,-5\n' > blanks.csv
load blanks blanks blanks.csv
ck report blanks.json rows_read=2 accepted=1 quarantined=1 lines.negative_amount=7 files.0.blank_lines=4 \
    blank_lines=4
ck quarantine blanks blanks.json "7:negative_amount"

# ------------------------------------------------- empty and header-only
load base base hdr.csv
"$ria" versions --store base > base.versions.before
store_state base > base.state.before
: > empty.csv
if "$ria" ingest --store base empty.csv > empty.out 2> empty.err; then
    bad "ingest of an empty file exited 0"
fi
one_line_error empty
grep -q 'empty.csv' empty.err || bad "the empty-file message does not name the file: $(cat empty.err)"
"$ria" versions --store base > base.versions.after
cmp -s base.versions.before base.versions.after || bad "ria versions changed after a failed ingest of an empty file"
store_state base > base.state.after
cmp -s base.state.before base.state.after || bad "store files changed after a failed ingest of an empty file: $(diff base.state.before base.state.after)"
printf '\n \n' > blankonly.csv
if "$ria" ingest --store base blankonly.csv > blankonly.out 2> blankonly.err; then
    bad "ingest of a file of blank lines exited 0"
fi
one_line_error blankonly
if printf '' | "$ria" ingest --store base - > emptystdin.out 2> emptystdin.err; then
    bad "ingest of empty standard input exited 0"
fi
one_line_error emptystdin

# A header and no rows: a commit that adds nothing and breaks nothing.
printf 'order_id,order_date,amount\n' > header_only.csv
load header_only base header_only.csv
ck report header_only.json rows_read=0 accepted=0 quarantined=0 duplicates=0 rules= version=2 reconciles=1
"$ria" info --store base --json > base.info.json
ck report base.info.json rows=2 version=2
export_is base hdr.want
export_is base hdr.want --version 1

# ---------------------------------------------------------------- numbers
# Thousands separators, currency signs and codes, parentheses negatives;
# blank numeric cells are null (empty in the export), never 0.
cat > numbers.csv <<'EOF'
order_id,order_date,amount,quantity,unit_price,profit,weight,note
K1,2024-01-01,5,,,,,
K2,2024-01-02,,2,,(3.00),1.5,x
K3,2024-01-03,,3,$2.50,0,,
K4,2024-01-04,"$1,234.50",1,,"-1,000",2.25,
K5,2024-01-05,€9.99,1,,,,
K6,2024-01-06,INR 449.00,1,,,,
K7,2024-01-07,"1,000,000.00","1,200",,,,
K8,2024-01-08,(12.00),1,,,,
K9,2024-01-09,£ 3.5,1,,,0,
EOF
load numbers numbers numbers.csv
ck report numbers.json rows_read=9 accepted=8 quarantined=1 \
    "rules=missing_quantity:1,missing_amount:1,derived_amount:1,amount_above_ceiling:1,negative_amount:1" \
    lines.missing_quantity=2 lines.missing_amount=3 lines.derived_amount=4 lines.amount_above_ceiling=8 \
    lines.negative_amount=9 reconciles=1
ck quarantine numbers numbers.json "9:negative_amount:(12.00)"
"$ria" info --store numbers --json > numbers.info.json
ck columns numbers.info.json order_id:order_id:text order_date:order_date:timestamp \
    amount:amount:decimal quantity:quantity:int unit_price:unit_price:decimal profit:profit:decimal \
    weight::decimal note::text
cat > numbers.want <<'EOF'
order_id,order_date,amount,quantity,unit_price,profit,weight,note
K1,2024-01-01 00:00:00,5,1,,,,
K2,2024-01-02 00:00:00,,2,,-3,1.5,x
K3,2024-01-03 00:00:00,7.5,3,2.5,0,,
K4,2024-01-04 00:00:00,1234.5,1,,-1000,2.25,
K5,2024-01-05 00:00:00,9.99,1,,,,
K6,2024-01-06 00:00:00,449,1,,,,
K7,2024-01-07 00:00:00,1000000,1200,,,,
K9,2024-01-09 00:00:00,3.5,1,,,0,
EOF
export_is numbers numbers.want

# ------------------------------------------------------------------ dates
cat > dots.csv <<'EOF'
order_id,order_date,ship_date,amount
D1,03.04.2024,05.04.2024,1
D2,25.12.2023,27.12.2023,2
D3,31.02.2024,,3
EOF
load dots dots dots.csv
ck report dots.json files.0.date_format=DD.MM.YYYY rows_read=3 accepted=2 rules=bad_date:1 lines.bad_date=4
ck quarantine dots dots.json "4:bad_date:31.02.2024"
printf 'order_id,order_date,ship_date,amount\nD1,2024-04-03 00:00:00,2024-04-05,1\nD2,2023-12-25 00:00:00,2023-12-27,2\n' > dots.want
export_is dots dots.want

# Day first, decided by a day above 12 (25/12/2023).
printf 'order_id,order_date,amount\nE1,3/4/2024,1\nE2,25/12/2023,2\nE3,1/2/2024,3\n' > dmy.csv
load dmy dmy dmy.csv
ck report dmy.json files.0.date_format=D/M/YYYY files.0.date_format_ambiguous='<absent>' accepted=3 rules=
printf 'order_id,order_date,amount\nE1,2024-04-03 00:00:00,1\nE2,2023-12-25 00:00:00,2\nE3,2024-02-01 00:00:00,3\n' > dmy.want
export_is dmy dmy.want
# Nothing decides: month first, and the report says so.
printf 'order_id,order_date,amount\nE1,3/4/2024,1\nE3,1/2/2024,3\n' > ambiguous.csv
load ambiguous ambiguous ambiguous.csv
ck report ambiguous.json files.0.date_format=M/D/YYYY files.0.date_format_ambiguous=true \
    "notes~=could not be told apart"
printf 'order_id,order_date,amount\nE1,2024-03-04 00:00:00,1\nE3,2024-01-02 00:00:00,3\n' > ambiguous.want
export_is ambiguous ambiguous.want

# ---------------------------------------------------- upsert, time travel
cat > v1.csv <<'EOF'
order_id,line_id,order_date,amount,status
O1,1,2024-01-05,10,Shipped
O1,2,2024-01-05,20,Shipped
O2,1,2024-02-07,30,Shipped
EOF
cat > v2.csv <<'EOF'
line_id,order_id,order_date,amount,status
2,O1,2024-01-05,25,Returned
1,O3,2024-03-09,40,Shipped
1,O3,2024-03-09,41,Shipped
EOF
load up1 up v1.csv
load up2 up --mode upsert --key order_id,line_id v2.csv
ck report up2.json mode=upsert rows_read=3 accepted=2 superseded=1 upsert.updated=1 upsert.inserted=1 \
    upsert.stored_rows_replaced=1 version=2 reconciles=1
cat > up.v2.want <<'EOF'
order_id,line_id,order_date,amount,status
O1,1,2024-01-05 00:00:00,10,Shipped
O1,2,2024-01-05 00:00:00,25,Returned
O2,1,2024-02-07 00:00:00,30,Shipped
O3,1,2024-03-09 00:00:00,41,Shipped
EOF
cat > up.v1.want <<'EOF'
order_id,line_id,order_date,amount,status
O1,1,2024-01-05 00:00:00,10,Shipped
O1,2,2024-01-05 00:00:00,20,Shipped
O2,1,2024-02-07 00:00:00,30,Shipped
EOF
export_is up up.v2.want
export_is up up.v1.want --version 1
"$ria" versions --store up --json > up.versions.json
python3 - up.versions.json <<'PY' || failures=$((failures + 1))
import json, sys
v = json.load(open(sys.argv[1]))
got = [(x["version"], x["operation"], x["rows"]) for x in v]
if got != [(1, "append", 3), (2, "upsert", 4)]:
    print("FAIL: ria versions after append + upsert: %s" % got)
    sys.exit(1)
PY
# an upsert key that is not in the file: a one-line error, nothing committed
if "$ria" ingest --store up --mode upsert --key order_id,sku v2.csv > badkey.out 2> badkey.err; then
    bad "upsert with a key column missing from the file exited 0"
fi
one_line_error badkey
grep -q "sku" badkey.err || bad "the bad-key message does not name the column: $(cat badkey.err)"

# -------------------------------------------------------------- replace
printf 'order_id,line_id,order_date,amount,status\nR1,1,2024-05-05,99,Shipped\nO2,1,2024-02-07,30,Shipped\n' > v3.csv
load rep up --mode replace v3.csv
# rows equal to stored ones are not duplicates: the stored table is replaced
ck report rep.json mode=replace rows_read=2 accepted=2 duplicates=0 version=3
printf 'order_id,line_id,order_date,amount,status\nR1,1,2024-05-05 00:00:00,99,Shipped\nO2,1,2024-02-07 00:00:00,30,Shipped\n' > up.v3.want
export_is up up.v3.want
export_is up up.v2.want --version 2

# ------------------------------------------------ several files, stdin
# Two files in one load, columns in a different order, one row in both.
printf 'order_id,order_date,amount\nF1,2024-01-05,10\nF2,2024-01-06,200000\n' > f1.csv
printf 'amount,order_id,order_date\n30,F3,2024-01-07\n10,F1,2024-01-05\n-3,F4,2024-01-08\n' > f2.csv
load two two f1.csv f2.csv
ck report two.json rows_read=5 accepted=3 quarantined=1 duplicates=1 \
    "rules=amount_above_ceiling:1,negative_amount:1" files.0.name=f1.csv files.0.rows=2 files.1.name=f2.csv \
    files.1.rows=3 rules.negative_amount.examples.0.file=f2.csv rules.negative_amount.examples.0.line=4 \
    reconciles=1
ck quarantine two two.json "4:negative_amount"
printf 'order_id,order_date,amount\nF1,2024-01-05 00:00:00,10\nF2,2024-01-06 00:00:00,200000\nF3,2024-01-07 00:00:00,30\n' > two.want
export_is two two.want

# Standard input.
if ! "$ria" ingest --store stdin --json - < f2.csv > stdin.json 2> stdin.err; then
    bad "ria ingest - exited non-zero: $(cat stdin.err)"
fi
ck report stdin.json rows_read=3 accepted=2 quarantined=1 files.0.name=- rules=negative_amount:1 lines.negative_amount=4
ck quarantine stdin stdin.json "4:negative_amount"
printf 'order_id,order_date,amount\nF3,2024-01-07 00:00:00,30\nF1,2024-01-05 00:00:00,10\n' > stdin.want
export_is stdin stdin.want
if "$ria" ingest --store stdin2 - - < f2.csv > twice.out 2> twice.err; then
    bad "reading standard input twice in one load exited 0"
fi
one_line_error twice

# --max-amount moves the ceiling (strictly above is flagged).
printf 'order_id,order_date,amount\nM1,2024-01-01,100000\nM2,2024-01-02,100000.01\nM3,2024-01-03,30\nM4,2024-01-04,20\n' > ceiling.csv
load ceil1 ceil1 ceiling.csv
ck report ceil1.json rules=amount_above_ceiling:1 lines.amount_above_ceiling=3
load ceil2 ceil2 --max-amount 20 ceiling.csv
ck report ceil2.json rules=amount_above_ceiling:3 lines.amount_above_ceiling=2,3,4
load ceil3 ceil3 --max-amount 200000 ceiling.csv
ck report ceil3.json rules=
if "$ria" ingest --store ceil4 --max-amount abc ceiling.csv > ceil4.out 2> ceil4.err; then
    bad "--max-amount abc exited 0"
fi
one_line_error ceil4

# --------------------------------------------- duplicates and their fixes
# A row dropped as an exact duplicate is not stored, so the fixes and flags
# applied to it are not part of the report's counts either (the report's
# rule counts describe the rows kept; tests/e2e/ingest_check.py counts the
# same way).
printf 'order_id,order_date,amount,quantity,state\nW1,2024-01-01,5,,Texas\nW1,2024-01-01,5,,Texas\nW2,2024-01-02,6,1,TX\n' > dupfix.csv
load dupfix dupfix dupfix.csv
ck report dupfix.json rows_read=3 accepted=2 duplicates=1 "rules=missing_quantity:1,state_name:1"

# --------------------------------------------- missing required columns
for case in "noid:ord,order_date,amount:order id:Order ID" \
            "nodate:order_id,amount:order date:Order Date" \
            "noamount:order_id,order_date,status:amount:Amount"; do
    IFS=: read -r name header what example <<< "$case"
    printf '%s\n%s\n' "$header" "X1,2024-01-01,5" > "$name.csv"
    "$ria" versions --store base > base.versions.before
    store_state base > base.state.before
    if "$ria" ingest --store base "$name.csv" > "$name.out" 2> "$name.err"; then
        bad "$name.csv (no $what column) was loaded"
    fi
    one_line_error "$name"
    grep -q "$name.csv" "$name.err" || bad "$name: the message does not name the file: $(cat "$name.err")"
    grep -q "no $what column" "$name.err" || bad "$name: the message does not say 'no $what column': $(cat "$name.err")"
    grep -q "$example" "$name.err" || bad "$name: the message does not list the headers looked for ($example): $(cat "$name.err")"
    "$ria" versions --store base > base.versions.after
    cmp -s base.versions.before base.versions.after || bad "$name: ria versions changed after a failed ingest"
    store_state base > base.state.after
    cmp -s base.state.before base.state.after || bad "$name: store files changed after a failed ingest"
done
# a good file with a bad one: the whole load fails, nothing of the good one is kept
if "$ria" ingest --store base f1.csv noid.csv > mixed.out 2> mixed.err; then
    bad "a load with one file lacking an order id column exited 0"
fi
one_line_error mixed
store_state base > base.state.after
cmp -s base.state.before base.state.after || bad "store files changed after a failed two-file ingest"

# ------------------------------------------------------------------- CLI
for cmd in gen ingest info versions compact vacuum export; do
    if ! "$ria" "$cmd" --help > help.out 2> help.err; then
        bad "ria $cmd --help exited non-zero"
    fi
    grep -q "^usage: ria $cmd" help.out || bad "ria $cmd --help does not start with its usage"
    [ -s help.err ] && bad "ria $cmd --help wrote to stderr: $(cat help.err)"
    if "$ria" "$cmd" --no-such-option > unknown.out 2> unknown.err; then
        bad "ria $cmd --no-such-option exited 0"
    fi
    one_line_error unknown
    grep -q -- "--no-such-option" unknown.err || bad "ria $cmd: the message does not name the option: $(cat unknown.err)"
done
"$ria" help > /dev/null || bad "ria help exited non-zero"
if "$ria" no-such-command > nocmd.out 2> nocmd.err; then
    bad "ria no-such-command exited 0"
fi
[ "$(wc -l < nocmd.err)" -eq 1 ] || bad "ria no-such-command: expected one line, got: $(cat nocmd.err)"
for cmd in info versions export; do
    if "$ria" "$cmd" --store "$tmp/no-store" > nostore.out 2> nostore.err; then
        bad "ria $cmd on a missing store exited 0"
    fi
    one_line_error nostore
    grep -q "no-store" nostore.err || bad "ria $cmd: the message does not name the store: $(cat nostore.err)"
    [ -e "$tmp/no-store" ] && bad "ria $cmd created the missing store $tmp/no-store"
done
if "$ria" ingest --store missing-file missing.csv > missing.out 2> missing.err; then
    bad "ingest of a missing file exited 0"
fi
one_line_error missing
grep -q "missing.csv" missing.err || bad "the missing-file message does not name the file: $(cat missing.err)"

if [ "$failures" -ne 0 ]; then
    echo "ingest_edges: $failures failure(s)"
    exit 1
fi
echo "ingest_edges: ok"
