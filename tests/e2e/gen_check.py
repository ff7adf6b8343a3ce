#!/usr/bin/env python3
"""gen_check.py — an independent check of `ria gen` output (stdlib only).

Reads the CSV and its truth JSON, classifies every row's defect from the text
alone, and requires the counts and the accepted totals to equal the truth.
Clean rows must be well formed with amount = quantity x price x (1 - discount)
to the cent.  The category, state and status mixes must match the weights of
the reference generator (bench/gen_sales.py), and, given a CSV made by the
reference (--ref-csv), the other distributions must match it too.

usage: gen_check.py SALES.csv TRUTH.json --reference gen_sales.py
                    [--ref-csv REF.csv] [--start 2022-01-01] [--years 3]
Exit status 0 when everything holds; otherwise each failure is printed.
"""
import argparse
import collections
import csv
import datetime
import importlib.util
import json
import re
import sys
from decimal import Decimal, ROUND_HALF_UP

REJECT = ["missing_order_id", "bad_date", "bad_amount", "negative_amount", "negative_quantity",
          "bad_quantity", "ship_before_order", "field_count"]
FLAG = ["amount_above_ceiling", "unknown_state", "old_date"]
FIX = ["missing_category", "missing_quantity", "derived_amount", "state_name",
       "discount_percent", "bad_ship_date"]
COLUMNS = ("order_id,order_date,ship_date,status,channel,category,sub_category,sku,quantity,"
           "unit_price,discount,amount,cost,customer_id,segment,city,state,region,country").split(",")
MONEY = re.compile(r"^\$?(\d{1,3}(,\d{3})+|\d+)\.\d\d$")
CEILING = Decimal("100000")

failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL " + msg)


TS = re.compile(r"^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)$")
DAY = re.compile(r"^(\d{4})-(\d\d)-(\d\d)$")


def parse_ts(s):
    m = TS.match(s)
    try:
        return datetime.datetime(*map(int, m.groups())) if m else None
    except ValueError:
        return None


def parse_day(s):
    m = DAY.match(s)
    try:
        return datetime.date(*map(int, m.groups())) if m else None
    except ValueError:
        return None


def parse_money(s):
    if not MONEY.match(s):
        return None
    return Decimal(s.replace("$", "").replace(",", ""))


def classify(f, start):
    """The defect names a row shows, judged from its text."""
    if len(f) != len(COLUMNS):
        return ["field_count" if len(f) == len(COLUMNS) - 1 else "unexpected_field_count"]
    r = dict(zip(COLUMNS, f))
    kinds = []
    if not r["order_id"]:
        kinds.append("missing_order_id")
    od = parse_ts(r["order_date"])
    if od is None:
        kinds.append("bad_date")
    elif od.date() < start:
        kinds.append("old_date")
    amount = r["amount"]
    if amount == "":
        kinds.append("derived_amount")
    elif amount.startswith("-"):
        kinds.append("negative_amount")
    elif parse_money(amount) is None:
        kinds.append("bad_amount")
    elif parse_money(amount) >= CEILING:
        kinds.append("amount_above_ceiling")
    qty = r["quantity"]
    if qty == "":
        kinds.append("missing_quantity")
    elif qty.startswith("-"):
        kinds.append("negative_quantity")
    elif not qty.isdigit():
        kinds.append("bad_quantity")
    if r["ship_date"]:
        ship = parse_day(r["ship_date"])
        if ship is None:
            kinds.append("bad_ship_date")
        elif od is not None and ship < od.date():
            kinds.append("ship_before_order")
    if r["state"] == "ZZ":
        kinds.append("unknown_state")
    elif len(r["state"]) > 2:
        kinds.append("state_name")
    if r["discount"].endswith("%"):
        kinds.append("discount_percent")
    if r["category"] == "":
        kinds.append("missing_category")
    return kinds


def line_amount(r):
    """The amount ingest keeps: written, or derived to the cent when blank."""
    if r["amount"]:
        return parse_money(r["amount"])
    qty = Decimal(r["quantity"] or 1)
    disc = Decimal(r["discount"].rstrip("%")) / (100 if r["discount"].endswith("%") else 1)
    return (qty * Decimal(r["unit_price"]) * (1 - disc)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def check_clean(r, start, years, lineno):
    od = parse_ts(r["order_date"])
    if not re.match(r"^ORD-\d{4}-\d{9,}$", r["order_id"]) or r["order_id"][4:8] != r["order_date"][:4]:
        return "order id %r" % r["order_id"]
    if od is None or not (start <= od.date() < start + datetime.timedelta(days=365 * years)):
        return "order date %r" % r["order_date"]
    ships = r["status"] not in ("Pending", "Cancelled")
    if ships != bool(r["ship_date"]):
        return "ship date presence for %s" % r["status"]
    if ships and not (0 <= (parse_day(r["ship_date"]) - od.date()).days <= 6):
        return "ship lag"
    if not re.match(r"^[A-Z]{3}-[A-Z]{3}-\d{4}$", r["sku"]) or \
            r["sku"][:3] != r["category"][:3].upper() or r["sku"][4:7] != r["sub_category"][:3].upper():
        return "sku %r" % r["sku"]
    if not re.match(r"^C\d{7,}$", r["customer_id"]):
        return "customer %r" % r["customer_id"]
    qty, price, disc = int(r["quantity"]), Decimal(r["unit_price"]), Decimal(r["discount"])
    amount, cost = parse_money(r["amount"]), Decimal(r["cost"])
    want = (qty * price * (1 - disc)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    if amount != want:
        return "amount %s != %s x %s x (1 - %s)" % (amount, qty, price, disc)
    if not (0 < cost < amount):
        return "cost %s outside (0, %s)" % (cost, amount)
    if r["country"] != "US" or len(r["state"]) != 2:
        return "state or country"
    return None


def read_rows(path):
    """(raw line, fields) for each data row; checks the header."""
    with open(path, newline="") as fh:
        header = fh.readline().rstrip("\n")
        if header.split(",") != COLUMNS:
            fail("header is %r" % header)
        for raw in fh:
            raw = raw.rstrip("\n")
            yield raw, next(csv.reader([raw]))


def scan(path, start, years):
    seen = set()
    found = collections.Counter()
    acc = {"rows": 0, "amount": Decimal(0), "quantity": 0}
    clean = []
    order_ids = []  # of every row but duplicates, for the lines-per-order mix
    problems = 0
    for lineno, (raw, f) in enumerate(read_rows(path), start=2):
        found["rows"] += 1
        if raw in seen:
            found["duplicate"] += 1
            continue
        seen.add(raw)
        if f and f[0]:
            order_ids.append(f[0])
        kinds = classify(f, start)
        if len(kinds) > 1 or kinds == ["unexpected_field_count"]:
            problems += 1
            if problems <= 5:
                fail("line %d shows %s" % (lineno, kinds))
            continue
        r = dict(zip(COLUMNS, f))
        if not kinds:
            found["clean"] += 1
            found["currency_amounts"] += r["amount"].startswith("$")
            found["quoted_cities"] += ',"%s",' % r["city"] in raw
            why = check_clean(r, start, years, lineno)
            if why:
                problems += 1
                if problems <= 5:
                    fail("line %d: %s: %s" % (lineno, why, raw))
            clean.append(r)
        else:
            found[kinds[0]] += 1
        if not kinds or kinds[0] in FLAG or kinds[0] in FIX:
            acc["rows"] += 1
            acc["amount"] += line_amount(r)
            acc["quantity"] += int(r["quantity"] or 1)
    return found, acc, clean, order_ids


def compare_truth(found, acc, truth):
    def same(what, got, want):
        if got != want:
            fail("%s: found %s in the file, truth says %s" % (what, got, want))
    same("rows", found["rows"], truth["rows"])
    same("clean rows", found["clean"], truth["clean_rows"])
    same("duplicates", found["duplicate"], truth["duplicates"])
    for name in REJECT + FLAG + FIX:
        same(name, found[name], truth["defects"].get(name))
        if truth["dirty"] > 0 and found[name] == 0:
            fail("no %s rows at all" % name)
    if set(truth["defects"]) != set(REJECT + FLAG + FIX):
        fail("truth defect names %s" % sorted(truth["defects"]))
    same("rejected", sum(found[n] for n in REJECT), truth["rejected"])
    same("flagged", sum(found[n] for n in FLAG), truth["flagged"])
    same("fixed", sum(found[n] for n in FIX), truth["fixed"])
    same("accepted rows", acc["rows"], truth["accepted_rows"])
    same("accepted amount", "%.2f" % acc["amount"], truth["accepted_amount"])
    same("accepted quantity", acc["quantity"], truth["accepted_quantity"])
    same("currency amounts", found["currency_amounts"], truth["currency_amounts"])
    same("quoted cities", found["quoted_cities"], truth["quoted_cities"])
    dirty = 1 - truth["clean_rows"] / truth["rows"]
    if abs(dirty - truth["dirty"]) > 0.1 * truth["dirty"] + 0.002:
        fail("dirty fraction %.4f, asked for %s" % (dirty, truth["dirty"]))


def shares(rows, key):
    c = collections.Counter(key(r) for r in rows)
    n = sum(c.values())
    return {k: v / n for k, v in c.items()}


def close_shares(what, got, want, tol_abs=0.005, tol_rel=0.03):
    for k in set(got) | set(want):
        g, w = got.get(k, 0.0), want.get(k, 0.0)
        if abs(g - w) > tol_abs + tol_rel * w:
            fail("%s %r: %.4f, expected %.4f" % (what, k, g, w))


def load_reference(path):
    spec = importlib.util.spec_from_file_location("gen_sales", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def check_weights(clean, ref):
    def norm(pairs):
        tot = sum(w for _, w in pairs)
        return {k: w / tot for k, w in pairs}
    close_shares("category", shares(clean, lambda r: r["category"]),
                 norm([(c[0], c[1]) for c in ref.CATS]))
    close_shares("state", shares(clean, lambda r: r["state"]), norm([(s[0], s[2]) for s in ref.STATES]))
    close_shares("status", shares(clean, lambda r: r["status"]), norm(ref.STATUS))
    close_shares("channel", shares(clean, lambda r: r["channel"]), norm(ref.CHANNELS))
    close_shares("segment", shares(clean, lambda r: r["segment"]), norm(ref.SEGMENTS))
    regions = {s[0]: s[1] for s in ref.STATES}
    cities = {s[0]: set(s[3]) for s in ref.STATES}
    subs = {c[0]: set(c[2]) for c in ref.CATS}
    prices = {c[0]: c[3] for c in ref.CATS}
    for r in clean:
        if regions.get(r["state"]) != r["region"] or r["city"] not in cities.get(r["state"], ()):
            return fail("state/city/region %s/%s/%s" % (r["state"], r["city"], r["region"]))
        if r["sub_category"] not in subs.get(r["category"], ()):
            return fail("category/sub-category %s/%s" % (r["category"], r["sub_category"]))
        lo, hi = prices[r["category"]]
        if not (lo <= float(r["unit_price"]) <= hi):
            return fail("price %s outside %s..%s for %s" % (r["unit_price"], lo, hi, r["category"]))


def profile(rows, order_ids, last_year):
    """Distribution summaries compared between the two generators."""
    p = {}
    when = {id(r): parse_ts(r["order_date"]) for r in rows}
    day = lambda r: when[id(r)]
    years = collections.Counter(day(r).year for r in rows)
    p["month Nov-Dec"] = sum(day(r).month >= 11 for r in rows) / len(rows)
    p["weekend"] = sum(day(r).weekday() >= 5 for r in rows) / len(rows)
    for y, n in years.items():
        p["year %d" % y] = n / len(rows)
    lines = collections.Counter(collections.Counter(order_ids).values())
    orders = sum(lines.values())
    for k in (1, 2, 3):
        p["orders with %d lines" % k] = lines.get(k, 0) / orders
    p["quantity 1"] = sum(r["quantity"] == "1" for r in rows) / len(rows)
    for d in ("0.00", "0.05", "0.10", "0.15", "0.20"):
        p["discount " + d] = sum(r["discount"] == d for r in rows) / len(rows)
    means = {}
    means["quantity"] = sum(int(r["quantity"]) for r in rows) / len(rows)
    shipped = [r for r in rows if r["ship_date"]]
    means["ship lag"] = sum((parse_day(r["ship_date"]) - day(r).date()).days for r in shipped) / len(shipped)
    for cat in sorted({r["category"] for r in rows}):
        sel = [r for r in rows if r["category"] == cat]
        means["price " + cat] = sum(float(r["unit_price"]) for r in sel) / len(sel)
        for late in (False, True):
            m = [1 - float(r["cost"]) / float(parse_money(r["amount"])) for r in sel
                 if (day(r).year >= last_year) == late]
            if m:
                means["margin %s %s" % (cat, "last year" if late else "before")] = sum(m) / len(m)
    return p, means


def compare_profiles(ours, theirs):
    (p1, m1), (p2, m2) = ours, theirs
    close_shares("share of", p1, p2, tol_abs=0.006, tol_rel=0.03)
    for k in set(m1) | set(m2):
        a, b = m1.get(k), m2.get(k)
        if a is None or b is None or abs(a - b) > 0.05 * abs(b):
            fail("mean %s: %s, reference %s" % (k, a, b))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("csv")
    ap.add_argument("truth")
    ap.add_argument("--reference", required=True, help="path of bench/gen_sales.py")
    ap.add_argument("--ref-csv", help="a CSV made by the reference generator, same start/years")
    ap.add_argument("--start", default="2022-01-01")
    ap.add_argument("--years", type=int, default=3)
    a = ap.parse_args()
    start = datetime.date.fromisoformat(a.start)
    with open(a.truth) as fh:
        truth = json.load(fh)
    found, acc, clean, order_ids = scan(a.csv, start, a.years)
    compare_truth(found, acc, truth)
    ref = load_reference(a.reference)
    check_weights(clean, ref)
    if a.ref_csv:
        theirs = [dict(zip(COLUMNS, f)) for _, f in read_rows(a.ref_csv)]
        last = start.year + a.years - 1
        compare_profiles(profile(clean, order_ids, last),
                         profile(theirs, [r["order_id"] for r in theirs], last))
    counts = ", ".join("%s=%d" % (k, found[k]) for k in REJECT + FLAG + FIX + ["duplicate"])
    print("rows=%d clean=%d %s" % (found["rows"], found["clean"], counts))
    print("accepted rows=%d amount=%.2f quantity=%d" % (acc["rows"], acc["amount"], acc["quantity"]))
    if failures:
        print("%d check(s) failed" % len(failures))
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
