#!/usr/bin/env python3
"""Checks the golden question sets of tests/golden.

1. Format: every line is a JSON object with the fields of the shared golden
   format (id, category, question, expect, definition) and the optional
   session and note; ids are unique over all files; categories are known;
   expect is one of value / rows / contains / abstain and abstain questions
   carry no definition; time labels are YYYY, YYYY-Qn, YYYY-MM or YYYY-MM-DD.
2. Answers: the data sets are built afresh with ./ria (gen, ingest, export),
   every definition is re-run with SQLite over the export and must give the
   stored expect.

usage: check_golden.py [--ria PATH] [--format-only] [FILE.jsonl ...]
Exit status 0 when everything holds, 1 otherwise.  Python 3 standard library only.
"""
import argparse
import json
import os
import re
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import golden_data as gd  # noqa: E402

FIELDS = {"id", "category", "question", "expect", "definition", "session", "note"}
REQUIRED = {"id", "category", "question", "expect"}
TIME_LIKE = re.compile(r"^\d{4}(\b|[-/Q])")
TIME_LABEL = re.compile(r"^\d{4}(-Q[1-4]|-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")


def is_num(x):
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def check_expect(e, category):
    """Returns a list of problems with an expect object."""
    if not isinstance(e, dict) or not e:
        return ["expect is not an object"]
    shape = [k for k in ("value", "rows", "contains", "abstain") if k in e]
    if len(shape) != 1:
        return ["expect needs exactly one of value, rows, contains, abstain"]
    shape = shape[0]
    allowed = {"rows": {"rows", "order"}}.get(shape, {shape})
    if set(e) - allowed:
        return ["unexpected keys in expect: %s" % sorted(set(e) - allowed)]
    if (shape == "abstain") != (category == "abstain"):
        return ["category abstain and expect abstain go together"]
    if shape == "abstain":
        return [] if e["abstain"] is True else ["abstain must be true"]
    if shape == "value":
        return [] if is_num(e["value"]) else ["value is not a number"]
    if shape == "contains":
        c = e["contains"]
        if not isinstance(c, list) or not c or not all(is_num(x) for x in c):
            return ["contains must be a non-empty list of numbers"]
        return []
    problems = []
    if e.get("order") not in ("exact", "any"):
        problems.append("rows need order exact or any")
    rows = e["rows"]
    if not isinstance(rows, list) or not rows:
        return problems + ["rows must be a non-empty list"]
    for r in rows:
        if not isinstance(r, list) or not r or not isinstance(r[0], str):
            problems.append("a row must be a list starting with its label: %r" % (r,))
            continue
        labels = [x for x in r if isinstance(x, str)]
        if any(not (isinstance(x, str) or is_num(x)) for x in r):
            problems.append("a row holds labels and numbers only: %r" % (r,))
        if r[:len(labels)] != labels:
            problems.append("labels come before numbers: %r" % (r,))
        for lab in labels:
            if TIME_LIKE.match(lab) and not TIME_LABEL.match(lab):
                problems.append("time label %r is not YYYY, YYYY-Qn, YYYY-MM or YYYY-MM-DD" % lab)
    return problems


def check_format(path, seen_ids, sessions):
    items, problems = [], []
    name = os.path.basename(path)
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            where = "%s:%d" % (name, n)
            if not line.strip():
                problems.append("%s: blank line" % where)
                continue
            try:
                it = json.loads(line)
            except ValueError as ex:
                problems.append("%s: not JSON (%s)" % (where, ex))
                continue
            if not isinstance(it, dict):
                problems.append("%s: not an object" % where)
                continue
            where = "%s (%s)" % (where, it.get("id"))
            if REQUIRED - set(it):
                problems.append("%s: missing %s" % (where, sorted(REQUIRED - set(it))))
                continue
            if set(it) - FIELDS:
                problems.append("%s: unknown fields %s" % (where, sorted(set(it) - FIELDS)))
            if not isinstance(it["id"], str) or not it["id"]:
                problems.append("%s: bad id" % where)
            elif it["id"] in seen_ids:
                problems.append("%s: duplicate id (also %s)" % (where, seen_ids[it["id"]]))
            else:
                seen_ids[it["id"]] = where
            if it["category"] not in gd.CATEGORIES:
                problems.append("%s: unknown category %r" % (where, it["category"]))
            if not isinstance(it["question"], str) or not it["question"].strip():
                problems.append("%s: empty question" % where)
            for k in ("session", "note"):
                if k in it and (not isinstance(it[k], str) or not it[k]):
                    problems.append("%s: %s must be a non-empty string" % (where, k))
            if "session" in it:
                other = sessions.setdefault(it["session"], name)
                if other != name:
                    problems.append("%s: session %r is also used in %s" % (where, it["session"], other))
            problems += ["%s: %s" % (where, p) for p in check_expect(it["expect"], it["category"])]
            d = it.get("definition")
            if it["category"] == "abstain":
                if d is not None:
                    problems.append("%s: an abstain question has no definition" % where)
            elif not isinstance(d, str) or not re.match(r"^\s*(SELECT|WITH)\b", d, re.I):
                problems.append("%s: definition must be a read-only SELECT" % where)
            items.append((where, it))
    return items, problems


def close(a, b):
    if isinstance(a, str) or isinstance(b, str):
        return isinstance(a, str) and isinstance(b, str) and a == b
    return abs(a - b) <= max(1e-9, 1e-9 * abs(b))


def same(got, want):
    if set(got) != set(want):
        return False
    for k in want:
        if k == "order":
            if got[k] != want[k]:
                return False
        elif k == "value":
            if not close(got[k], want[k]):
                return False
        else:  # rows, contains
            g, w = got[k], want[k]
            if len(g) != len(w):
                return False
            for x, y in zip(g, w):
                if isinstance(y, list):
                    if not isinstance(x, list) or len(x) != len(y) or not all(close(p, q) for p, q in zip(x, y)):
                        return False
                elif not close(x, y):
                    return False
    return True


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ria", help="the ria binary (default: ./ria at the repository root)")
    ap.add_argument("--format-only", action="store_true", help="skip re-running the definitions")
    ap.add_argument("files", nargs="*", help="question files (default: the four sets)")
    a = ap.parse_args()
    t0 = time.time()
    byname = {os.path.abspath(p): n for n, p in gd.FILES.items()}
    files = [os.path.abspath(f) for f in a.files] or [gd.FILES[n] for n in gd.DATASETS]
    seen, sessions, problems, per_file = {}, {}, [], {}
    for f in files:
        if f not in byname:
            print("%s: not one of the golden files (%s)" % (f, ", ".join(sorted(gd.FILES.values()))))
            return 1
        items, p = check_format(f, seen, sessions)
        per_file[byname[f]] = items
        problems += p
    total = 0
    for name, items in per_file.items():
        counts = {}
        for _, it in items:
            counts[it["category"]] = counts.get(it["category"], 0) + 1
        total += len(items)
        print("%-11s %4d questions  %s" % (name, len(items), "  ".join(
            "%s %d" % (c, counts.get(c, 0)) for c in gd.CATEGORIES)))
    rerun = 0
    if not a.format_only and not problems:
        ria = gd.find_ria(a.ria)
        with gd.Workdir() as wd:
            dbs = gd.build(ria, wd, list(per_file))
            for name, items in per_file.items():
                for where, it in items:
                    if it["category"] == "abstain":
                        continue
                    want = it["expect"]
                    shape = gd.shape_of(want)
                    try:
                        got = gd.evaluate(dbs[name], it["definition"], shape, want.get("order"))
                    except Exception as ex:  # a broken definition is a finding, not a crash
                        problems.append("%s: definition fails: %s" % (where, ex))
                        continue
                    rerun += 1
                    if not same(got, want):
                        g = json.dumps(got)
                        problems.append("%s: definition gives %s, expect says %s"
                                        % (where, g if len(g) < 300 else g[:300] + "...", json.dumps(want)[:300]))
    for p in problems:
        print("FAIL " + p)
    print("%d questions, %d definitions re-run, %d problems (%.1f s)" % (total, rerun, len(problems), time.time() - t0))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
