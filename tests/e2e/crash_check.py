#!/usr/bin/env python3
"""crash_check.py — the JSON side of tests/e2e/crash.sh.

  versions FILE         `ria versions --json` output -> "version rows added removed op" lines;
                        exits 1 unless versions are 1..N without gaps and every version's
                        rows equal the previous version's rows + added - removed
  dicts STORE           per dictionary of the latest commit: "name committed_bytes file_size"
  unreferenced STORE    files under data/ that no kept version's manifest names ("extra ...")
                        and files kept manifests name that are missing ("missing ...")
  info FILE             `ria info --json` output -> "version rows"
  phases FILE           `ria ingest` log (RIA_LOG=info) -> the last phase it reached
"""
import json
import os
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


def cmd_versions(path):
    with open(path) as f:
        vs = json.load(f)
    ok = True
    prev_rows = 0
    for i, v in enumerate(vs):
        if v["version"] != i + 1:
            print("gap: entry %d is version %d" % (i, v["version"]), file=sys.stderr)
            ok = False
        if v["rows"] != prev_rows + v["rows_added"] - v["rows_removed"]:
            print("version %d: rows %d != %d + %d - %d" % (v["version"], v["rows"], prev_rows,
                  v["rows_added"], v["rows_removed"]), file=sys.stderr)
            ok = False
        prev_rows = v["rows"]
        print(v["version"], v["rows"], v["rows_added"], v["rows_removed"], v["operation"])
    return 0 if ok else 1


def cmd_dicts(store):
    latest = None
    for v, m in manifests(store):
        latest = m
    if latest is None:
        return 0
    names = {str(c["id"]): c["name"] for c in latest["columns"]}
    for cid, d in sorted(latest.get("dicts", {}).items(), key=lambda kv: int(kv[0])):
        path = os.path.join(store, "dict", "c%s.dict" % cid)
        size = os.path.getsize(path) if os.path.exists(path) else -1
        print(names.get(cid, "c" + cid), d["bytes"], size)
    return 0


def cmd_unreferenced(store):
    want = set()
    for _, m in manifests(store, horizon(store)):
        for s in m["segments"]:
            want.update(p for p in (s["path"], s["fp"], s["dv"]) if p)
    have = set()
    for root, _, files in os.walk(os.path.join(store, "data")):
        have.update(os.path.relpath(os.path.join(root, f), store) for f in files)
    for p in sorted(have - want):
        print("extra", p)
    for p in sorted(want - have):
        print("missing", p)
    return 0


def cmd_info(path):
    with open(path) as f:
        j = json.load(f)
    print(j["version"], j["rows"])
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
    cmds = {"versions": cmd_versions, "dicts": cmd_dicts, "unreferenced": cmd_unreferenced,
            "info": cmd_info, "phases": cmd_phases}
    if len(argv) != 3 or argv[1] not in cmds:
        print(__doc__, file=sys.stderr)
        return 2
    return cmds[argv[1]](argv[2])


if __name__ == "__main__":
    sys.exit(main(sys.argv))
