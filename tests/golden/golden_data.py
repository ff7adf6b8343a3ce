"""Data side of the golden question sets: builds the four stores with ./ria,
exports them, loads each export into SQLite with exact types, and turns a
definition's result into an `expect` object.

Shared by make_golden.py (which writes the question files) and
check_golden.py (which re-runs every definition).  Python 3 standard library
only.

The SQLite table `sales` has the export's columns with these types:
  int        INTEGER
  decimal    INTEGER holding ten-thousandths (amount 12.5 is stored as 125000),
             so sums are exact; definitions divide by 1e4 at the very end
  date, timestamp, text   TEXT as exported ('2024-05-01 00:02:07'); blank = NULL
"""
import csv
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from decimal import Decimal

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

# name -> how to make its CSV.  "gen" is written by `ria gen`; the others are
# the committed fixtures.
DATASETS = {
    "gen": {"gen": ["--rows", "200000", "--seed", "7"]},
    "superstore": {"csv": "tests/fixtures/superstore.csv"},
    "amazon": {"csv": "tests/fixtures/amazon.csv"},
    "uci": {"csv": "tests/fixtures/online_retail.csv"},
}
FILES = {name: os.path.join(HERE, name + ".jsonl") for name in DATASETS}

CATEGORIES = ("simple", "aggregation", "comparison", "complex", "abstain")
DIGITS = 6   # numbers in `expect` are rounded to 6 decimals (money is exact at 4)

_DEC = re.compile(r"^(-?)(\d*)(?:\.(\d{1,4}))?$")


def dec4(s):
    """'12.5' -> 125000 (exact ten-thousandths); '' -> None."""
    if s == "":
        return None
    m = _DEC.match(s)
    if not m or (m.group(2) == "" and m.group(3) is None):
        d = Decimal(s) * 10000
        if d != d.to_integral_value():
            raise ValueError("more than 4 decimals: %r" % s)
        return int(d)
    v = int(m.group(2) or "0") * 10000 + int((m.group(3) or "").ljust(4, "0"))
    return -v if m.group(1) else v


def run(cmd, **kw):
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)
    if r.returncode != 0:
        raise SystemExit("command failed (%d): %s\n%s" % (r.returncode, " ".join(cmd),
                                                           r.stderr.decode(errors="replace")))
    return r.stdout


def build(ria, workdir, names):
    """Builds the stores of `names` under workdir and exports them.
    Returns {name: sqlite3 connection}."""
    dbs = {}
    for name in names:
        spec = DATASETS[name]
        store = os.path.join(workdir, name)
        if "gen" in spec:
            src = os.path.join(workdir, name + ".csv")
            run([ria, "gen"] + spec["gen"] + ["--out", src])
        else:
            src = os.path.join(ROOT, spec["csv"])
        run([ria, "ingest", "--quiet", "--store", store, src])
        out = os.path.join(workdir, name + ".export.csv")
        run([ria, "export", "--store", store, "--out", out])
        with open(os.path.join(store, "model.json")) as f:
            model = json.load(f)
        dbs[name] = load(out, {k: v["type"] for k, v in model["columns"].items()})
    return dbs


def load(path, types):
    """Loads an export CSV into an in-memory SQLite table `sales`."""
    db = sqlite3.connect(":memory:")
    with open(path, newline="", encoding="utf-8") as f:
        rd = csv.reader(f)
        header = next(rd)
        sqltype = {"int": "INTEGER", "decimal": "INTEGER"}
        db.execute("CREATE TABLE sales (%s)" % ", ".join(
            "%s %s" % (h, sqltype.get(types[h], "TEXT")) for h in header))
        conv = []
        for h in header:
            t = types[h]
            if t == "int":
                conv.append(lambda s: int(s) if s != "" else None)
            elif t == "decimal":
                conv.append(dec4)
            else:
                conv.append(lambda s: s if s != "" else None)
        db.executemany("INSERT INTO sales VALUES (%s)" % ",".join("?" * len(header)),
                       ([c(x) for c, x in zip(conv, row)] for row in rd))
    db.execute("CREATE INDEX sales_date ON sales(order_date)")
    db.commit()
    return db


def num(x):
    """A result number as it is written in `expect`."""
    if isinstance(x, bool) or x is None:
        raise ValueError("not a number: %r" % (x,))
    if isinstance(x, int):
        return x
    r = round(float(x), DIGITS)
    if r == int(r) and abs(r) < 1e15:
        return int(r)
    return r


def cell(x):
    return x if isinstance(x, str) else num(x)


def evaluate(db, definition, shape, order=None):
    """Runs a definition and shapes its result like `expect`:
    value -> {"value": x}; rows -> {"rows": [...], "order": o};
    contains -> {"contains": [every number of the result]}."""
    rows = db.execute(definition).fetchall()
    if shape == "value":
        if len(rows) != 1 or len(rows[0]) != 1:
            raise ValueError("a value definition must give one cell, got %r" % (rows[:3],))
        return {"value": num(rows[0][0])}
    if shape == "rows":
        return {"rows": [[cell(x) for x in r] for r in rows], "order": order}
    if shape == "contains":
        return {"contains": [num(x) for r in rows for x in r]}
    raise ValueError(shape)


def shape_of(expect):
    for k in ("value", "rows", "contains", "abstain"):
        if k in expect:
            return k
    raise ValueError("unknown expect %r" % (expect,))


def find_ria(path=None):
    ria = path or os.environ.get("RIA") or os.path.join(ROOT, "ria")
    if not os.access(ria, os.X_OK):
        raise SystemExit("no ria binary at %s (build it with make, or pass --ria)" % ria)
    return ria


class Workdir:
    def __enter__(self):
        self.path = tempfile.mkdtemp(prefix="ria-golden.")
        return self.path

    def __exit__(self, *a):
        shutil.rmtree(self.path, ignore_errors=True)
