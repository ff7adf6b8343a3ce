#!/usr/bin/env python3
"""Assertions for ingest_edges.sh, each printing what differed.

  ingest_edges_check.py report REPORT.json PATH=VALUE ...
      PATH is dotted (files.0.delimiter); VALUE is JSON when it parses as
      JSON, else a string.  Special paths:
        rules=NAME:N,NAME:N   the rule counts, exactly ("" = no rule fired)
        lines.NAME=L,L        the example line numbers of rule NAME
        reconciles=1          rows_read = accepted + quarantined + duplicates + superseded
        notes~=TEXT           some note of files.0 contains TEXT
  ingest_edges_check.py export EXPORT.csv EXPECTED.csv
      the same rows (a multiset, columns matched by name, any order)
  ingest_edges_check.py quarantine STORE REPORT.json LINE:RULE[:REASON] ...
      the quarantine file lists exactly these lines with these rules (and a
      reason containing REASON); each record is the source text at its line
  ingest_edges_check.py columns INFO.json NAME:ROLE:TYPE[:LABEL] ...
      the table has exactly these columns
"""
import collections
import csv
import json
import os
import sys


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def get(doc, path):
    cur = doc
    for part in path.split("."):
        if isinstance(cur, list):
            cur = cur[int(part)]
        elif isinstance(cur, dict) and part in cur:
            cur = cur[part]
        else:
            return "<absent>"
    return cur


def value(text):
    try:
        return json.loads(text)
    except ValueError:
        return text


def cmd_report(path, specs):
    r = json.load(open(path))
    bad = []
    for spec in specs:
        if spec.startswith("notes~="):
            text = spec[len("notes~="):]
            notes = r["files"][0]["notes"]
            if not any(text in n for n in notes):
                bad.append("no note contains %r: %s" % (text, notes))
            continue
        key, _, want = spec.partition("=")
        if key == "rules":
            got = {k: v["count"] for k, v in r["rules"].items()}
            exp = {}
            for item in filter(None, want.split(",")):
                k, _, n = item.partition(":")
                exp[k] = int(n)
            if got != exp:
                bad.append("rule counts %s, expected %s" % (got, exp))
        elif key.startswith("lines."):
            rule = key[len("lines."):]
            got = [e["line"] for e in r["rules"].get(rule, {}).get("examples", [])]
            exp = [int(x) for x in want.split(",") if x]
            if got != exp:
                bad.append("rule %s at lines %s, expected %s" % (rule, got, exp))
        elif key == "reconciles":
            total = r["accepted"] + r["quarantined"] + r["duplicates"] + r["superseded"]
            if r["rows_read"] != total or not r["reconciled"]:
                bad.append("not reconciled: read %d, accepted %d + quarantined %d + duplicates %d"
                           " + superseded %d" % (r["rows_read"], r["accepted"], r["quarantined"],
                                                 r["duplicates"], r["superseded"]))
        else:
            got = get(r, key)
            if got != value(want):
                bad.append("%s = %r, expected %r" % (key, got, value(want)))
    if bad:
        fail("%s: %s\n  summary: %s" % (os.path.basename(path), "; ".join(bad), r.get("summary")))


def read_rows(path):
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    header = rows[0]
    return header, collections.Counter(tuple(sorted(zip(header, row))) for row in rows[1:])


def cmd_export(path, expected):
    gh, got = read_rows(path)
    wh, want = read_rows(expected)
    if sorted(gh) != sorted(wh):
        fail("export columns %s, expected %s" % (gh, wh))
    if got != want:
        missing, extra = want - got, got - want
        fail("export rows differ:\n  missing    %s\n  unexpected %s" % (
            [dict(k) for k in missing], [dict(k) for k in extra]))


def source_lines(path):
    with open(path, "rb") as f:
        data = f.read()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    out = []
    for raw in data.split(b"\n"):
        try:
            out.append(raw.decode("utf-8"))
        except UnicodeDecodeError:
            out.append(raw.decode("cp1252"))
    return out


def cmd_quarantine(store, report_path, specs):
    r = json.load(open(report_path))
    if not specs:
        if r["quarantine_file"] or r["quarantined"]:
            fail("quarantine: expected none, report says %d rows in %r" % (r["quarantined"], r["quarantine_file"]))
        return
    qpath = os.path.join(store, r["quarantine_file"])
    if not r["quarantine_file"] or not os.path.isfile(qpath):
        fail("quarantine file %r missing" % r["quarantine_file"])
    with open(qpath, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    if rows[0] != ["file", "line", "rule", "reason", "record"]:
        fail("quarantine header %s" % rows[0])
    got = [(int(x[1]), x[2]) for x in rows[1:]]
    want = []
    reasons = {}
    for s in specs:
        parts = s.split(":", 2)
        want.append((int(parts[0]), parts[1]))
        if len(parts) == 3:
            reasons[int(parts[0])] = parts[2]
    if sorted(got) != sorted(want):
        fail("quarantine lists %s, expected %s" % (sorted(got), sorted(want)))
    for fname, line, rule, reason, record in rows[1:]:
        line = int(line)
        if not reason:
            fail("quarantine line %d: empty reason" % line)
        if line in reasons and reasons[line] not in reason:
            fail("quarantine line %d: reason %r does not contain %r" % (line, reason, reasons[line]))
        if fname == "-":
            continue
        src = source_lines(fname)
        n = record.count("\n") + 1
        text = "\n".join(src[line - 1:line - 1 + n])
        if text.endswith("\r"):
            text = text[:-1]
        if record != text:
            fail("quarantine line %d: record %r, but %s line %d is %r" % (line, record, fname, line, text))


def cmd_columns(path, specs):
    info = json.load(open(path))
    got = {(c["name"], c["role"], c["type"]) for c in info["columns"]}
    labels = {c["name"]: c["label"] for c in info["columns"]}
    want = set()
    for s in specs:
        parts = s.split(":")
        want.add(tuple(parts[:3]))
        if len(parts) > 3 and labels.get(parts[0]) != parts[3]:
            fail("column %s has label %r, expected %r" % (parts[0], labels.get(parts[0]), parts[3]))
    if got != want:
        fail("columns: missing %s, unexpected %s" % (sorted(want - got), sorted(got - want)))


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "report":
        cmd_report(args[0], args[1:])
    elif cmd == "export":
        cmd_export(args[0], args[1])
    elif cmd == "quarantine":
        cmd_quarantine(args[0], args[1], args[2:])
    elif cmd == "columns":
        cmd_columns(args[0], args[1:])
    else:
        fail("unknown check %r" % cmd)


if __name__ == "__main__":
    main()
