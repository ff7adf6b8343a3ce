#!/usr/bin/env python3
"""Independent check of `ria ingest` on `ria gen` output.

Re-implements the quality rules of docs/INGEST.md for the generator's column
layout with Python's csv and decimal modules (no code shared with ria), then
compares, as multisets, the rows ria exported with the rows this script
accepted, and the per-rule counts of ria's report with this script's counts
and with the generator's truth file.

usage: ingest_check.py SOURCE.csv EXPORT.csv REPORT.json TRUTH.json
"""
import collections
import csv
import datetime
import json
import sys
from decimal import Decimal, InvalidOperation, ROUND_HALF_UP

from checklib import STATE_CODES, STATES, finite_decimal


def money(text):
    """Decimal of a decorated number, or None when blank; raises ValueError."""
    t = text.strip()
    if not t:
        return None
    neg = t.startswith("-")
    t = t.lstrip("-").replace("$", "").replace(",", "").strip()
    if t.startswith("-"):
        neg, t = True, t[1:]
    v = finite_decimal(t, text)
    return -v if neg else v


def parse_ts(text):
    return datetime.datetime.strptime(text.strip(), "%Y-%m-%d %H:%M:%S")


def parse_day(text):
    return datetime.datetime.strptime(text.strip(), "%Y-%m-%d").date()


def clean(row):
    """(reject rule, None, []) or (None, normalized tuple, [fix/flag rules])."""
    if len(row) != 19:
        return "field_count", None, []
    (oid, od, sd, status, chan, cat, sub, sku, qty, price, disc, amt, cost, cust, seg, city,
     state, region, country) = [f.strip() for f in row]
    hits = []
    if not oid:
        return "missing_order_id", None, []
    if not od:
        return "missing_date", None, []
    try:
        ots = parse_ts(od)
    except ValueError:
        return "bad_date", None, []
    ship = None
    ship_before = False
    if sd:
        try:
            ship = parse_day(sd)
            ship_before = ship < ots.date()
        except ValueError:
            hits.append("bad_ship_date")
    try:
        a = money(amt)
    except ValueError:
        return "bad_amount", None, []
    if a is not None and a < 0:
        return "negative_amount", None, []
    if not qty:
        q = 1
        hits.append("missing_quantity")
    else:
        try:
            qd = Decimal(qty)
            if qd != qd.to_integral_value():
                raise InvalidOperation
            q = int(qd)
        except (InvalidOperation, ValueError):
            return "bad_quantity", None, []
        if q < 0:
            return "negative_quantity", None, []
    try:
        p = money(price)
        c = money(cost)
    except ValueError:
        return "bad_number", None, []
    if (p is not None and p < 0) or (c is not None and c < 0):
        return "negative_price", None, []
    d = None
    if disc:
        try:
            if disc.endswith("%"):
                d = Decimal(disc[:-1].strip()) / 100
                hits.append("discount_percent")
            else:
                d = Decimal(disc)
        except InvalidOperation:
            return "bad_number", None, []
        if d < 0 or d > 1:
            return "bad_discount", None, []
    if ship_before:
        return "ship_before_order", None, []
    if not cat:
        cat = "Unknown"
        hits.append("missing_category")
    if state.upper() not in STATE_CODES:
        code = STATES.get(state.lower())
        if code:
            state = code
            hits.append("state_name")
        else:
            hits.append("unknown_state")
    if a is None:
        a = (q * p * (1 - (d or 0))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        hits.append("derived_amount")
    if a > 100000:
        hits.append("amount_above_ceiling")
    key = (oid, ots.strftime("%Y-%m-%d %H:%M:%S"), ship.isoformat() if ship else "", status,
           chan, cat, sub, sku, str(q), norm(p), norm(d), norm(a), norm(c), cust, seg, city, state,
           region, country)
    return None, key, hits


def norm(v):
    if v is None:
        return ""
    v = Decimal(v).quantize(Decimal("0.0001"))
    s = format(v, "f").rstrip("0").rstrip(".")
    return "0" if s in ("", "-0") else s


def main():
    src, export, report_path, truth_path = sys.argv[1:5]
    counts = collections.Counter()
    accepted = collections.Counter()
    read = 0
    latest = None
    with open(src, newline="", encoding="utf-8") as f:
        r = csv.reader(f)
        next(r)
        for row in r:
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            read += 1
            rule, key, hits = clean(row)
            if rule:
                counts[rule] += 1
                continue
            if key in accepted:
                counts["duplicate"] += 1
                accepted[key] += 1
                continue
            accepted[key] = 1
            for h in hits:
                counts[h] += 1
            ts = datetime.datetime.strptime(key[1], "%Y-%m-%d %H:%M:%S")
            latest = ts if latest is None or ts > latest else latest
    # old_date: more than 10 years before the latest order date
    day = 28 if (latest.month, latest.day) == (2, 29) else latest.day
    cut = datetime.datetime(latest.year - 10, latest.month, day)
    for key in accepted:
        if datetime.datetime.strptime(key[1], "%Y-%m-%d %H:%M:%S") < cut:
            counts["old_date"] += 1
    expected_rows = collections.Counter({k: 1 for k in accepted})

    got = collections.Counter()
    with open(export, newline="", encoding="utf-8") as f:
        r = csv.reader(f)
        header = next(r)
        assert len(header) == 19, header
        for row in r:
            got[tuple(row[:8]) + (row[8],) + tuple(norm(money(x)) for x in row[9:13]) +
                tuple(row[13:])] += 1
    exp_norm = collections.Counter()
    for k, n in expected_rows.items():
        exp_norm[k[:8] + (k[8],) + tuple(norm(money(x)) if x else "" for x in k[9:13]) + k[13:]] += n

    report = json.load(open(report_path))
    truth = json.load(open(truth_path))
    problems = []
    if got != exp_norm:
        missing = exp_norm - got
        extra = got - exp_norm
        problems.append("stored rows differ: %d missing, %d unexpected; e.g. missing %s, extra %s"
                        % (sum(missing.values()), sum(extra.values()),
                           next(iter(missing), None), next(iter(extra), None)))
    rules = {k: v["count"] for k, v in report["rules"].items()}
    mine = {k: v for k, v in counts.items() if k != "duplicate"}
    if rules != mine:
        problems.append("rule counts differ from this script: ria %s, script %s" % (rules, mine))
    if report["duplicates"] != counts["duplicate"]:
        problems.append("duplicates: ria %d, script %d" % (report["duplicates"], counts["duplicate"]))
    for k, v in truth["defects"].items():
        if rules.get(k, 0) != v:
            problems.append("rule %s: ria %d, generator injected %d" % (k, rules.get(k, 0), v))
    if report["duplicates"] != truth["duplicates"]:
        problems.append("duplicates: ria %d, generator %d" % (report["duplicates"], truth["duplicates"]))
    if report["rows_read"] != read or not report["reconciled"]:
        problems.append("rows read %d (script %d), reconciled %s" % (report["rows_read"], read,
                                                                     report["reconciled"]))
    total = sum(Decimal(k[11]) for k in accepted)
    if total != Decimal(truth["accepted_amount"]):
        problems.append("accepted amount: script %s, generator %s" % (total, truth["accepted_amount"]))
    if problems:
        print("\n".join(problems))
        sys.exit(1)
    print("ok: %d rows read, %d stored rows match, %d rules match, amount %s"
          % (read, sum(got.values()), len(rules), total))


if __name__ == "__main__":
    main()
