#!/usr/bin/env python3
"""crash_check.py — the JSON side of tests/e2e/crash.sh.

  state RIA STORE       runs `ria versions --json`, `ria info --json` and `ria info --version N
                        --json` for every N; prints "version rows operation" per version and
                        "tails K" (dictionaries longer than the latest commit says); exits 1
                        with the reason unless versions run 1..N without gaps, each version's
                        rows equal the previous rows + added - removed, every version loads
                        with the rows the log gives (or, below the vacuum horizon, fails
                        saying it was vacuumed), `ria info` agrees on the latest, and no
                        dictionary is shorter than committed
  dicts STORE           per dictionary of the latest commit: "name committed_bytes file_size"
  unreferenced STORE    files under data/ and views/ that no kept version's manifest names
                        ("extra ...") and files kept manifests name that are missing
                        ("missing ...")
  phases FILE           `ria ingest` log (RIA_LOG=info) -> the last phase it reached
"""
import json
import os
import subprocess
import sys


def manifests(store, from_version=0):
    logdir = os.path.join(store, "log")
    for name in sorted(os.listdir(logdir)):
        if len(name) == 25 and name.endswith(".json") and name[:20].isdigit():
            v = int(name[:20])
            if v >= from_version:
                with open(os.path.join(logdir, name)) as f:
                    yield v, json.load(f)


def horizon(store):
    try:
        with open(os.path.join(store, "log", "horizon")) as f:
            return int(f.read().split()[0])
    except FileNotFoundError:
        return 0


def ria_json(ria, *args):
    p = subprocess.run([ria, *args], capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit("ria %s: exit %d: %s" % (" ".join(args), p.returncode, p.stderr.strip()))
    return json.loads(p.stdout)


def dict_sizes(store):
    latest = None
    for _, m in manifests(store):
        latest = m
    if latest is None:
        return []
    names = {str(c["id"]): c["name"] for c in latest["columns"]}
    out = []
    for cid, d in sorted(latest.get("dicts", {}).items(), key=lambda kv: int(kv[0])):
        path = os.path.join(store, "dict", "c%s.dict" % cid)
        size = os.path.getsize(path) if os.path.exists(path) else -1
        out.append((names.get(cid, "c" + cid), d["bytes"], size))
    return out


def cmd_state(ria, store):
    vs = ria_json(ria, "versions", "--store", store, "--json")
    prev_rows = 0
    for i, v in enumerate(vs):
        if v["version"] != i + 1:
            raise SystemExit("version list has a gap: entry %d is version %d" % (i, v["version"]))
        if v["rows"] != prev_rows + v["rows_added"] - v["rows_removed"]:
            raise SystemExit("version %d: rows %d != %d + %d - %d" % (
                v["version"], v["rows"], prev_rows, v["rows_added"], v["rows_removed"]))
        prev_rows = v["rows"]
    info = ria_json(ria, "info", "--store", store, "--json")
    latest = vs[-1] if vs else {"version": 0, "rows": 0}
    if (info["version"], info["rows"]) != (latest["version"], latest["rows"]):
        raise SystemExit("ria info says version %d with %d rows, ria versions %d with %d" % (
            info["version"], info["rows"], latest["version"], latest["rows"]))
    oldest = horizon(store)
    for v in vs:
        if v["version"] < oldest:
            # vacuumed: must fail, saying so
            p = subprocess.run([ria, "info", "--store", store, "--version", str(v["version"])],
                               capture_output=True, text=True)
            if p.returncode == 0 or "vacuum" not in p.stderr:
                raise SystemExit("vacuumed version %d: exit %d, %s" % (
                    v["version"], p.returncode, p.stderr.strip()))
            continue
        j = ria_json(ria, "info", "--store", store, "--version", str(v["version"]), "--json")
        if j["rows"] != v["rows"]:
            raise SystemExit("version %d loads with %d rows, the log says %d" % (
                v["version"], j["rows"], v["rows"]))
    tails = 0
    for name, want, size in dict_sizes(store):
        if size < want:
            raise SystemExit("dictionary of %s is %d bytes, its commit says %d" % (name, size, want))
        tails += size > want
    for v in vs:
        print(v["version"], v["rows"], v["operation"])
    print("tails", tails)
    return 0


def cmd_dicts(store):
    for name, want, size in dict_sizes(store):
        print(name, want, size)
    return 0


def cmd_unreferenced(store):
    """Files under data/ and views/ against what kept manifests name (segments,
    fingerprints, deletion vectors, and the "files" of views)."""
    want = set()
    for _, m in manifests(store, horizon(store)):
        for s in m["segments"]:
            want.update(p for p in (s["path"], s["fp"], s["dv"]) if p)
        want.update(p for p in m.get("files", []) if p)
    have = set()
    for area in ("data", "views"):
        for root, _, files in os.walk(os.path.join(store, area)):
            have.update(os.path.relpath(os.path.join(root, f), store) for f in files)
    for p in sorted(have - want):
        print("extra", p)
    for p in sorted(want - have):
        print("missing", p)
    return 0


def cmd_phases(path):
    with open(path, errors="replace") as f:
        text = f.read()
    phase = "reading"
    for marker, name in (("ingest: read and parsed", "flushing"),
                         ("ingest: flushed at", "finalizing"),
                         ("ingest: finalized at", "committing")):
        if marker in text:
            phase = name
    print(phase)
    return 0


def main(argv):
    cmds = {"state": cmd_state, "dicts": cmd_dicts, "unreferenced": cmd_unreferenced,
            "phases": cmd_phases}
    if len(argv) < 3 or argv[1] not in cmds:
        print(__doc__, file=sys.stderr)
        return 2
    return cmds[argv[1]](*argv[2:])


if __name__ == "__main__":
    sys.exit(main(sys.argv))
