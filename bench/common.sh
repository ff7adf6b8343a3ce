# common.sh — shared by the benchmark scripts: paths, DuckDB install, data.
# Sourced, not run.
bench_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$bench_dir")
out=${RIA_BENCH_OUT:-$bench_dir/out}
ria=${RIA_BIN:-$root/ria}
shared=${RIA_SHARED:-$root/../shared}
mkdir -p "$out"

ensure_duckdb() {
    if [ ! -d "$bench_dir/node_modules/@duckdb/node-api" ]; then
        echo "installing @duckdb/node-api (npm) ..." >&2
        (cd "$bench_dir" && npm install --no-audit --no-fund --silent >/dev/null)
    fi
}

# reference data from the shared generator, cached: ref_csv ROWS -> path
ref_csv() {
    local rows=$1 f="$out/sales_$1.csv"
    if [ ! -s "$f" ]; then
        echo "generating $rows rows with gen_sales.py (seed 42) ..." >&2
        python3 "$shared/bench/gen_sales.py" --rows "$rows" --seed 42 > "$f.tmp" && mv "$f.tmp" "$f"
    fi
    echo "$f"
}

# ria's own generator, cached: gen_csv ROWS -> path
gen_csv() {
    local rows=$1 f="$out/gen_$1.csv"
    if [ ! -s "$f" ]; then
        echo "generating $rows rows with ria gen (seed 42) ..." >&2
        "$ria" gen --rows "$rows" --seed 42 --out "$f"
    fi
    echo "$f"
}

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
