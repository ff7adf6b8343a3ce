#!/usr/bin/env python3
"""Randomized differential test of `ria sql` against sqlite3.

A seeded generator writes thousands of random SELECT queries over the sales
table (filters, group keys, aggregates, HAVING, ORDER BY, LIMIT/OFFSET,
scalar subqueries, time travel) over every column kind.  Each query is
emitted twice from one typed expression tree: once in ria's dialect and once
translated for sqlite3 with ria's documented semantics spelled out (exact
decimals as integers scaled by 10^4, `/` in doubles, NULLs sorted last, ISO
weeks, weeks starting on Monday, case-sensitive LIKE, empty text is NULL).

Data: `ria gen --dirty` output, with extra blanks injected, loaded into a
ria store in two commits; ria's own export of each version is loaded into
sqlite, so both engines see exactly the same values whatever the ingest rules
decided.  The date functions sqlite lacks are Python functions written here
from the calendar rules, not from ria's code; they are registered with sqlite
and, for speed, also stored as extra columns (order_date__month, ...) that
the translation reads when the argument is a bare column.

About a third of the queries keep to what the materialized views can answer
(low-cardinality text, date parts and buckets of the order time, ranges on
day or month boundaries, sums/counts/min/max of the measures).  Every batch
runs through ria twice, with the views (the default) and with --no-views; the
two outputs must be identical, and both must equal sqlite's answer: same
column count and types, same rows (integers, text and dates exactly,
decimals to 4 places exactly, doubles within a relative 1e-9), in the same
order when the query orders every output column, as multisets (plus a check
that ria's rows follow its ORDER BY) otherwise.  ria's JSON carries decimals
and integers digit for digit, so they are compared exactly at any size.

The generator also covers what a documentation review found broken: NULL
inside IN lists of numbers, dates and timestamps; long IN lists (up to 200
values, on integers, decimals, doubles, text); CASE with 32 to 60 branches;
coalesce, greatest and least with more than 16 arguments; date_trunc of
date(order_date) on data that starts mid-month (the data starts on --start,
2022-03-15 by default); and row arithmetic that leaves 64 bits (a decimal
times 10^12, integers near 2^63) under sum, min, max, count and HAVING.
sqlite computes those exactly through Python functions (bigop, bigsum,
bigmin, bigmax, bigcmp, bigkey) on integers kept as text.

usage: sqldiff.py [--ria BIN] [--queries N] [--seed S] [--rows R] [--start D] [--only K]
Exit status: 0 when every query agrees, 1 on any difference (each printed
with the seed, the query number, both SQL texts and both results), 2 when the
test could not run.
"""
import argparse
import csv
import datetime
import functools
import json
import multiprocessing
import os
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import decimal
from decimal import Decimal

# sums of values beyond 64 bits have up to 39 digits, plus 4 places
decimal.DefaultContext.prec = 80
decimal.setcontext(decimal.Context(prec=80))

SCALE = 10000                     # decimals are stored in sqlite as value * 10^4
Q4 = Decimal("0.0001")
NUMERIC = ("integer", "decimal", "double")
TIME = ("date", "timestamp")
TS_RE = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ROW_CAP = 2500                    # grouped results estimated above this get a LIMIT
DISTINCT_CAP = 2000               # SELECT DISTINCT stays below this many estimated rows


def die(msg):
    print("sqldiff: " + msg, file=sys.stderr)
    sys.exit(2)


# ====================================================================== data

def run(cmd, what, **kw):
    """Runs a command; on failure exits 2 with its stderr."""
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)
    if p.returncode != 0:
        die("%s failed (exit %d): %s\n%s" % (what, p.returncode, " ".join(cmd), p.stderr.strip()))
    return p.stdout


def inject_blanks(src, rng, rate):
    """Rows of the generated CSV with extra blank fields (any column but the
    order id and date), so that NULLs reach every column kind."""
    with open(src, newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    keep = {"order_id", "order_date"}
    cols = [i for i, h in enumerate(header) if h not in keep]
    for row in body:
        for i in cols:
            if i < len(row) and rng.random() < rate:
                row[i] = ""
    return header, body


def write_csv(path, header, rows):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)


def prepare_store(opts, work):
    """Generates the data, loads it into a ria store as two commits and
    exports both versions.  Returns (schema, {version: export path})."""
    ria = opts.ria
    raw = os.path.join(work, "gen.csv")
    run([ria, "gen", "--rows", str(opts.rows), "--seed", str(opts.seed), "--dirty",
         str(opts.dirty), "--start", opts.start, "--out", raw], "ria gen")
    rng = random.Random("blanks/%d" % opts.seed)
    header, body = inject_blanks(raw, rng, opts.blanks)
    cut = len(body) * 4 // 5
    first, second = body[:cut], body[cut:]
    # the second commit also resends a few rows of the first (dropped as duplicates)
    second = second + rng.sample(first, min(len(first), max(1, len(body) // 100)))
    store = os.path.join(work, "store")
    exports = {}
    for v, part in ((1, first), (2, second)):
        path = os.path.join(work, "part%d.csv" % v)
        write_csv(path, header, part)
        run([ria, "ingest", "--store", store, "-q", path], "ria ingest")
    for v in (1, 2):
        exports[v] = os.path.join(work, "export%d.csv" % v)
        run([ria, "export", "--store", store, "--version", str(v), "--out", exports[v]],
            "ria export")
    info = json.loads(run([ria, "info", "--store", store, "--json"], "ria info"))
    if info.get("version") != 2:
        die("expected the store at version 2 after two loads, found %r" % info.get("version"))
    schema = []
    for c in info["columns"]:
        if c["type"] not in INFO_TYPE:
            die("column %s has a type this test does not know: %s" % (c["name"], c["type"]))
        schema.append((c["name"], INFO_TYPE[c["type"]], c.get("distinct")))
    return store, schema, exports


SQLITE_TYPE = {"text": "TEXT", "integer": "INTEGER", "decimal": "INTEGER", "date": "TEXT",
               "timestamp": "TEXT"}
INFO_TYPE = {"text": "text", "int": "integer", "integer": "integer", "decimal": "decimal",
             "date": "date", "timestamp": "timestamp"}


def sqlite_value(text, typ, where):
    """The sqlite value of an exported CSV field (blank = NULL)."""
    if text == "":
        return None
    if typ == "text":
        return text
    if typ == "integer":
        return int(text)
    if typ == "decimal":
        d = Decimal(text) * SCALE
        if d != d.to_integral_value():
            die("%s: %r has more than 4 decimal places" % (where, text))
        return int(d)
    if typ == "date":
        if not DATE_RE.match(text):
            die("%s: %r is not YYYY-MM-DD" % (where, text))
        return text
    if typ == "timestamp":
        if DATE_RE.match(text):
            return text + " 00:00:00"
        if not TS_RE.match(text):
            die("%s: %r is not YYYY-MM-DD HH:MM:SS" % (where, text))
        return text
    die("unknown column type %s" % typ)


def derived_columns(types):
    """The precomputed date parts and truncations of each date/timestamp
    column: (name, sqlite type, function of the column's text).  They hold
    exactly what the registered functions return and only spare calling
    Python once per row and query."""
    out = []
    for name, typ in types.items():
        if typ not in TIME:
            continue
        for fn in DATE_PARTS:
            out.append((derived_name(name, fn), "INTEGER", _part(DATE_PARTS[fn])))
        for unit in TRUNC_UNITS:
            out.append((derived_name(name, "trunc_" + unit), "TEXT",
                        functools.partial(date_trunc, unit)))
    return out


def derived_name(col, what):
    return "%s__%s" % (col, what)


def load_sqlite(db_path, schema, exports):
    """Loads each export into its own table: sales (latest) and sales_v1."""
    types = {name: typ for name, typ, _ in schema}
    extra = derived_columns(types)
    db = sqlite3.connect(db_path)
    for table, path in (("sales", exports[2]), ("sales_v1", exports[1])):
        with open(path, newline="") as f:
            rd = csv.reader(f)
            header = next(rd)
            if sorted(header) != sorted(types):
                die("export header %s differs from the schema %s" % (header, sorted(types)))
            src = [header.index(name.split("__")[0]) for name, _, _ in extra]
            db.execute("CREATE TABLE %s (%s)" % (
                table, ", ".join(["%s %s" % (h, SQLITE_TYPE[types[h]]) for h in header] +
                                 ["%s %s" % (name, typ) for name, typ, _ in extra])))
            rows = []
            for n, row in enumerate(rd, 2):
                where = "%s line %d" % (os.path.basename(path), n)
                vals = [sqlite_value(v, types[h], where) for h, v in zip(header, row)]
                vals += [fn(vals[i]) for (_, _, fn), i in zip(extra, src)]
                rows.append(vals)
            db.executemany("INSERT INTO %s VALUES (%s)" % (
                table, ",".join("?" * (len(header) + len(extra)))), rows)
    db.commit()
    db.close()


# ======================================================= sqlite functions
# Calendar rules written from their definitions: ISO weeks, weeks starting
# on Monday, day of week 0 = Sunday, quarters Jan-Mar, ...

@functools.lru_cache(maxsize=200000)
def _parts(s):
    d = datetime.date(int(s[0:4]), int(s[5:7]), int(s[8:10]))
    h = int(s[11:13]) if len(s) > 10 else 0
    mi = int(s[14:16]) if len(s) > 10 else 0
    return d, h, mi


def _part(fn):
    def f(s):
        return None if s is None else fn(*_parts(s))
    return f


DATE_PARTS = {
    "year": lambda d, h, m: d.year,
    "quarter": lambda d, h, m: (d.month - 1) // 3 + 1,
    "month": lambda d, h, m: d.month,
    "day": lambda d, h, m: d.day,
    "hour": lambda d, h, m: h,
    "minute": lambda d, h, m: m,
    "dayofweek": lambda d, h, m: d.isoweekday() % 7,
    "dayofyear": lambda d, h, m: d.timetuple().tm_yday,
    "week": lambda d, h, m: d.isocalendar()[1],
}


TRUNC_UNITS = ("hour", "day", "week", "month", "quarter", "year")


@functools.lru_cache(maxsize=200000)
def date_trunc(unit, s):
    """date_trunc on ISO text: a date stays a date, a timestamp a timestamp
    (hour of a date gives a timestamp)."""
    if s is None:
        return None
    d, h, _ = _parts(s)
    is_ts = len(s) > 10
    if unit == "hour":
        return "%s %02d:00:00" % (d.isoformat(), h)
    if unit == "week":
        d = d - datetime.timedelta(days=d.weekday())
    elif unit == "month":
        d = d.replace(day=1)
    elif unit == "quarter":
        d = d.replace(month=(d.month - 1) // 3 * 3 + 1, day=1)
    elif unit == "year":
        d = d.replace(month=1, day=1)
    elif unit != "day":
        raise ValueError(unit)
    return d.isoformat() + (" 00:00:00" if is_ts else "")


def dec_text(x):
    """CAST(decimal AS TEXT): up to 4 places, trailing zeros dropped."""
    if x is None:
        return None
    t = format(Decimal(x).scaleb(-4), "f")
    if "." in t:
        t = t.rstrip("0").rstrip(".")
    return "0" if t in ("-0", "") else t


# Exact integers beyond sqlite's 64 bits: values travel as decimal text
# (decimals as their count of 10^-4), which these functions read back.

def _big(v):
    return None if v is None else int(v)


def bigop(op, a, b):
    """a op b exactly: + - *, or *d (a decimal product: rounded half away
    from zero to 4 places)."""
    a, b = _big(a), _big(b)
    if a is None or b is None:
        return None
    if op == "+":
        return str(a + b)
    if op == "-":
        return str(a - b)
    p = a * b
    if op == "*d":
        q, r = divmod(abs(p), SCALE)
        q += 1 if 2 * r >= SCALE else 0
        p = q if p >= 0 else -q
    return str(p)


def bigcmp(a, b):
    a, b = _big(a), _big(b)
    if a is None or b is None:
        return None
    return (a > b) - (a < b)


def bigkey(v):
    """Text that sorts like the integer v."""
    v = _big(v)
    if v is None:
        return None
    return ("P%060d" % v) if v >= 0 else ("N%060d" % (10 ** 60 + v))


class BigSum:
    def __init__(self):
        self.s, self.n = 0, 0

    def step(self, v):
        if v is not None:
            self.s += int(v)
            self.n += 1

    def finalize(self):
        return str(self.s) if self.n else None


class BigMax:
    pick = max

    def __init__(self):
        self.v = None

    def step(self, v):
        if v is not None:
            self.v = int(v) if self.v is None else type(self).pick(self.v, int(v))

    def finalize(self):
        return None if self.v is None else str(self.v)


class BigMin(BigMax):
    pick = min


def open_sqlite(db_path):
    src = sqlite3.connect(db_path)
    db = sqlite3.connect(":memory:")
    src.backup(db)
    src.close()
    db.execute("PRAGMA case_sensitive_like = ON")
    for name, fn in DATE_PARTS.items():
        db.create_function(name, 1, _part(fn), deterministic=True)
    db.create_function("date_trunc", 2, date_trunc, deterministic=True)
    db.create_function("dec_text", 1, dec_text, deterministic=True)
    db.create_function("bigop", 3, bigop, deterministic=True)
    db.create_function("bigcmp", 2, bigcmp, deterministic=True)
    db.create_function("bigkey", 1, bigkey, deterministic=True)
    db.create_aggregate("bigsum", 1, BigSum)
    db.create_aggregate("bigmax", 1, BigMax)
    db.create_aggregate("bigmin", 1, BigMin)
    return db


# ================================================== typed expressions
# Every node carries its text in both dialects and its ria type.

class X:
    __slots__ = ("r", "s", "t", "agg", "card", "lit", "col", "big")

    def __init__(self, r, s, t, agg=False, card=None, lit=False, col=None, big=False):
        self.r = r          # ria SQL
        self.s = s          # sqlite SQL (ria semantics spelled out)
        self.t = t          # ria result type name
        self.agg = agg      # contains an aggregate
        self.card = card    # estimated distinct values (group keys)
        self.lit = lit      # a literal
        self.col = col      # the column, when the node is a bare column
        self.big = big      # may leave 64 bits: sqlite computes it as text (bigop)


def unify(a, b):
    if a == b:
        return a
    if a in NUMERIC and b in NUMERIC:
        return "double" if "double" in (a, b) else "decimal"
    if a in TIME and b in TIME:
        return "timestamp"
    raise ValueError("cannot unify %s and %s" % (a, b))


def s_as(x, t):
    """x's sqlite text converted to type t the way ria's implicit casts do."""
    if x.t == t or x.t == "null":
        return x.s
    if x.t == "integer" and t == "decimal":
        return "(%s * %d)" % (x.s, SCALE)
    if x.t == "integer" and t == "double":
        return "CAST(%s AS REAL)" % x.s
    if x.t == "decimal" and t == "double":
        return "(%s / %d.0)" % (x.s, SCALE)
    if x.t == "date" and t == "timestamp":
        return "(%s || ' 00:00:00')" % x.s
    raise ValueError("no conversion from %s to %s" % (x.t, t))


def col(name, ctx):
    return X(name, name, ctx.types[name], card=ctx.card.get(name), col=name)


def big(x):
    """x, computed in sqlite as exact text from here up (see bigop)."""
    return X(x.r, x.s, x.t, x.agg, x.card, x.lit, x.col, big=True)


def lit_int(v):
    return X(str(v), str(v), "integer", lit=True)


def fmt_dec(d):
    t = format(d.quantize(Q4), "f").rstrip("0")
    return t + "0" if t.endswith(".") else t


def lit_dec(d):
    d = Decimal(d).quantize(Q4)
    return X(fmt_dec(d), str(int(d * SCALE)), "decimal", lit=True)


def quote(s):
    return "'" + s.replace("'", "''") + "'"


def lit_text(v):
    return X(quote(v), quote(v), "text", lit=True)


def lit_null(t):
    return X("NULL", "NULL", t, lit=True)


def lit_date(v):
    """A date literal for comparisons (ria converts the quoted text)."""
    return X(quote(v), quote(v), "date", lit=True)


def lit_ts(v, short=False):
    """A timestamp literal for comparisons; short writes a midnight as a date."""
    r = v[:10] if short and v.endswith(" 00:00:00") else v
    return X(quote(r), quote(v), "timestamp", lit=True)


def date_value(v):
    """A date as a value (CASE branches, COALESCE): an explicit CAST."""
    return X("CAST(%s AS DATE)" % quote(v), quote(v), "date")


def lit_as(x, t):
    """x's sqlite text as type t, where a NULL literal takes any type."""
    if x.s == "NULL":
        return "NULL"
    if x.t == t:
        return x.s
    return s_as(x, t)


def big_as(x, t):
    """s_as for a value that may leave 64 bits."""
    if x.t == "integer" and t == "decimal":
        return "bigop('*', %s, %d)" % (x.s, SCALE)
    return s_as(x, t)


def cmp(a, op, b):
    t = unify(a.t, b.t)
    if (a.big or b.big) and t != "double":
        return X("%s %s %s" % (a.r, op, b.r), "bigcmp(%s, %s) %s 0" % (big_as(a, t), big_as(b, t), op),
                 "boolean", a.agg or b.agg)
    return X("%s %s %s" % (a.r, op, b.r), "%s %s %s" % (s_as(a, t), op, s_as(b, t)), "boolean",
             a.agg or b.agg)


def and_(a, b):
    return X("(%s AND %s)" % (a.r, b.r), "(%s AND %s)" % (a.s, b.s), "boolean", a.agg or b.agg)


def or_(a, b):
    return X("(%s OR %s)" % (a.r, b.r), "(%s OR %s)" % (a.s, b.s), "boolean", a.agg or b.agg)


def not_(a):
    return X("NOT (%s)" % a.r, "NOT (%s)" % a.s, "boolean", a.agg)


def in_(x, vals, neg=False):
    kw = "NOT IN" if neg else "IN"
    t = x.t
    for v in vals:
        if v.s != "NULL":
            t = unify(t, v.t)
    return X("%s %s (%s)" % (x.r, kw, ", ".join(v.r for v in vals)),
             "%s %s (%s)" % (s_as(x, t), kw, ", ".join(lit_as(v, t) for v in vals)), "boolean")


def between(x, lo, hi, neg=False):
    kw = "NOT BETWEEN" if neg else "BETWEEN"
    t = unify(unify(x.t, lo.t), hi.t)
    return X("%s %s %s AND %s" % (x.r, kw, lo.r, hi.r),
             "%s %s %s AND %s" % (s_as(x, t), kw, s_as(lo, t), s_as(hi, t)), "boolean")


def like(x, pat, neg=False):
    kw = "NOT LIKE" if neg else "LIKE"
    return X("%s %s %s" % (x.r, kw, quote(pat)), "%s %s %s" % (x.s, kw, quote(pat)), "boolean")


def is_null(x, neg=False):
    kw = "IS NOT NULL" if neg else "IS NULL"
    return X("%s %s" % (x.r, kw), "%s %s" % (x.s, kw), "boolean", x.agg)


def arith(a, op, b):
    """+ - * / % with ria's typing: / is always a double, a decimal product
    is exact and rounded half away from zero to 4 places."""
    agg = a.agg or b.agg
    if op == "/":
        return X("(%s / %s)" % (a.r, b.r), "(%s / %s)" % (s_as(a, "double"), s_as(b, "double")),
                 "double", agg)
    t = unify(a.t, b.t)
    if op == "%":
        assert t == "integer"
    r = "(%s %s %s)" % (a.r, op, b.r)
    if (a.big or b.big) and op in "+-*":
        bop = "*d" if op == "*" and a.t == "decimal" and b.t == "decimal" else op
        if op == "*":  # integer x decimal: the scaled product is already exact
            return X(r, "bigop('%s', %s, %s)" % (bop, a.s, b.s), t, agg, big=True)
        return X(r, "bigop('%s', %s, %s)" % (bop, big_as(a, t), big_as(b, t)), t, agg, big=True)
    if op == "*" and t == "decimal" and a.t == "decimal" and b.t == "decimal":
        p = "(%s * %s)" % (a.s, b.s)
        s = "((%s + CASE WHEN %s < 0 THEN -%d ELSE %d END) / %d)" % (p, p, SCALE // 2, SCALE // 2, SCALE)
        return X(r, s, t, agg)
    if op == "*" and t == "decimal":
        # integer x decimal: the scaled product is already exact
        return X(r, "(%s * %s)" % (a.s, b.s), t, agg)
    return X(r, "(%s %s %s)" % (s_as(a, t), op, s_as(b, t)), t, agg)


def neg(a):
    if a.big:
        return X("(-%s)" % a.r, "bigop('-', 0, %s)" % a.s, a.t, a.agg, big=True)
    return X("(-%s)" % a.r, "(-%s)" % a.s, a.t, a.agg)


def case(whens, els=None):
    t = None
    for _, v in whens + ([(None, els)] if els is not None else []):
        if v.t != "null":
            t = v.t if t is None else unify(t, v.t)
    r = "CASE " + " ".join("WHEN %s THEN %s" % (c.r, v.r) for c, v in whens)
    s = "CASE " + " ".join("WHEN %s THEN %s" % (c.s, lit_as(v, t)) for c, v in whens)
    if els is not None:
        r += " ELSE " + els.r
        s += " ELSE " + lit_as(els, t)
    agg = any(c.agg or v.agg for c, v in whens) or (els is not None and els.agg)
    big = any(v.big for _, v in whens) or (els is not None and els.big)
    return X(r + " END", s + " END", t, agg, card=len(whens) + 1, big=big)


def coalesce(*xs):
    t = None
    for x in xs:
        if x.t != "null":
            t = x.t if t is None else unify(t, x.t)
    return X("coalesce(%s)" % ", ".join(x.r for x in xs),
             "coalesce(%s)" % ", ".join(lit_as(x, t) for x in xs), t, any(x.agg for x in xs),
             card=xs[0].card, big=any(x.big for x in xs))


def greatest(fn, xs):
    """greatest / least ignoring NULLs: sqlite's max() and min() give NULL
    for any NULL argument, so each argument is coalesced with the others (a
    NULL one takes a value that is not the extreme), NULL only when all
    are."""
    t = None
    for x in xs:
        if x.t != "null":
            t = x.t if t is None else unify(t, x.t)
    vals = [lit_as(x, t) for x in xs]
    rot = ["coalesce(%s)" % ", ".join(vals[i:] + vals[:i]) if len(vals) > 1 else vals[0]
           for i in range(len(vals))]
    s = ("%s(%s)" % ("max" if fn == "greatest" else "min", ", ".join(rot))) if len(rot) > 1 else rot[0]
    return X("%s(%s)" % (fn, ", ".join(x.r for x in xs)), s, t, any(x.agg for x in xs))


def nullif(a, b):
    t = unify(a.t, b.t)
    return X("nullif(%s, %s)" % (a.r, b.r), "nullif(%s, %s)" % (s_as(a, t), s_as(b, t)), a.t, a.agg)


PART_CARD = {"year": 6, "quarter": 4, "month": 12, "week": 53, "day": 31, "hour": 24,
             "minute": 60, "dayofweek": 7, "dayofyear": 366}
TRUNC_CARD = {"hour": 20000, "day": 1100, "week": 160, "month": 40, "quarter": 14, "year": 6}


def part(fn, x):
    s = derived_name(x.col, fn) if x.col else "%s(%s)" % (fn, x.s)
    return X("%s(%s)" % (fn, x.r), s, "integer", x.agg, card=PART_CARD[fn])


def trunc(unit, x):
    t = "timestamp" if unit == "hour" else x.t
    s = derived_name(x.col, "trunc_" + unit) if x.col else "date_trunc('%s', %s)" % (unit, x.s)
    return X("date_trunc('%s', %s)" % (unit, x.r), s, t, x.agg, card=TRUNC_CARD[unit])


def cast(x, t):
    r = "CAST(%s AS %s)" % (x.r, {"date": "DATE", "timestamp": "TIMESTAMP", "integer": "INT",
                                  "decimal": "DECIMAL", "double": "DOUBLE", "text": "TEXT"}[t])
    if x.t == t:
        s = x.s
    elif x.t == "timestamp" and t == "date":
        s = "substr(%s, 1, 10)" % x.s
    elif x.t == "decimal" and t == "integer":
        s = "((%s + CASE WHEN %s < 0 THEN -%d ELSE %d END) / %d)" % (x.s, x.s, SCALE // 2,
                                                                    SCALE // 2, SCALE)
    elif x.t == "decimal" and t == "text":
        s = "dec_text(%s)" % x.s
    elif x.t == "integer" and t == "text":
        s = "CAST(%s AS TEXT)" % x.s
    elif x.t in TIME and t == "text":
        s = x.s
    else:
        s = s_as(x, t)
    return X(r, s, t, x.agg, card=x.card)


def func1(name, x, t):
    return X("%s(%s)" % (name, x.r), "%s(%s)" % (name, x.s), t, x.agg, card=x.card)


def round_dec(x, digits):
    """round(decimal, d): half away from zero to d places, still a decimal."""
    unit = 10 ** (4 - digits)
    s = "(((%s + CASE WHEN %s < 0 THEN -%d ELSE %d END) / %d) * %d)" % (
        x.s, x.s, unit // 2, unit // 2, unit, unit)
    return X("round(%s, %d)" % (x.r, digits), s, "decimal", x.agg)


def concat(a, b):
    return X("%s || %s" % (a.r, b.r), "%s || %s" % (a.s, b.s), "text", a.agg or b.agg,
             card=(a.card or 1) * (b.card or 1))


# -------------------------------------------------------------- aggregates

def agg_sum(x):
    if x.big:
        return X("sum(%s)" % x.r, "bigsum(%s)" % x.s, x.t, True, big=True)
    return X("sum(%s)" % x.r, "sum(%s)" % x.s, x.t, True)


def agg_count(x=None, distinct=False):
    if x is None:
        return X("count(*)", "count(*)", "integer", True)
    d = "DISTINCT " if distinct else ""
    return X("count(%s%s)" % (d, x.r), "count(%s%s)" % (d, x.s), "integer", True)


def agg_avg(x):
    """avg: the exact sum as a double divided by the count."""
    if x.big:
        s = "((CAST(bigsum(%s) AS REAL) / %s) / count(%s))" % (
            x.s, "%d.0" % SCALE if x.t == "decimal" else "1.0", x.s)
    elif x.t == "decimal":
        s = "((sum(%s) / %d.0) / count(%s))" % (x.s, SCALE, x.s)
    else:
        s = "(CAST(sum(%s) AS REAL) / count(%s))" % (x.s, x.s)
    return X("avg(%s)" % x.r, s, "double", True)


def agg_minmax(fn, x):
    if x.big:
        return X("%s(%s)" % (fn, x.r), "big%s(%s)" % (fn, x.s), x.t, True, big=True)
    return X("%s(%s)" % (fn, x.r), "%s(%s)" % (fn, x.s), x.t, True)


# ============================================================ generator

class Ctx:
    """What the generator knows about the data: column types, value pools,
    cardinalities."""

    def __init__(self, schema, db, seed):
        self.types = {n: t for n, t, _ in schema}
        rng = random.Random("pools/%d" % seed)
        self.values, self.card = {}, {}
        for name, typ in self.types.items():
            n = db.execute("SELECT count(DISTINCT %s) FROM sales" % name).fetchone()[0]
            self.card[name] = n + 1
            vals = [r[0] for r in db.execute(
                "SELECT DISTINCT %s FROM sales WHERE %s IS NOT NULL ORDER BY 1" % (name, name))]
            if len(vals) > 400:
                vals = sorted(rng.sample(vals, 400))
            self.values[name] = vals
        by = lambda t: [n for n, ty in self.types.items() if ty == t]
        self.text_cols = by("text")
        self.low = [n for n in self.text_cols if self.card[n] <= 120]
        self.high = [n for n in self.text_cols if self.card[n] > 120]
        self.dec_cols = by("decimal")
        self.int_cols = by("integer")
        self.date_cols = by("date")
        self.ts_cols = by("timestamp")
        for need, what in ((self.low, "low-cardinality text"), (self.dec_cols, "decimal"),
                           (self.ts_cols, "timestamp")):
            if not need:
                die("the table has no %s column" % what)
        self.time_col = "order_date" if "order_date" in self.ts_cols else self.ts_cols[0]
        self.money = [c for c in ("amount", "cost", "unit_price") if c in self.dec_cols] or self.dec_cols
        # years that hold most rows (the rest are outliers from dirty data)
        self.years = [r[0] for r in db.execute(
            "SELECT substr(%s, 1, 4) AS y FROM sales GROUP BY y HAVING count(*) > (SELECT count(*) "
            "FROM sales) / 50 ORDER BY y" % self.time_col)] or ["2024"]
        self.dec_q = {}
        for c in self.dec_cols:
            v = self.values[c]
            self.dec_q[c] = [Decimal(v[min(len(v) - 1, int(len(v) * q))]) / SCALE
                             for q in (0.05, 0.25, 0.5, 0.75, 0.95)] if v else [Decimal(1)]


class Gen:
    """Builds one random query from its own Random."""

    def __init__(self, ctx, rng):
        self.c, self.rng = ctx, rng
        # rollup: only what a rollup by (time bucket, low-cardinality text)
        # with sums, counts, minima and maxima of numbers can answer, so that
        # many queries go through the materialized views
        self.rollup = False

    def pick(self, seq):
        return self.rng.choice(seq)

    def chance(self, p):
        return self.rng.random() < p

    def weighted(self, pairs):
        total = sum(w for w, _ in pairs)
        x = self.rng.random() * total
        for w, v in pairs:
            x -= w
            if x < 0:
                return v
        return pairs[-1][1]

    # ------------------------------------------------------------ literals

    def value_of(self, name):
        vals = self.c.values[name]
        return self.pick(vals) if vals else None

    def text_lit(self, name):
        if self.chance(0.06) or not self.c.values[name]:
            return lit_text(self.pick(["zz-none", "A", "Unknown", "west", "ORD-2024"]))
        return lit_text(self.value_of(name))

    def dec_lit(self, name):
        r = self.rng.random()
        if r < 0.5 and self.c.values[name]:
            return lit_dec(Decimal(self.value_of(name)) / SCALE)
        if r < 0.8:
            return lit_dec(self.pick(self.c.dec_q[name]))
        return lit_dec(Decimal(self.rng.randint(0, 60000)) / 100)

    def int_lit(self, name):
        vals = self.c.values[name]
        if vals and self.chance(0.8):
            return lit_int(self.value_of(name))
        return lit_int(self.rng.randint(-1, 20))

    def day(self):
        y = int(self.pick(self.c.years))
        return datetime.date(y, 1, 1) + datetime.timedelta(days=self.rng.randint(0, 364))

    def ts_point(self, align):
        d = self.day()
        if align == "year":
            d = d.replace(month=1, day=1)
        elif align == "quarter":
            d = d.replace(month=(d.month - 1) // 3 * 3 + 1, day=1)
        elif align == "month":
            d = d.replace(day=1)
        elif align == "week":
            d = d - datetime.timedelta(days=d.weekday())
        if align == "hour":
            return "%s %02d:00:00" % (d.isoformat(), self.rng.randint(0, 23))
        if align == "second":
            return "%s %02d:%02d:%02d" % (d.isoformat(), self.rng.randint(0, 23),
                                          self.rng.randint(0, 59), self.rng.randint(0, 59))
        return d.isoformat() + " 00:00:00"

    def date_lit(self, name):
        if self.c.values[name] and self.chance(0.5):
            return lit_date(self.value_of(name))
        return lit_date(self.day().isoformat())

    def ts_lit(self, name):
        if self.c.values[name] and self.chance(0.3):
            return lit_ts(self.value_of(name))
        return lit_ts(self.ts_point(self.pick(["day", "month", "hour", "second"])), self.chance(0.5))

    def lit_for(self, name):
        t = self.c.types[name]
        return {"text": self.text_lit, "decimal": self.dec_lit, "integer": self.int_lit,
                "date": self.date_lit, "timestamp": self.ts_lit}[t](name)

    def lit_list(self, name, n):
        seen, out = set(), []
        for _ in range(n):
            v = self.lit_for(name)
            if v.r not in seen:
                seen.add(v.r)
                out.append(v)
        return out

    def like_pattern(self, name):
        v = self.value_of(name) or "x"
        r = self.rng.random()
        if r < 0.35:
            p = v[: self.rng.randint(1, min(len(v), 6))] + "%"
        elif r < 0.6:
            p = "%" + v[-self.rng.randint(1, min(len(v), 4)):]
        elif r < 0.8:
            i = self.rng.randint(0, max(0, len(v) - 2))
            p = "%" + v[i:i + self.rng.randint(1, 3)] + "%"
        else:
            p = "".join("_" if self.chance(0.3) else ch for ch in v)
            if self.chance(0.5):
                p = p[: max(1, len(p) // 2)] + "%"
        return p

    # ---------------------------------------------------------- predicates

    def time_range(self):
        """A range on the order time: aligned to years, quarters, months,
        weeks, days or hours, or to arbitrary seconds."""
        c = col(self.c.time_col, self.c)
        if self.rollup:
            align = self.weighted([(4, "month"), (1, "quarter"), (1, "year"), (1, "week"),
                                   (3, "day")])
        else:
            align = self.weighted([(3, "month"), (1, "quarter"), (1, "year"), (1, "week"),
                                   (2, "day"), (1, "hour"), (1, "second")])
        a, b = sorted([self.ts_point(align), self.ts_point(align)])
        if a == b and self.chance(0.8):
            b = self.ts_point("year")
            a, b = sorted([a, b])
        short = self.chance(0.5)
        form = self.rng.random()
        if self.rollup and form < 0.3:
            # inclusive ends one second before a boundary
            end = lambda t: (datetime.datetime.fromisoformat(t) - datetime.timedelta(seconds=1)).isoformat(" ")
            if self.chance(0.5):
                return between(c, lit_ts(a, short), lit_ts(end(b)))
            return and_(cmp(c, ">", lit_ts(end(a))), cmp(c, "<=", lit_ts(end(b))))
        if self.rollup and form < 0.7:
            return and_(cmp(c, ">=", lit_ts(a, short)), cmp(c, "<", lit_ts(b, short)))
        if form < 0.6:
            lo_op = self.pick([">=", ">=", ">"])
            hi_op = self.pick(["<", "<", "<="])
            return and_(cmp(c, lo_op, lit_ts(a, short)), cmp(c, hi_op, lit_ts(b, short)))
        if form < 0.75:
            return between(c, lit_ts(a, short), lit_ts(b, short))
        if form < 0.85:
            return cmp(c, self.pick([">=", "<", ">", "<="]), lit_ts(a, short))
        if form < 0.95:
            return cmp(part("year", c), "=", lit_int(int(self.pick(self.c.years))))
        return and_(cmp(part("year", c), "=", lit_int(int(self.pick(self.c.years)))),
                    in_(part(self.pick(["quarter", "month"]), c),
                        [lit_int(self.rng.randint(1, 4)) for _ in range(self.rng.randint(1, 2))]))

    def pred_text(self, name):
        x = col(name, self.c)
        if self.chance(0.1):
            x = self.pick([func1("lower", x, "text"), func1("upper", x, "text"),
                           coalesce(x, lit_text("none"))])
        r = self.rng.random()
        if r < 0.3:
            return cmp(x, self.pick(["=", "=", "<>"]), self.text_lit(name))
        if r < 0.55:
            n = self.rng.randint(20, 150) if self.chance(0.1) else self.rng.randint(1, 4)
            vals = self.lit_list(name, n)
            if self.chance(0.1):
                vals.insert(self.rng.randint(0, len(vals)), lit_null("text"))
            return in_(x, vals, self.chance(0.25))
        if r < 0.72:
            return like(x, self.like_pattern(name), self.chance(0.2))
        if r < 0.82:
            return is_null(col(name, self.c), self.chance(0.5))
        if r < 0.92:
            return cmp(x, self.pick(["<", "<=", ">", ">="]), self.text_lit(name))
        a, b = sorted([self.text_lit(name), self.text_lit(name)], key=lambda v: v.r)
        return between(x, a, b, self.chance(0.15))

    def pred_num(self, name):
        x = col(name, self.c)
        lit = self.int_lit if self.c.types[name] == "integer" else self.dec_lit
        r = self.rng.random()
        if r < 0.4:
            return cmp(x, self.pick(["=", "<>", "<", "<=", ">", ">="]), lit(name))
        if r < 0.55:
            a, b = sorted([lit(name), lit(name)], key=lambda v: Decimal(v.r))
            return between(x, a, b, self.chance(0.15))
        if r < 0.68:
            n = self.rng.randint(64, 200) if self.chance(0.15) else self.rng.randint(1, 4)
            vals = [lit(name) for _ in range(n)]
            if self.chance(0.3):
                vals.insert(self.rng.randint(0, len(vals)), lit_null(self.c.types[name]))
            return in_(x, vals, self.chance(0.35))
        if r < 0.76:
            return is_null(x, self.chance(0.5))
        # derived numbers
        e = self.num_expr()
        t = e.t
        if t == "double":
            thr = lit_dec(Decimal(self.rng.randint(0, 2000)) / 100)
        elif t == "integer":
            thr = lit_int(self.rng.randint(0, 30))
        else:
            thr = lit_dec(self.pick(self.c.dec_q[self.pick(self.c.dec_cols)]))
        return cmp(e, self.pick(["<", "<=", ">", ">=", "<>"]), thr)

    def pred_date(self, name):
        x = col(name, self.c)
        r = self.rng.random()
        if r < 0.35:
            return cmp(x, self.pick(["=", "<", "<=", ">", ">=", "<>"]), self.date_lit(name))
        if r < 0.5:
            a, b = sorted([self.date_lit(name), self.date_lit(name)], key=lambda v: v.r)
            return between(x, a, b)
        if r < 0.65:
            return is_null(x, self.chance(0.5))
        if r < 0.8:
            return cmp(part(self.pick(["year", "month", "dayofweek", "quarter", "week"]), x), "=",
                       lit_int(self.rng.randint(0, 12)))
        if r < 0.9:
            vals = self.lit_list(name, self.rng.randint(40, 80) if self.chance(0.1) else self.rng.randint(1, 3))
            if self.chance(0.3):
                vals.insert(self.rng.randint(0, len(vals)), lit_null("date"))
            return in_(x, vals, self.chance(0.3))
        # ship date against the order time (a date compares as its midnight)
        return cmp(x, self.pick(["<", ">=", ">", "<="]), col(self.c.time_col, self.c))

    def pred_ts(self, name):
        x = col(name, self.c)
        r = self.rng.random()
        if self.rollup:
            x = col(self.c.time_col, self.c)
            if r < 0.4:
                return self.time_range()
            if r < 0.6:
                return in_(part(self.pick(["dayofweek", "month", "quarter", "day", "year", "week"]), x),
                           [lit_int(self.rng.randint(0, 12)) for _ in range(self.rng.randint(1, 3))],
                           self.chance(0.2))
            if r < 0.7:
                return between(part(self.pick(["dayofyear", "week", "day"]), x),
                               lit_int(self.rng.randint(0, 20)), lit_int(self.rng.randint(10, 60)))
            if r < 0.85:
                return cmp(trunc(self.pick(["month", "quarter", "year", "week", "day"]), x), "=",
                           lit_ts(self.ts_point(self.pick(["month", "quarter", "year", "week"])), True))
            return cmp(cast(x, "date"), self.pick(["=", ">=", "<", "<>"]), lit_date(self.day().isoformat()))
        if r < 0.3:
            return self.time_range()
        if r < 0.45:
            vals = [lit_int(self.rng.randint(0, 23)) for _ in range(self.rng.randint(1, 3))]
            if self.chance(0.25):
                vals.insert(self.rng.randint(0, len(vals)), lit_null("integer"))
            return in_(part(self.pick(["dayofweek", "hour", "month", "quarter", "day"]), x), vals,
                       self.chance(0.3))
        if r < 0.5:
            # timestamps themselves, with a NULL among them
            vals = [self.ts_lit(name) for _ in range(self.rng.randint(1, 3))] + [lit_null("timestamp")]
            return in_(x, vals, self.chance(0.5))
        if r < 0.55:
            return between(part(self.pick(["hour", "dayofyear", "week", "minute"]), x),
                           lit_int(self.rng.randint(0, 20)), lit_int(self.rng.randint(10, 60)))
        if r < 0.65:
            return cmp(trunc(self.pick(["month", "quarter", "year", "week"]), x), "=",
                       lit_ts(self.ts_point(self.pick(["month", "quarter", "year", "week"])), True))
        if r < 0.75:
            return cmp(cast(x, "date"), self.pick(["=", ">=", "<"]), lit_date(self.day().isoformat()))
        if r < 0.85:
            return cmp(x, self.pick(["=", "<>", "<", ">="]), self.ts_lit(name))
        return cmp(part("week", x), self.pick(["=", "<", ">"]), lit_int(self.rng.randint(1, 53)))

    def predicate(self, depth=0, allow_sub=False):
        """A random condition; allow_sub lets it compare with a scalar
        subquery (top-level WHERE only)."""
        r = self.rng.random()
        if depth < 2 and r < 0.12:
            return or_(self.predicate(depth + 1, allow_sub), self.predicate(depth + 1))
        if depth < 2 and r < 0.17:
            return and_(self.predicate(depth + 1), self.predicate(depth + 1, allow_sub))
        if depth < 2 and r < 0.21:
            return not_(self.predicate(depth + 1, allow_sub))
        if self.rollup:
            kind = self.weighted([(70, "low"), (30, "ts")])
        else:
            kind = self.weighted([(35, "low"), (10, "high"), (15, "dec"), (7, "int"), (7, "date"),
                                  (14, "ts"), (3 if allow_sub else 0, "subq"), (3, "dbl")])
        if kind == "low":
            return self.pred_text(self.pick(self.c.low))
        if kind == "high" and self.c.high:
            return self.pred_text(self.pick(self.c.high))
        if kind == "int" and self.c.int_cols:
            return self.pred_num(self.pick(self.c.int_cols))
        if kind == "date" and self.c.date_cols:
            return self.pred_date(self.pick(self.c.date_cols))
        if kind == "ts":
            return self.pred_ts(self.pick(self.c.ts_cols))
        if kind == "dbl":
            # IN over doubles, sometimes long, sometimes holding a NULL
            m = self.pick(self.c.money)
            n = self.rng.randint(17, 60) if self.chance(0.5) else self.rng.randint(1, 4)
            vals = [self.dec_lit(m) for _ in range(n)]
            if self.chance(0.3):
                vals.insert(self.rng.randint(0, len(vals)), lit_null("decimal"))
            return in_(cast(col(m, self.c), "double"), vals, self.chance(0.3))
        if kind == "subq":
            # a row value against a scalar subquery (avg of the filtered table)
            m = self.pick(self.c.money)
            sub = self.subquery(agg_avg(col(m, self.c)), self.chance(0.5))
            return cmp(col(m, self.c), self.pick([">", "<"]), sub)
        return self.pred_num(self.pick(self.c.dec_cols))

    def where(self):
        n = self.weighted([(15, 0), (35, 1), (30, 2), (15, 3), (5, 4)])
        preds = []
        if self.chance(0.45):
            preds.append(self.time_range())
        while len(preds) < n:
            preds.append(self.predicate(0, True))
        if not preds:
            return None
        w = preds[0]
        for p in preds[1:]:
            w = and_(w, p)
        return w

    # --------------------------------------------------------- expressions

    def num_expr(self):
        """A row-level number over the numeric columns."""
        c = self.c
        d = lambda: col(self.pick(c.dec_cols), c)
        m = lambda: col(self.pick(c.money), c)
        i = (lambda: col(self.pick(c.int_cols), c)) if c.int_cols else (lambda: lit_int(3))
        forms = [
            lambda: d(),
            lambda: i(),
            lambda: arith(m(), "-", m()),
            lambda: arith(i(), "*", m()),
            lambda: arith(m(), "*", d()),
            lambda: arith(m(), "*", arith(lit_int(1), "-", d())),
            lambda: arith(m(), "/", i()),
            lambda: arith(m(), "/", m()),
            lambda: arith(arith(i(), "*", lit_int(self.rng.randint(2, 5))), "+", lit_int(1)),
            lambda: arith(i(), "%", lit_int(self.rng.randint(2, 4))),
            lambda: arith(m(), "+", lit_dec(Decimal(self.rng.randint(1, 999)) / 100)),
            lambda: neg(m()),
            lambda: func1("abs", arith(m(), "-", m()), "decimal"),
            lambda: round_dec(arith(m(), "*", d()), self.rng.randint(0, 3)),
            lambda: cast(m(), "integer"),
            lambda: cast(i(), "decimal"),
            lambda: coalesce(m(), lit_int(0)),
            lambda: nullif(d(), lit_int(0)),
            # more than 16 arguments
            lambda: coalesce(*([lit_null("decimal")] * self.rng.randint(15, 30) + [d(), m(), lit_int(0)])),
            lambda: greatest(self.pick(["greatest", "least"]),
                             [d() for _ in range(self.rng.randint(1, 8))] +
                             [lit_null("decimal")] * self.rng.randint(0, 12) +
                             [self.dec_lit(self.pick(c.money)) for _ in range(self.rng.randint(1, 6))]),
        ]
        return self.pick(forms)()

    def big_measure(self):
        """A row-level number beyond 64 bits for some or all rows: decimals
        (counts of 10^-4) times 10^12, integers near 2^63."""
        c = self.c
        m = lambda: col(self.pick(c.money), c)
        i = (lambda: col(self.pick(c.int_cols), c)) if c.int_cols else (lambda: lit_int(3))
        forms = [
            lambda: arith(big(m()), "*", lit_int(10 ** 12)),
            lambda: arith(lit_int(self.pick([10 ** 13, 999999999999, 2 ** 40])), "*", big(m())),
            lambda: arith(big(i()), "*", lit_int(self.pick([2 ** 62, 3 * 10 ** 18, 2 ** 63 - 1]))),
            lambda: arith(big(i()), "+", lit_int(2 ** 63 - 1 - self.rng.randint(0, 20))),
            lambda: arith(lit_int(-(2 ** 63 - 1)), "-", big(i())),
            lambda: arith(arith(big(m()), "*", lit_int(10 ** 12)), "+", m()),
            lambda: arith(big(m()), "*", lit_dec(Decimal(self.pick([900000000000000, 123456789012]))
                                                 + Decimal("0.5"))),
            lambda: neg(arith(big(m()), "*", lit_int(10 ** 13))),
        ]
        return self.pick(forms)()

    def many_branches(self):
        """A CASE of 32 to 60 WHEN branches over one money column."""
        c = self.c
        m = self.pick(c.money)
        vals = sorted(set(Decimal(v) / SCALE for v in c.values[m])) or [Decimal(1)]
        cuts = sorted(self.rng.sample(vals, min(len(vals), self.rng.randint(32, 60))))
        whens = [(cmp(col(m, c), "<", lit_dec(v)), lit_int(k)) for k, v in enumerate(cuts)]
        return case(whens, lit_int(-1) if self.chance(0.7) else None)

    def measure(self):
        """A row-level number to aggregate (integer or decimal, no doubles:
        sums of doubles depend on the order of addition)."""
        c = self.c
        if self.rollup:
            nums = c.money + c.int_cols + c.dec_cols
            r = self.rng.random()
            if r < 0.6:
                return col(self.pick(nums), c)
            if r < 0.7 and len(c.money) > 1:
                return arith(col(c.money[0], c), "-", col(c.money[1], c))
            v = col(self.pick(nums), c)
            whens = [(self.predicate(1), v)]
            if self.chance(0.2):
                whens.append((self.predicate(1), col(self.pick(nums), c)))
            return case(whens, self.pick([lit_int(0), None, None, lit_null(v.t)]))
        if self.chance(0.07):
            return self.big_measure()
        if self.chance(0.04):
            return self.many_branches()
        while True:
            r = self.rng.random()
            if r < 0.5:
                return col(self.pick(c.money + c.int_cols + c.dec_cols), c)
            if r < 0.75:
                cond = self.predicate(1)
                v = col(self.pick(c.money + c.int_cols), c)
                if self.chance(0.7):
                    return case([(cond, v)], lit_int(0))
                return case([(cond, v)])
            e = self.num_expr()
            if e.t != "double":
                return e

    def aggregate(self, where):
        c = self.c
        r = self.rng.random()
        if self.rollup:
            if r < 0.35:
                return agg_sum(self.measure())
            if r < 0.45:
                return agg_count()
            if r < 0.52:
                return agg_count(self.measure() if self.chance(0.7) else col(self.pick(c.low), c))
            if r < 0.6:
                return agg_avg(self.measure())
            if r < 0.7:
                return agg_minmax(self.pick(["min", "max"]), self.measure())
            if r < 0.76:
                x = col(self.pick(c.low), c) if self.chance(0.7) else self.group_key()
                return self.pick([agg_count(x, distinct=True), agg_minmax(self.pick(["min", "max"]), x)])
            if r < 0.9:
                forms = [
                    lambda: arith(agg_sum(self.measure()), "/", agg_sum(self.measure())),
                    lambda: arith(agg_sum(self.measure()), "/", agg_count()),
                    lambda: arith(arith(agg_sum(col(c.money[0], c)), "-", agg_sum(col(c.money[-1], c))),
                                  "/", agg_sum(col(c.money[0], c))),
                    lambda: arith(agg_sum(self.measure()), "-", agg_sum(self.measure())),
                    lambda: coalesce(agg_sum(self.measure()), lit_int(0)),
                ]
                return self.pick(forms)()
            m = col(self.pick(c.money + c.int_cols), c)
            outer = where if where is not None and "SELECT" not in where.r else None
            sub = self.subquery(agg_sum(m), self.chance(0.5), outer if self.chance(0.7) else None)
            return arith(agg_sum(m), "/", sub)
        if r < 0.3:
            return agg_sum(self.measure())
        if r < 0.4:
            return agg_count()
        if r < 0.47:
            return agg_count(col(self.pick(list(c.types)), c))
        if r < 0.57:
            cand = c.high + c.low + c.int_cols + c.date_cols
            x = col(self.pick(cand), c)
            if self.chance(0.15):
                x = cast(col(c.time_col, c), "date")
            return agg_count(x, distinct=True)
        if r < 0.65:
            return agg_avg(self.measure())
        if r < 0.75:
            x = self.measure() if self.chance(0.6) else col(self.pick(list(c.types)), c)
            return agg_minmax(self.pick(["min", "max"]), x)
        if r < 0.87:
            # ratios
            m1, m2 = self.measure(), self.measure()
            forms = [
                lambda: arith(agg_sum(m1), "/", agg_sum(m2)),
                lambda: arith(agg_sum(m1), "/", agg_count()),
                lambda: arith(agg_sum(col(self.pick(c.money), c)), "/",
                              agg_count(col(self.pick(c.high or c.low), c), distinct=True)),
                lambda: arith(arith(agg_sum(col(c.money[0], c)), "-", agg_sum(col(c.money[-1], c))),
                              "/", agg_sum(col(c.money[0], c))),
                lambda: arith(arith(lit_int(100), "*", agg_sum(m1)), "/", agg_sum(m2)),
            ]
            return self.pick(forms)()
        if r < 0.93:
            # share of a total: a scalar subquery
            m = col(self.pick(c.money + c.int_cols), c)
            outer = where if where is not None and "SELECT" not in where.r else None
            sub = self.subquery(agg_sum(m), self.chance(0.5), outer if self.chance(0.7) else None)
            return arith(agg_sum(m), "/", sub)
        forms = [
            lambda: arith(agg_sum(self.measure()), "-", agg_sum(self.measure())),
            lambda: arith(agg_minmax("max", self.measure()), "-", agg_minmax("min", self.measure())),
            lambda: arith(big(agg_minmax(self.pick(["min", "max"]), col(self.pick(c.money), c))), "*",
                          lit_int(10 ** 12)),
            lambda: arith(agg_count(), "*", lit_int(2)),
            lambda: coalesce(agg_sum(self.measure()), lit_int(0)),
            lambda: round_dec(agg_sum(col(self.pick(c.dec_cols), c)), self.rng.randint(0, 2)),
            lambda: arith(agg_sum(col(self.pick(c.dec_cols), c)), "*", agg_count()),
            lambda: case([(cmp(agg_count(), ">", lit_int(self.rng.randint(1, 50))), lit_text("many"))],
                         lit_text("few")),
        ]
        return self.pick(forms)()

    def subquery(self, sel, filtered, where=None):
        if filtered and where is None:
            where = self.predicate(1)
        w = " WHERE %s" if filtered and where is not None else ""
        r = "(SELECT %s FROM sales%s)" % (sel.r, w % where.r if w else "")
        s = "(SELECT %s FROM sales%s)" % (sel.s, w % where.s if w else "")
        return X(r, s, sel.t, False)

    def group_key(self):
        c = self.c
        tc = col(c.time_col, c)
        if self.rollup:
            kind = self.weighted([(50, "low"), (15, "part"), (15, "trunc"), (5, "date"), (5, "case"),
                                  (5, "concat"), (5, "coalesce"), (6, "dtrunc")])
            if kind == "dtrunc":
                return trunc(self.pick(["month", "quarter", "year", "week", "day"]), cast(tc, "date"))
            if kind == "low":
                return col(self.pick(c.low), c)
            if kind == "part":
                return part(self.pick(["year", "quarter", "month", "week", "day", "dayofweek",
                                       "dayofyear"]), tc)
            if kind == "trunc":
                return trunc(self.pick(["day", "week", "month", "quarter", "year"]), tc)
            if kind == "date":
                return cast(tc, "date")
            if kind == "case":
                name = self.pick(c.low)
                return case([(self.pred_text(name), lit_text("in"))], lit_text("out"))
            if kind == "concat":
                return concat(concat(col(self.pick(c.low), c), lit_text("/")), col(self.pick(c.low), c))
            return coalesce(col(self.pick(c.low), c), lit_text("(none)"))
        kind = self.weighted([(40, "low"), (14, "part"), (14, "trunc"), (4, "date"), (6, "case"),
                              (4, "int"), (4, "dpart"), (3, "concat"), (3, "high"), (3, "func"),
                              (3, "coalesce"), (2, "arith"), (6, "dtrunc")])
        if kind == "dtrunc":
            # date_trunc of date(order_date): the data starts mid-month
            return trunc(self.weighted([(4, "month"), (3, "quarter"), (3, "year"), (2, "week"),
                                        (1, "day")]), cast(tc, "date"))
        if kind == "low":
            return col(self.pick(c.low), c)
        if kind == "part":
            return part(self.pick(list(PART_CARD)), tc)
        if kind == "trunc":
            return trunc(self.weighted([(1, "hour"), (3, "day"), (3, "week"), (5, "month"),
                                        (3, "quarter"), (3, "year")]), tc)
        if kind == "date":
            return cast(tc, "date")
        if kind == "dpart" and c.date_cols:
            x = col(self.pick(c.date_cols), c)
            if self.chance(0.5):
                return trunc(self.pick(["month", "week", "year"]), x)
            return part(self.pick(["year", "month", "dayofweek", "quarter"]), x)
        if kind == "case":
            m = self.pick(c.money)
            q = sorted(set(self.c.dec_q[m]))
            cuts = sorted(self.rng.sample(q, min(len(q), self.rng.randint(1, 3))))
            if self.chance(0.15):  # many branches
                vals = sorted(set(Decimal(v) / SCALE for v in c.values[m])) or q
                cuts = sorted(self.rng.sample(vals, min(len(vals), self.rng.randint(32, 45))))
            whens = [(cmp(col(m, c), "<", lit_dec(v)), lit_text("lt %s" % fmt_dec(v))) for v in cuts]
            if self.chance(0.3):
                return case(whens)
            return case(whens, lit_text("high"))
        if kind == "int" and c.int_cols:
            x = col(self.pick(c.int_cols), c)
            return x if self.chance(0.6) else case([(cmp(x, ">=", lit_int(3)), lit_text("multi"))],
                                                    lit_text("single"))
        if kind == "concat":
            return concat(concat(col(self.pick(c.low), c), lit_text("/")), col(self.pick(c.low), c))
        if kind == "high" and c.high:
            return col(self.pick(c.high), c)
        if kind == "func":
            x = col(self.pick(c.low), c)
            return self.pick([func1("upper", x, "text"), func1("lower", x, "text"),
                              X("length(%s)" % x.r, "length(%s)" % x.s, "integer", card=20)])
        if kind == "coalesce":
            if c.date_cols and self.chance(0.4):
                return coalesce(col(c.date_cols[0], c), date_value(self.day().isoformat()))
            return coalesce(col(self.pick(c.low), c), lit_text("(none)"))
        if kind == "arith":
            e = arith(arith(part("year", tc), "*", lit_int(100)), "+", part("month", tc))
            e.card = 72
            return e
        if c.dec_cols and self.chance(0.5):
            x = col("discount" if "discount" in c.dec_cols else c.dec_cols[0], c)
            x.card = min(c.card.get(x.r, 50), 50)
            return x
        return col(self.pick(c.low), c)

    def row_item(self):
        c = self.c
        if self.chance(0.55):
            return col(self.pick(list(c.types)), c)
        tc = col(c.time_col, c)
        forms = [
            lambda: self.num_expr(),
            lambda: part(self.pick(list(PART_CARD)), tc),
            lambda: trunc(self.pick(["day", "week", "month", "quarter", "year", "hour"]), tc),
            lambda: cast(tc, "date"),
            lambda: cast(tc, "text"),
            lambda: cast(col(self.pick(c.money), c), "text"),
            lambda: cast(col(self.pick(c.money), c), "double"),
            lambda: func1(self.pick(["upper", "lower"]), col(self.pick(c.text_cols), c), "text"),
            lambda: X("length(%s)" % c.text_cols[0], "length(%s)" % c.text_cols[0], "integer"),
            lambda: concat(concat(col(self.pick(c.low), c), lit_text("-")), col(self.pick(c.text_cols), c)),
            lambda: self.group_key(),
        ]
        if c.date_cols:
            forms += [lambda: cast(col(c.date_cols[0], c), "timestamp"),
                      lambda: coalesce(col(c.date_cols[0], c), cast(tc, "date")),
                      lambda: coalesce(col(c.date_cols[0], c), tc)]
        return self.pick(forms)()


# ----------------------------------------------------------------- queries

class Query:
    """One generated query: both texts, the expected column types, and how
    its result is compared."""

    def __init__(self, ria, lite, types, ordered, sort_keys):
        self.ria = ria
        self.lite = lite
        self.types = types
        self.ordered = ordered        # every output column is ordered: compare in order
        self.sort_keys = sort_keys    # [(output index, desc)] ria's rows must follow


def make_query(ctx, seed, k):
    """Query number k of a run with this seed: its own Random, so one query
    can be rebuilt alone (--only)."""
    g = Gen(ctx, random.Random("query/%d/%d" % (seed, k)))
    kind = g.weighted([(40, "agg"), (30, "rollup"), (18, "rows"), (12, "distinct")])
    if kind in ("agg", "rollup"):
        g.rollup = kind == "rollup"
        return agg_query(g)
    return row_query(g, kind == "distinct")


def table_clause(g, allow_asof):
    if allow_asof and g.chance(0.06):
        return " FROM sales AS OF VERSION 1", " FROM sales_v1"
    if allow_asof and g.chance(0.02):
        return " FROM sales AS OF VERSION 2", " FROM sales"
    return " FROM sales", " FROM sales"


def order_clause(g, items, aliases, total, hidden=()):
    """ORDER BY over output columns (by alias, ordinal or expression), with
    hidden expressions (not selected) mixed in.  total orders by every output
    column.  Returns ria text, sqlite text and the sort keys [(output index,
    desc)] that ria's rows can be checked against (those before any hidden
    term)."""
    idx = list(range(len(items)))
    g.rng.shuffle(idx)
    if not total:
        idx = idx[: g.rng.randint(1, max(1, min(3, len(idx))))]
    terms = [("out", i) for i in idx]
    for h in hidden:
        terms.insert(g.rng.randint(0, len(terms)), ("hidden", h))
    terms_r, terms_s, keys = [], [], []
    checkable = True
    for kind, v in terms:
        desc = g.chance(0.4)
        if kind == "hidden":
            checkable = False
            terms_r.append(v.r + (" DESC" if desc else ""))
            terms_s.append(v.s + (" DESC" if desc else "") + " NULLS LAST")
            continue
        how = g.rng.random()
        if aliases[v] and how < 0.4:
            ref = aliases[v]
        elif how < 0.7:
            ref = str(v + 1)
        else:
            ref = items[v].r
        terms_r.append(ref + (" DESC" if desc else (" ASC" if g.chance(0.2) else "")))
        # sqlite sorts text beyond 64 bits by bigkey, which orders like the number
        terms_s.append("%s%s NULLS LAST" % ("bigkey(%s)" % items[v].s if items[v].big else v + 1,
                                            " DESC" if desc else ""))
        if checkable:
            keys.append((v, desc))
    return " ORDER BY " + ", ".join(terms_r), " ORDER BY " + ", ".join(terms_s), keys


def limit_clause(g, bounded):
    """LIMIT n [OFFSET m], sometimes LIMIT 0, or (unless bounded) OFFSET alone."""
    r = g.rng.random()
    if r < 0.03:
        return " LIMIT 0", " LIMIT 0"
    if r < 0.1 and not bounded:
        off = g.rng.randint(1, 30)
        return " OFFSET %d" % off, " LIMIT -1 OFFSET %d" % off
    n = g.rng.randint(1, 25)
    off = g.rng.randint(0, 10) if g.chance(0.35) else 0
    t = " LIMIT %d" % n + (" OFFSET %d" % off if off else "")
    return t, t


def agg_query(g):
    c = g.c
    frm_r, frm_s = table_clause(g, True)
    where = g.where()
    nkeys = g.weighted([(20, 0), (40, 1), (28, 2), (12, 3)])
    keys, seen = [], set()
    for _ in range(nkeys):
        k = g.group_key()
        if k.r not in seen:
            seen.add(k.r)
            keys.append(k)
    shown = [k for k in keys if g.chance(0.85)]
    naggs = g.weighted([(40, 1), (30, 2), (20, 3), (10, 4)])
    aggs = [g.aggregate(where) for _ in range(naggs)]
    if "sales_v1" in frm_s:
        aggs = [a for a in aggs if "SELECT" not in a.r] or [agg_count()]
    if where is not None and "SELECT" in where.r and "sales_v1" in frm_s:
        frm_r, frm_s = " FROM sales", " FROM sales"
    items = shown + aggs
    if g.chance(0.5):
        g.rng.shuffle(items)
    aliases = []
    for n, it in enumerate(items):
        aliases.append(("c%d" % (n + 1)) if g.chance(0.6) else None)
    sel_r = ", ".join(it.r + (" AS " + a if a else "") for it, a in zip(items, aliases))
    sel_s = ", ".join(it.s for it in items)
    ria = "SELECT " + sel_r + frm_r
    lite = "SELECT " + sel_s + frm_s
    if where is not None:
        ria += " WHERE " + where.r
        lite += " WHERE " + where.s
    if keys:
        refs_r, refs_s = [], []
        for k in keys:
            i = next((n for n, it in enumerate(items) if it is k), None)
            how = g.rng.random()
            if i is not None and aliases[i] and how < 0.35:
                refs_r.append(aliases[i])
            elif i is not None and how < 0.65:
                refs_r.append(str(i + 1))
            else:
                refs_r.append(k.r)
            refs_s.append(str(i + 1) if i is not None else k.s)
        ria += " GROUP BY " + ", ".join(refs_r)
        lite += " GROUP BY " + ", ".join(refs_s)
    if g.chance(0.25):
        h = g.aggregate(None) if g.chance(0.3) else g.pick(
            [agg_count(), agg_sum(col(g.pick(c.money), c))])
        if "SELECT" in h.r:
            h = agg_count()
        h_r = h.r
        for it, a in zip(items, aliases):   # HAVING may name a select item by alias
            if a and it.r == h.r and g.chance(0.5):
                h_r = a
        if h.t == "integer":
            thr = lit_int(g.pick([0, 1, 2, 3, 5, 10, 20, 50, 100, 500]))
        elif h.t == "text":
            thr = lit_text("many") if h.r.startswith("CASE") else g.text_lit(g.pick(c.low))
        elif h.t == "timestamp":
            thr = lit_ts(g.ts_point(g.pick(["month", "day", "second"])), g.chance(0.5))
        elif h.t == "date":
            thr = lit_date(g.day().isoformat())
        else:
            thr = lit_dec(Decimal(g.pick([1, 10, 100, 1000, 10000, 100000])) * Decimal(g.rng.randint(1, 99)) / 10)
        op = g.pick([">", ">=", "<", "<=", "<>"]) if not h.r.startswith("CASE") else "="
        hx = cmp(h, op, thr)
        hr = cmp(X(h_r, h.s, h.t, True), op, thr)
        ria += " HAVING " + hr.r
        lite += " HAVING " + hx.s
        if g.chance(0.3):
            extra = cmp(agg_count(), ">", lit_int(g.pick([1, 2, 5])))
            ria += " AND " + extra.r
            lite += " AND " + extra.s
    card = 1
    for k in keys:
        card *= k.card or 1000
    need_limit = card > ROW_CAP
    ordered, sort_keys = False, []
    mode = "total" if need_limit else g.weighted([(35, "none"), (40, "total"), (25, "partial")])
    if not keys:
        mode = "none"
    if mode != "none":
        hidden = []
        if g.chance(0.2):
            hidden = [agg_sum(col(g.pick(c.money), c)) if g.chance(0.6) else agg_count()]
        o_r, o_s, sort_keys = order_clause(g, items, aliases, mode == "total", hidden)
        ria += o_r
        lite += o_s
        ordered = mode == "total"
        if ordered and (need_limit or g.chance(0.4)):
            l_r, l_s = limit_clause(g, need_limit)
            ria += l_r
            lite += l_s
    return Query(ria, lite, [it.t for it in items], ordered, sort_keys)


def row_query(g, distinct):
    c = g.c
    frm_r, frm_s = table_clause(g, True)
    where = g.where()
    if where is not None and "SELECT" in where.r:
        frm_r, frm_s = " FROM sales", " FROM sales"
    n = g.weighted([(25, 1), (30, 2), (25, 3), (20, 5)])
    if distinct:
        # ria removes duplicates pairwise (quadratic in distinct rows): keep
        # DISTINCT to a few thousand estimated rows so a run stays short
        for _ in range(30):
            items = [g.group_key() for _ in range(g.weighted([(50, 1), (35, 2), (15, 3)]))]
            card = 1
            for it in items:
                card *= it.card or 100000
            if card <= DISTINCT_CAP:
                break
        else:
            items = [col(g.pick(c.low), c)]
    else:
        items = [g.row_item() for _ in range(n)]
    aliases = [("c%d" % (i + 1)) if g.chance(0.5) else None for i in range(len(items))]
    d = "DISTINCT " if distinct else ""
    ria = "SELECT " + d + ", ".join(it.r + (" AS " + a if a else "")
                                    for it, a in zip(items, aliases)) + frm_r
    lite = "SELECT " + d + ", ".join(it.s for it in items) + frm_s
    if where is not None:
        ria += " WHERE " + where.r
        lite += " WHERE " + where.s
    card = 1
    for it in items:
        card *= it.card or 100000
    small = distinct and card <= ROW_CAP
    mode = g.weighted([(40, "none"), (60, "total")]) if small else "total"
    ordered, sort_keys = False, []
    if mode == "total":
        o_r, o_s, sort_keys = order_clause(g, items, aliases, True)
        ria += o_r
        lite += o_s
        ordered = True
        if not small or g.chance(0.3):
            l_r, l_s = limit_clause(g, not small)
            ria += l_r
            lite += l_s
    return Query(ria, lite, [it.t for it in items], ordered, sort_keys)


# =========================================================== execution

def run_ria(opts, store, queries, work, no_views, out):
    """Runs the queries through one `ria sql --batch` and fills out[i] with
    the JSON text of query i.  When ria dies, the query it died on gets an
    error naming the signal and the batch goes on from the next one."""
    name = "no-views" if no_views else "views"
    start = 0
    while start < len(queries):
        batch = os.path.join(work, "batch-%s-%d.sql" % (name, start))
        with open(batch, "w") as f:
            for q in queries[start:]:
                f.write(q + "\n")
        cmd = [opts.ria, "sql", "--store", store, "--batch", batch] + (["--no-views"] if no_views else [])
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        lines = p.stdout.decode("utf-8", "replace").splitlines()
        # a batch whose queries failed exits with the first failure's status
        # (each failure is its own line): only a signal or missing lines
        # mean ria died
        complete = p.returncode >= 0 and len(lines) == len(queries) - start
        if p.returncode == 0 and not complete:
            out.append(RuntimeError("ria sql --batch printed %d lines for %d queries" % (
                len(lines), len(queries) - start)))
            return
        for line in lines[: len(queries) - start]:
            out.append(line)
        start += len(lines)
        if complete:
            return
        why = ("killed by signal %d" % -p.returncode) if p.returncode < 0 else (
            "exited with status %d" % p.returncode)
        tail = p.stderr.decode("utf-8", "replace").strip()[-300:]
        if start >= len(queries):
            out.append(RuntimeError("ria sql --batch%s %s after answering every query%s" % (
                " --no-views" if no_views else "", why, (": " + tail) if tail else "")))
            return
        out.append(json.dumps({"error": "ria sql --batch %s on this query%s" % (
            why, (": " + tail) if tail else ""), "crash": True}))
        start += 1


_DB = None
_QUERIES = None


def _worker_init(db_path):
    global _DB
    _DB = open_sqlite(db_path)


def canon_sqlite(v, t):
    if v is None:
        return None
    if t in ("decimal", "integer") and isinstance(v, str) and re.match(r"^-?\d+$", v):
        v = int(v)  # computed exactly by the big* functions
    if t in ("decimal", "integer") and not isinstance(v, int):
        raise ValueError("sqlite computed a %s as %r (out of 64-bit integers)" % (t, v))
    if t == "decimal":
        return Decimal(v).scaleb(-4).quantize(Q4)
    if t == "double":
        return float(v)
    if t == "integer":
        return int(v)
    if t == "boolean":
        return bool(v)
    return str(v) if not isinstance(v, str) else v


def _sqlite_run(k):
    q = _QUERIES[k]
    t = time.time()
    try:
        rows = _DB.execute(q.lite).fetchall()
    except sqlite3.Error as e:
        return k, None, "sqlite error: %s" % e, time.time() - t
    try:
        return k, [[canon_sqlite(v, t) for v, t in zip(r, q.types)] for r in rows], None, time.time() - t
    except Exception as e:  # a value of an unexpected kind
        return k, None, "sqlite value: %r" % e, time.time() - t


def canon_ria(v, t):
    if v is None:
        return None
    if t == "decimal":
        return Decimal(v).quantize(Q4)
    if t == "double":
        return float(v)
    if t == "integer":
        if isinstance(v, Decimal):
            if v != v.to_integral_value():
                raise ValueError("integer column holds %s" % v)
            return int(v)
        return int(v)
    if t == "boolean":
        return bool(v)
    return v


# ========================================================= comparison

def same_value(a, b, t):
    if a is None or b is None:
        return a is None and b is None
    if t == "double":
        if a == b:
            return True
        return abs(a - b) <= 1e-9 * max(abs(a), abs(b))
    return a == b


def same_row(a, b, types):
    return len(a) == len(b) and all(same_value(x, y, t) for x, y, t in zip(a, b, types))


def sort_key(row, types):
    exact = tuple((v is None, v if v is not None else 0) for v, t in zip(row, types) if t != "double")
    approx = tuple((v is None, float("%.9g" % v) if v is not None else 0.0)
                   for v, t in zip(row, types) if t == "double")
    return exact + approx


def cmp_key(a, b):
    """Order of two of ria's values with NULLs last."""
    if a is None or b is None:
        return (a is None) - (b is None)
    return (a > b) - (a < b)


def check_sorted(rows, keys, types):
    for n in range(1, len(rows)):
        for i, desc in keys:
            c = cmp_key(rows[n - 1][i], rows[n][i])
            if c != 0 and desc and rows[n - 1][i] is not None and rows[n][i] is not None:
                c = -c
            if c < 0:
                break
            if c > 0:
                return n
    return None


def compare(q, got, want):
    """None when ria's rows match sqlite's, else what differs."""
    if len(got) != len(want):
        return "row count: ria %d, sqlite %d" % (len(got), len(want))
    if q.ordered:
        for n, (a, b) in enumerate(zip(got, want)):
            if not same_row(a, b, q.types):
                return "row %d differs (rows compared in order)" % (n + 1)
        return None
    if q.sort_keys:
        n = check_sorted(got, q.sort_keys, q.types)
        if n is not None:
            return "ria's rows %d and %d are out of ORDER BY order" % (n, n + 1)
    a = sorted(got, key=lambda r: sort_key(r, q.types))
    b = sorted(want, key=lambda r: sort_key(r, q.types))
    for n, (x, y) in enumerate(zip(a, b)):
        if not same_row(x, y, q.types):
            return "rows differ as multisets (first difference after sorting: %s vs %s)" % (
                show_row(x), show_row(y))
    return None


def same_output(q, a, b):
    """Whether two ria outputs of one query are identical: row for row when
    the query orders every column, else as multisets."""
    if a["columns"] != b["columns"]:
        return False
    if q.ordered:
        return a["rows"] == b["rows"]
    key = lambda r: json.dumps(r, default=str)
    return sorted(a["rows"], key=key) == sorted(b["rows"], key=key)


def show_value(v):
    if v is None:
        return "NULL"
    if isinstance(v, Decimal):
        return format(v, "f")
    if isinstance(v, float):
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v)
    return str(v)


def show_row(r):
    return "[" + ", ".join(show_value(v) for v in r) + "]"


def parse_args(argv):
    ap = argparse.ArgumentParser(description="Differential test of `ria sql` against sqlite3.")
    ap.add_argument("--ria", default=os.environ.get("RIA_BIN", "./ria"), help="the ria binary (default $RIA_BIN)")
    ap.add_argument("--queries", type=int, default=2000, help="queries to generate (default 2000)")
    ap.add_argument("--seed", type=int, default=1, help="seed of the data and the queries (default 1)")
    ap.add_argument("--rows", type=int, default=50000, help="rows to generate (default 50000)")
    ap.add_argument("--dirty", type=float, default=0.02, help="ria gen --dirty rate (default 0.02)")
    ap.add_argument("--start", default="2022-03-15",
                    help="first order date of the data, YYYY-MM-DD (default 2022-03-15: not the "
                         "start of a month, quarter or year)")
    ap.add_argument("--blanks", type=float, default=0.01,
                    help="extra fraction of fields blanked before loading (default 0.01)")
    ap.add_argument("--only", type=int, action="append", default=[],
                    help="run only query K (repeatable); prints it and both results")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2, help="sqlite worker processes")
    ap.add_argument("--max-failures", type=int, default=10, help="failures shown in full (default 10)")
    ap.add_argument("--keep", metavar="DIR", help="build the data in DIR and keep it")
    ap.add_argument("--timing", action="store_true", help="list the slowest queries of each engine")
    ap.add_argument("--print", action="store_true", help="print every query (ria and sqlite text)")
    return ap.parse_args(argv)


def main(argv):
    opts = parse_args(argv)
    if sqlite3.sqlite_version_info < (3, 39, 0):
        die("sqlite %s is too old: the translation needs 3.39 or later (NULLS LAST, HAVING "
            "without GROUP BY)" % sqlite3.sqlite_version)
    if not shutil.which(opts.ria) and not os.access(opts.ria, os.X_OK):
        die("ria binary not found: %s (set RIA_BIN or pass --ria)" % opts.ria)
    opts.ria = os.path.abspath(opts.ria) if os.path.exists(opts.ria) else opts.ria
    t0 = time.time()
    if opts.keep:
        work = opts.keep
        if os.path.exists(work):
            shutil.rmtree(work)
        os.makedirs(work)
    else:
        work = tempfile.mkdtemp(prefix="sqldiff.")
    try:
        return run_all(opts, work, t0)
    finally:
        if not opts.keep:
            shutil.rmtree(work, ignore_errors=True)


def run_all(opts, work, t0):
    global _QUERIES
    store, schema, exports = prepare_store(opts, work)
    db_path = os.path.join(work, "sqlite.db")
    load_sqlite(db_path, schema, exports)
    db = open_sqlite(db_path)
    ctx = Ctx(schema, db, opts.seed)
    db.close()
    t_data = time.time() - t0

    nums = opts.only or list(range(1, opts.queries + 1))
    queries = {k: make_query(ctx, opts.seed, k) for k in nums}
    for k, q in queries.items():
        if "\n" in q.ria:
            die("query %d spans lines" % k)
        if opts.print:
            print("-- %d\n%s\n%s" % (k, q.ria, q.lite))
    t1 = time.time()
    texts = [queries[k].ria for k in nums]
    outs = {False: [], True: []}
    threads = [threading.Thread(target=run_ria, args=(opts, store, texts, work, nv, outs[nv]))
               for nv in (False, True)]
    _QUERIES = queries
    results, lite_secs = {}, {}
    jobs = max(1, min(opts.jobs, len(nums)))
    if jobs == 1:
        for t in threads:
            t.start()
        _worker_init(db_path)
        for k in nums:
            kk, rows, err, secs = _sqlite_run(k)
            results[kk] = (rows, err)
            lite_secs[kk] = secs
    else:
        # the workers are forked before the ria threads start
        with multiprocessing.get_context("fork").Pool(jobs, _worker_init, (db_path,)) as pool:
            for t in threads:
                t.start()
            for kk, rows, err, secs in pool.imap_unordered(_sqlite_run, nums, chunksize=8):
                results[kk] = (rows, err)
                lite_secs[kk] = secs
    for t in threads:
        t.join()
    for nv in (False, True):
        bad = [x for x in outs[nv] if isinstance(x, Exception)]
        if bad:
            die(str(bad[0]))
        if len(outs[nv]) != len(nums):
            die("ria sql --batch%s gave %d results for %d queries" % (
                " --no-views" if nv else "", len(outs[nv]), len(nums)))
    t_run = time.time() - t1

    failures = 0
    viewed = 0
    for n, k in enumerate(nums):
        q = queries[k]
        outs_k = []
        for nv in (False, True):
            try:
                outs_k.append(json.loads(outs[nv][n], parse_float=Decimal))
            except ValueError as e:
                outs_k.append({"error": "ria printed a line that is not JSON (%s): %s" % (
                    e, outs[nv][n][:300])})
        jv, jb = outs_k
        if jv.get("stats", {}).get("view"):
            viewed += 1
        want, serr = results[k]
        blocks = []
        if "error" in jv or "error" in jb:
            crashed = jv.get("crash") or jb.get("crash")
            problem = "ria %s: %s" % ("crashed" if crashed else "refused the query",
                                      jv.get("error") or jb.get("error"))
            if "error" in jv and "error" not in jb:
                problem += " (only with views)"
            elif "error" in jb and "error" not in jv:
                problem += " (only with --no-views)"
        elif serr:
            problem = serr
            blocks.append(("ria", jv["rows"]))
        else:
            pv, got = check(q, jv, want)
            if not same_output(q, jv, jb):
                pb, got_b = check(q, jb, want)
                problem = "ria with views and with --no-views differ (views: %s; --no-views: %s)" % (
                    pv or "agrees with sqlite", pb or "agrees with sqlite")
                blocks.append(("ria", got))
                blocks.append(("ria --no-views", got_b))
            else:
                problem = pv
                blocks.append(("ria", got))
        if want is not None:
            blocks.append(("sqlite", want))
        if problem:
            failures += 1
            report(opts, k, q, "FAIL query %d: %s" % (k, problem), blocks,
                   failures <= opts.max_failures)
        elif opts.only:
            report(opts, k, q, "query %d: agree" % k, blocks, True)
    if opts.timing:
        ria_ms = {}
        for n, k in enumerate(nums):
            for nv in (False, True):
                try:
                    ria_ms[(k, nv)] = float(json.loads(outs[nv][n]).get("median_ms", 0))
                except ValueError:
                    pass
        print("slowest in sqlite:")
        for k in sorted(lite_secs, key=lite_secs.get, reverse=True)[:12]:
            print("  %7.1f ms  query %d: %s" % (lite_secs[k] * 1e3, k, queries[k].lite[:300]))
        print("slowest in ria:")
        for (k, nv) in sorted(ria_ms, key=ria_ms.get, reverse=True)[:12]:
            print("  %7.1f ms  query %d%s: %s" % (ria_ms[(k, nv)], k, " (no views)" if nv else "",
                                                 queries[k].ria[:300]))
        print("sqlite total %.1fs, ria total %.1fs" % (sum(lite_secs.values()),
                                                       sum(ria_ms.values()) / 1e3))
    total = time.time() - t0
    print("sqldiff: seed %d, %d rows, %d queries: %d failed; %d answered from views; "
          "data %.1fs, queries %.1fs, total %.1fs" % (
              opts.seed, opts.rows, len(nums), failures, viewed, t_data, t_run, total))
    return 1 if failures else 0


def check(q, j, want):
    """Compares one ria output with sqlite's rows: (problem or None, ria's
    rows as compared)."""
    types = [c["type"] for c in j["columns"]]
    if types != q.types:
        return "column types: ria %s, expected %s" % (types, q.types), j["rows"]
    try:
        got = [[canon_ria(v, t) for v, t in zip(r, q.types)] for r in j["rows"]]
    except (ValueError, ArithmeticError) as e:
        return "ria value: %s" % e, j["rows"]
    return compare(q, got, want), got


def report(opts, k, q, headline, blocks, full):
    """Prints a failure (or, with --only, an agreement): the headline, then
    when full the way to replay it, both SQL texts and the results."""
    print(headline)
    if not full:
        return
    print("  reproduce: python3 %s --ria %s --seed %d --rows %d --start %s --dirty %g --blanks %g "
          "--only %d" % (os.path.relpath(os.path.abspath(__file__)), opts.ria, opts.seed, opts.rows,
                         opts.start, opts.dirty, opts.blanks, k))
    print("  ria SQL:    " + q.ria)
    print("  sqlite SQL: " + q.lite)
    print("  expected types: %s; %s" % (", ".join(q.types),
                                       "compared in order" if q.ordered else "compared as multisets"))
    lim = 25
    for label, rows in blocks:
        print("  %s (%d rows):" % (label, len(rows)))
        for r in rows[:lim]:
            print("    " + show_row(r))
        if not rows:
            print("    (no rows)")
        elif len(rows) > lim:
            print("    ... %d more" % (len(rows) - lim))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
