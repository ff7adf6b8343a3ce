#!/usr/bin/env bash
# crash.sh — kill -9 writers at random moments and check the store after
# each kill.
#
# A store with two committed versions gets, again and again, a writer —
# `ria ingest` of a 200,000-row file (append, upsert or replace), or
# `ria compact`, or `ria vacuum` — that is killed with SIGKILL after a random
# delay, until at least 20 ingests were killed while running.  Delays are
# spread over the phases of a normal run measured first on a copy of the
# store: in reading (a delay from the start), in flushing, finalizing and
# committing (a delay after the log line that starts the phase), and after
# the end (up to 110% of the run).  After every kill:
#   - `ria versions` and `ria info` work, versions run 1..N without gaps and
#     their row counts add up (rows = previous + added - removed);
#   - the latest version is the one before the kill or exactly one more, and
#     a new version is of the killed writer's kind;
#   - every version loads (`ria info --version N`) with the row count the
#     log gives; the latest, any new version and one older one in turn (all
#     of them every eighth round and at the end) export with that many rows
#     and the same bytes as when the version was first seen; a new
#     compaction version holds the same rows as the version before it;
#   - no lock is left behind (a lock-taking command succeeds at once);
#   - dictionary files are never shorter than the latest commit says (a tail
#     left by a killed writer is allowed, readers ignore it), and every
#     fourth round a small ingest with a new city commits and leaves the
#     city dictionary exactly as long as its commit says.
# A dictionary tail is also appended by hand before the loop.  After the
# loop, `ria vacuum --keep 5` must leave no file under data/ (or views/)
# that no kept version names and lose none that one names; kept versions
# export identically, older ones fail saying they were vacuumed.
#
# Needs RIA_BIN, the binary itself (a wrapper script would be killed instead
# of the writer).  RIA_CRASH_SEED picks the sequence (printed; default fixed).
# Takes about a minute on two cores.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
: "${RIA_BIN:?set RIA_BIN to the ria binary}"
seed=${RIA_CRASH_SEED:-20240611}
echo "crash test seed $seed (rerun with RIA_CRASH_SEED=$seed)"
RANDOM=$seed
tmp=$(mktemp -d)
victim=
cleanup() {
    if [ -n "$victim" ]; then kill -9 "$victim" 2> /dev/null || true; fi
    rm -rf "$tmp"
}
trap cleanup EXIT
export LC_ALL=C
S=$tmp/store
check=$here/crash_check.py

fail() {
    echo "FAIL (seed $seed, round ${round:-setup}): $*" >&2
    exit 1
}
ria() { "$RIA_BIN" "$@"; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }
sleep_ms() { sleep "$(printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000)))"; }

# ------------------------------------------------------------------ data
ria gen --rows 20000 --seed 101 --out "$tmp/base1.csv"
ria gen --rows 20000 --seed 102 --out "$tmp/base2.csv"
ria gen --rows 200000 --seed 201 --out "$tmp/big1.csv"
ria gen --rows 200000 --seed 202 --out "$tmp/big2.csv"
ria gen --rows 200000 --seed 203 --dirty 0.02 --out "$tmp/big3.csv"
ria gen --rows 2000 --seed 301 --out "$tmp/small.csv"
ria ingest --store "$S" -q "$tmp/base1.csv" > /dev/null
ria ingest --store "$S" -q "$tmp/base2.csv" > /dev/null

# --------------------------------------------------------- verification
declare -A raw sorted vrows vop
rotate=1

# Exports version v and compares it with what it was when first seen.
verify_export() {
    local v=$1 out=$tmp/export.csv
    ria export --store "$S" --version "$v" --out "$out" 2> "$tmp/export.err" ||
        fail "export of version $v: $(cat "$tmp/export.err")"
    local h n
    h=$(md5sum < "$out" | cut -c1-32)
    n=$(($(wc -l < "$out") - 1))
    [ "$n" = "${vrows[$v]}" ] || fail "version $v exports $n rows, the log says ${vrows[$v]}"
    if [ -z "${raw[$v]:-}" ]; then
        raw[$v]=$h
        sorted[$v]=$(tail -n +2 "$out" | sort -S 64M | md5sum | cut -c1-32)
        if [ "${vop[$v]}" = compact ] && [ "${sorted[$v]}" != "${sorted[$((v - 1))]:-}" ]; then
            fail "compaction version $v does not hold the rows of version $((v - 1))"
        fi
    elif [ "$h" != "${raw[$v]}" ]; then
        local s
        s=$(tail -n +2 "$out" | sort -S 64M | md5sum | cut -c1-32)
        fail "version $v exports differently than when first seen (same rows in another order: $([ "$s" = "${sorted[$v]}" ] && echo yes || echo no))"
    fi
}

# Checks the version list and that every version loads (crash_check.py
# state); sets latest, vrows[], vop[] and garbage (dictionary tails).
read_versions() {
    python3 "$check" state "$RIA_BIN" "$S" > "$tmp/state.txt" 2> "$tmp/state.err" ||
        fail "$(cat "$tmp/state.err")"
    latest=0
    local v r op
    while read -r v r op; do
        if [ "$v" = tails ]; then garbage=$r; continue; fi
        vrows[$v]=$r
        vop[$v]=$op
        latest=$v
    done < "$tmp/state.txt"
}

# Everything that must hold after a kill.  $1: "all" to export every version.
check_store() {
    local mode=${1:-some} v
    read_versions
    if [ "$mode" = all ]; then
        for ((v = 1; v <= latest; v++)); do verify_export "$v"; done
    else
        local fresh=0
        for ((v = 1; v <= latest; v++)); do
            if [ -z "${raw[$v]:-}" ]; then verify_export "$v"; fresh=$v; fi
        done
        if [ "$fresh" != "$latest" ]; then verify_export "$latest"; fi
        verify_export "$rotate"
        rotate=$((rotate % latest + 1))
    fi
    # no lock left behind: a lock-taking command that changes nothing
    ria vacuum --store "$S" --keep 1000000 --dry-run > /dev/null 2> "$tmp/lock.err" ||
        fail "the store is still locked: $(cat "$tmp/lock.err")"
}

dict_state() { python3 "$check" dicts "$S" | awk -v c="$1" '$1 == c {print $2, $3}'; }

# A small ingest with a city no load has had: it must commit, and the city
# dictionary must end exactly where the commit says.
recovery_commit() {
    local tag=$1 before=$latest
    awk -F, -v city="Recovery City $tag" 'BEGIN {OFS = ","}
        NR == 1 {for (i = 1; i <= NF; i++) if ($i == "city") c = i}
        NR > 1 {$1 = $1 "-R" tag; if (NR == 2) $c = city} {print}' tag="$tag" \
        "$tmp/small.csv" > "$tmp/recover.csv"
    ria ingest --store "$S" -q "$tmp/recover.csv" > /dev/null 2> "$tmp/recover.err" ||
        fail "ingest after the kill failed: $(cat "$tmp/recover.err")"
    read_versions
    [ "$latest" = $((before + 1)) ] || fail "the ingest after the kill did not commit one version"
    local st
    st=$(dict_state city)
    [ "${st% *}" = "${st#* }" ] || fail "city dictionary after a commit: committed/size $st"
    verify_export "$latest"
}

check_store all
ref_v1=${raw[1]}
# what a writer killed after appending to a dictionary leaves behind
city_dict=$(python3 - "$S" <<'PY'
import json, os, sys
s = sys.argv[1]
m = json.load(open(os.path.join(s, "log", sorted(os.listdir(os.path.join(s, "log")))[-1])))
print(next(c["id"] for c in m["columns"] if c["name"] == "city"))
PY
)
printf '\014\000\000\000Phantom City\377\000\000\000Half' >> "$S/dict/c$city_dict.dict"
check_store all
[ "$garbage" -ge 1 ] || fail "the appended dictionary tail is not visible"
[ "${raw[1]}" = "$ref_v1" ] || fail "readers see the dictionary tail"
recovery_commit 0
echo "dictionary tail: ignored by readers, replaced by the next commit"

# ------------------------------------------------------------ calibration
# Phase times of a normal run of each operation, on a copy of the store.
declare -A t_total t_read t_flush t_final
ops=(append upsert replace compact vacuum)
op_args() {
    local op=$1 file=$2
    case $op in
        append) echo "ingest -q $file" ;;
        upsert) echo "ingest -q --mode upsert --key order_id $file" ;;
        replace) echo "ingest -q --mode replace $file" ;;
        compact) echo "compact" ;;
        vacuum) echo "vacuum --keep 1000000" ;;
    esac
}
# Waits until the log file has a line with the marker or the process is gone.
wait_for() {
    local marker=$1 log=$2 pid=$3 state
    for _ in $(seq 2000); do
        grep -q "$marker" "$log" && return 0
        state=$(cut -d' ' -f3 "/proc/$pid/stat" 2> /dev/null || echo Z)
        [ "$state" != Z ] || return 0
        sleep 0.003
    done
}
phase_ms() { # the "... N.NN s" of a log line, in ms
    local line
    line=$(grep -m1 "$1" "$2" || true)
    [ -n "$line" ] || { echo 0; return; }
    line=$(echo "$line" | sed -E 's/.* (in|at) ([0-9.]+) s.*/\2/')
    awk -v s="$line" 'BEGIN {printf "%d", s * 1000}'
}
for op in "${ops[@]}"; do
    rm -rf "$tmp/cal"
    cp -a "$S" "$tmp/cal"
    start=$(now_ms)
    # shellcheck disable=SC2046
    RIA_LOG=info "$RIA_BIN" $(op_args "$op" "$tmp/big1.csv") --store "$tmp/cal" \
        > /dev/null 2> "$tmp/cal.err" || fail "calibration run of $op: $(cat "$tmp/cal.err")"
    t_total[$op]=$(($(now_ms) - start))
    t_read[$op]=$(phase_ms "read and parsed" "$tmp/cal.err")
    t_flush[$op]=$(phase_ms "flushed at" "$tmp/cal.err")
    t_final[$op]=$(phase_ms "finalized at" "$tmp/cal.err")
    echo "calibration: $op ${t_total[$op]} ms (read ${t_read[$op]}, flushed ${t_flush[$op]}, finalized ${t_final[$op]})"
done
rm -rf "$tmp/cal"

# ------------------------------------------------------------- the loop
declare -A seen
kills=0
ingest_kills=0
completed=0
garbage_rounds=0
round=0
targets=(reading flushing finalizing committing after)
while [ "$ingest_kills" -lt 20 ]; do
    round=$((round + 1))
    [ "$round" -le 60 ] || fail "only $ingest_kills kills of a running ingest in 60 rounds"
    r=$((RANDOM % 100))
    if [ $r -lt 40 ]; then op=append
    elif [ $r -lt 60 ]; then op=upsert
    elif [ $r -lt 70 ]; then op=replace
    elif [ $r -lt 85 ]; then op=compact
    else op=vacuum; fi
    file=$tmp/big$((RANDOM % 3 + 1)).csv
    total=${t_total[$op]}
    target=${targets[$((round % 5))]}
    marker='' span=0
    case $op/$target in
        */after) lo=$total hi=$((total * 11 / 10)) ;;
        compact/* | vacuum/*) lo=0 hi=$((total * 11 / 10)) ;;
        */reading) lo=0 hi=${t_read[$op]} ;;
        */flushing) marker="read and parsed" span=$((t_flush[$op] - t_read[$op])) ;;
        */finalizing) marker="flushed at" span=$((t_final[$op] - t_flush[$op])) ;;
        # what follows "finalized" also holds the exit and the start-up
        # the calibration timed: aim at the first half
        */committing) marker="finalized at" span=$(((total - t_final[$op]) / 2)) ;;
    esac
    before=$latest
    prev_garbage=$garbage

    # shellcheck disable=SC2046
    RIA_LOG=info "$RIA_BIN" $(op_args "$op" "$file") --store "$S" > "$tmp/op.out" 2> "$tmp/op.err" &
    victim=$!
    if [ -n "$marker" ]; then
        # kill a random time into the phase: after the log line that starts it
        wait_for "$marker" "$tmp/op.err" "$victim"
        delay=$((RANDOM % (span > 0 ? span + 1 : 10)))
        what="$target +$delay ms"
    else
        delay=$((lo + RANDOM % (hi - lo + 1)))
        what="at $delay ms"
    fi
    sleep_ms "$delay"
    kill -9 "$victim" 2> /dev/null || true
    if { wait "$victim"; } 2> /dev/null; then status=0; else status=$?; fi
    victim=
    if [ "$status" = 137 ]; then
        kills=$((kills + 1))
        case $op in
            append | upsert | replace)
                ingest_kills=$((ingest_kills + 1))
                phase=$(python3 "$check" phases "$tmp/op.err") ;;
            *) phase=running ;;
        esac
    elif [ "$status" = 0 ]; then
        phase=finished
        completed=$((completed + 1))
    else
        fail "$op exited with status $status: $(tail -n 3 "$tmp/op.err")"
    fi
    seen[$op/$phase]=$((${seen[$op/$phase]:-0} + 1))

    if [ $((round % 8)) = 0 ]; then check_store all; else check_store; fi
    [ "$latest" = "$before" ] || [ "$latest" = $((before + 1)) ] ||
        fail "latest went from $before to $latest"
    if [ "$phase" = finished ] && [ "$op" != vacuum ] && [ "$op" != compact ]; then
        [ "$latest" = $((before + 1)) ] || fail "a finished $op did not commit"
    fi
    [ "$latest" = "$before" ] || [ "${vop[$latest]}" = "$op" ] ||
        fail "new version $latest is a ${vop[$latest]}, the writer was $op"
    tail_note=
    if [ "$garbage" -gt "$prev_garbage" ]; then
        garbage_rounds=$((garbage_rounds + 1))
        tail_note=", left a dictionary tail"
    fi
    printf 'round %2d: %-7s kill %-20s -> %-10s versions %2d -> %2d  (%ds)%s\n' \
        "$round" "$op" "$what" "$phase" "$before" "$latest" "$SECONDS" \
        "$tail_note"
    if [ $((round % 4)) = 0 ]; then recovery_commit "$round"; fi
done
echo "kills of a running writer: $kills ($ingest_kills ingests), runs that finished first: $completed"
echo "kills that left a dictionary tail: $garbage_rounds"
for k in $(printf '%s\n' "${!seen[@]}" | sort); do echo "  $k: ${seen[$k]}"; done

# ------------------------------------------------------------- vacuum
check_store all
left=$(python3 "$check" unreferenced "$S" | grep -c '^extra' || true)
echo "files left by killed writers before vacuum: $left"
out=$(ria vacuum --store "$S" --keep 5) || fail "vacuum: $out"
echo "vacuum: $out"
python3 "$check" unreferenced "$S" > "$tmp/unref.txt"
[ ! -s "$tmp/unref.txt" ] || fail "after vacuum: $(head -n 5 "$tmp/unref.txt")"
read_versions
oldest=$((latest - 4))
for ((v = 1; v <= latest; v++)); do
    if [ "$v" -lt "$oldest" ]; then
        if ria export --store "$S" --version "$v" > /dev/null 2> "$tmp/err"; then
            fail "version $v still exports after vacuum --keep 5"
        fi
        grep -q vacuum "$tmp/err" || fail "version $v: unclear error: $(cat "$tmp/err")"
    else
        verify_export "$v"
    fi
done
ria ingest --store "$S" -q "$tmp/big3.csv" > /dev/null || fail "ingest after vacuum"
echo "crash: ok ($round rounds, $latest versions, seed $seed)"
