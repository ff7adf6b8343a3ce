#!/usr/bin/env python3
"""Independent check of `ria ingest` on the retail-export fixtures.

Reads a fixture CSV with Python's csv and decimal modules (no code shared with
ria), works out what a load must produce from SEMANTICS.md and the quality
rules of src/ingest/ingest.h, and compares it with what ria reported
(`ingest --json`), described (`info --json`), stored (`export`) and
quarantined.  The generator's sidecar (NAME.expect.json) is checked against
the fixture text too, so a stale or miswritten fixture is caught.

usage: fixtures_check.py NAME FIXTURE.csv EXPECT.json REPORT.json INFO.json EXPORT.csv STORE_DIR
"""
import collections
import csv
import datetime
import json
import os
import re
import sys
from decimal import Decimal, InvalidOperation, ROUND_HALF_UP

from checklib import STATE_CODES, STATES, finite_decimal

CEILING = Decimal(100000)

# The expected table per fixture: (source header, column name, label, role, type).
# Header None = a derived column.  Headers not listed must be ignored.
SCHEMAS = {
    "superstore": [
        ("Row ID", "line_id", "Row ID", "line_id", "int"),
        ("Order ID", "order_id", "Order ID", "order_id", "text"),
        ("Order Date", "order_date", "Order Date", "order_date", "timestamp"),
        ("Ship Date", "ship_date", "Ship Date", "ship_date", "date"),
        ("Ship Mode", "ship_mode", "Ship Mode", "", "text"),
        ("Customer ID", "customer_id", "Customer ID", "customer_id", "text"),
        ("Customer Name", "customer_name", "Customer Name", "", "text"),
        ("Segment", "segment", "Segment", "segment", "text"),
        ("Country", "country", "Country", "country", "text"),
        ("City", "city", "City", "city", "text"),
        ("State", "state", "State", "state", "text"),
        ("Postal Code", "postal_code", "Postal Code", "postal_code", "text"),
        ("Region", "region", "Region", "region", "text"),
        ("Product ID", "sku", "Product ID", "sku", "text"),
        ("Category", "category", "Category", "category", "text"),
        ("Sub-Category", "sub_category", "Sub-Category", "sub_category", "text"),
        ("Product Name", "product_name", "Product Name", "product_name", "text"),
        ("Sales", "amount", "Sales", "amount", "decimal"),
        ("Quantity", "quantity", "Quantity", "quantity", "int"),
        ("Discount", "discount", "Discount", "discount", "decimal"),
        ("Profit", "profit", "Profit", "profit", "decimal"),
    ],
    "amazon": [
        ("index", "line_id", "index", "line_id", "int"),
        ("Order ID", "order_id", "Order ID", "order_id", "text"),
        ("Date", "order_date", "Date", "order_date", "timestamp"),
        ("Status", "status", "Status", "status", "text"),
        ("Fulfilment", "fulfilment", "Fulfilment", "", "text"),
        ("Sales Channel ", "channel", "Sales Channel", "channel", "text"),
        ("ship-service-level", "ship_service_level", "ship-service-level", "", "text"),
        ("Style", "style", "Style", "", "text"),
        ("SKU", "sku", "SKU", "sku", "text"),
        ("Category", "category", "Category", "category", "text"),
        ("Size", "size", "Size", "", "text"),
        ("ASIN", "asin", "ASIN", "", "text"),
        ("Courier Status", "courier_status", "Courier Status", "", "text"),
        ("Qty", "quantity", "Qty", "quantity", "int"),
        ("currency", "currency", "currency", "currency", "text"),
        ("Amount", "amount", "Amount", "amount", "decimal"),
        ("ship-city", "city", "ship-city", "city", "text"),
        ("ship-state", "state", "ship-state", "state", "text"),
        ("ship-postal-code", "postal_code", "ship-postal-code", "postal_code", "text"),
        ("ship-country", "country", "ship-country", "country", "text"),
        ("promotion-ids", "promotion_ids", "promotion-ids", "", "text"),
        ("B2B", "b2b", "B2B", "", "text"),
        ("fulfilled-by", "fulfilled_by", "fulfilled-by", "", "text"),
    ],
    "online_retail": [
        ("InvoiceNo", "order_id", "InvoiceNo", "order_id", "text"),
        ("StockCode", "sku", "StockCode", "sku", "text"),
        ("Description", "product_name", "Description", "product_name", "text"),
        ("Quantity", "quantity", "Quantity", "quantity", "int"),
        ("InvoiceDate", "order_date", "InvoiceDate", "order_date", "timestamp"),
        ("UnitPrice", "unit_price", "UnitPrice", "unit_price", "decimal"),
        ("CustomerID", "customer_id", "CustomerID", "customer_id", "text"),
        ("Country", "country", "Country", "country", "text"),
        (None, "amount", "amount (derived)", "amount", "decimal"),
    ],
}
IGNORED = {"superstore": [], "amazon": ["Unnamed: 22"], "online_retail": []}
# The order-date layout each export uses, and the one a wrong guess would pick.
DATE_FORMATS = {"superstore": "M/D/YYYY", "amazon": "MM-DD-YY", "online_retail": "M/D/YYYY"}
RIVAL_FORMATS = {"M/D/YYYY": "D/M/YYYY", "MM-DD-YY": "DD-MM-YY"}
US_DATA = {"superstore": True, "amazon": False, "online_retail": False}

problems = []


def problem(msg):
    problems.append(msg)


def same(what, got, want):
    if got != want:
        problem("%s: ria %r, expected %r" % (what, got, want))


# ------------------------------------------------------------------ reading

def read_fixture(path):
    """(header, records): each record is (line, fields, raw text, converted).
    Every physical line is decoded on its own: UTF-8, else Windows-1252."""
    with open(path, "rb") as f:
        data = f.read()
    lines, converted = [], []
    for raw in data.split(b"\n"):
        try:
            text = raw.decode("utf-8")
            converted.append(False)
        except UnicodeDecodeError:
            text = raw.decode("cp1252")
            converted.append(True)
        lines.append(text + "\n")
    if lines and lines[-1] == "\n":
        lines.pop()  # the text after the final LF
    reader = csv.reader(iter(lines))
    records = []
    prev = 0
    for fields in reader:
        start = prev + 1
        prev = reader.line_num
        if not fields:
            continue
        raw = "".join(lines[start - 1:prev]).rstrip("\n")
        raw = raw[:-1] if raw.endswith("\r") else raw
        records.append((start, fields, raw, any(converted[start - 1:prev])))
    return records[0][1], records[1:]


def read_export(path):
    with open(path, newline="", encoding="utf-8") as f:
        r = csv.reader(f)
        header = next(r)
        return header, [dict(zip(header, row)) for row in r]


# ------------------------------------------------------------------- values

DATE_RE = {
    "M/D/YYYY": (re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})(?: (\d{1,2}):(\d{2})(?::(\d{2}))?)?$"), "mdy"),
    "D/M/YYYY": (re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})(?: (\d{1,2}):(\d{2})(?::(\d{2}))?)?$"), "dmy"),
    "MM-DD-YY": (re.compile(r"^(\d{1,2})-(\d{1,2})-(\d{2}|\d{4})()()()$"), "mdy"),
    "DD-MM-YY": (re.compile(r"^(\d{1,2})-(\d{1,2})-(\d{2}|\d{4})()()()$"), "dmy"),
}


def parse_date(text, fmt):
    """datetime, or None when text is not a valid date in that layout."""
    rx, order = DATE_RE[fmt]
    m = rx.match(text.strip())
    if not m:
        return None
    a, b, y, hh, mm, ss = m.groups()
    year = int(y)
    if len(y) == 2:
        year += 2000 if year < 70 else 1900
    month, day = (int(a), int(b)) if order == "mdy" else (int(b), int(a))
    try:
        return datetime.datetime(year, month, day, int(hh or 0), int(mm or 0), int(ss or 0))
    except ValueError:
        return None


def number(text):
    """Decimal of a plain number, None when blank; raises ValueError."""
    t = text.strip()
    if not t:
        return None
    return finite_decimal(t, text)


def dec_out(v):
    """A Decimal as ria's export writes it: 4 places at most, no trailing zeros."""
    if v is None:
        return ""
    v = v.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
    s = format(v, "f")
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return "0" if s in ("", "-0") else s


def unfloat(text):
    """'2149.0' -> '2149'; None when text is not digits with a zero fraction."""
    m = re.match(r"^(\d+)\.0+$", text)
    return m.group(1) if m and len(text) >= 3 else None


# -------------------------------------------------------------------- model

def expected_load(name, header, records):
    """Runs the quality rules over the records as SEMANTICS.md and ingest.h
    describe them.  Returns (rows kept, rule counts, duplicates, rejects,
    fixes and flags of the dropped duplicates) where a row is a dict
    column -> exported text and rejects maps line -> (rule, raw text)."""
    schema = SCHEMAS[name]
    col_of = {}
    for h, col, _label, role, typ in schema:
        if h is not None:
            col_of[header.index(h)] = (col, role, typ)
    roles = {role: header.index(h) for h, _c, _l, role, _t in schema if h is not None and role}
    fmt = DATE_FORMATS[name]
    us = US_DATA[name]
    kept = collections.OrderedDict()
    counts = collections.Counter()
    dup_hits = collections.Counter()
    rejects = {}
    dups = 0

    def f(fields, role):
        i = roles.get(role)
        return fields[i].strip() if i is not None and i < len(fields) else ""

    for line, fields, raw, converted in records:
        def reject(rule):
            counts[rule] += 1
            rejects[line] = (rule, raw)
        if len(fields) < len(header) or any(x.strip() for x in fields[len(header):]):
            reject("field_count")
            continue
        if not f(fields, "order_id"):
            reject("missing_order_id")
            continue
        od_text = f(fields, "order_date")
        if not od_text:
            reject("missing_date")
            continue
        od = parse_date(od_text, fmt)
        if od is None:
            reject("bad_date")
            continue
        hits = []
        ship = None
        if f(fields, "ship_date"):
            ship = parse_date(f(fields, "ship_date"), fmt)
            if ship is None:
                hits.append("bad_ship_date")
        try:
            amount = number(f(fields, "amount"))
        except ValueError:
            reject("bad_amount")
            continue
        if amount is not None and amount < 0:
            reject("negative_amount")
            continue
        qty = None
        if "quantity" in roles:
            q = f(fields, "quantity")
            if not q:
                qty = 1
                hits.append("missing_quantity")
            else:
                try:
                    qd = Decimal(q)
                    if qd != qd.to_integral_value():
                        raise InvalidOperation
                    qty = int(qd)
                except InvalidOperation:
                    reject("bad_quantity")
                    continue
                if qty < 0:
                    reject("negative_quantity")
                    continue
        try:
            price = number(f(fields, "unit_price"))
            number(f(fields, "cost"))
            profit = number(f(fields, "profit"))
        except ValueError:
            reject("bad_number")
            continue
        if price is not None and price < 0:
            reject("negative_price")
            continue
        try:
            disc = number(f(fields, "discount"))
        except ValueError:
            reject("bad_number")
            continue
        if disc is not None and not 0 <= disc <= 1:
            reject("bad_discount")
            continue
        if ship is not None and ship.date() < od.date():
            reject("ship_before_order")
            continue
        row = {}
        for i, (col, role, typ) in col_of.items():
            row[col] = fields[i].strip()
        row["order_date"] = od.strftime("%Y-%m-%d %H:%M:%S")
        if "ship_date" in row:
            row["ship_date"] = ship.strftime("%Y-%m-%d") if ship else ""
        if "category" in roles and not row["category"]:
            row["category"] = "Unknown"
            hits.append("missing_category")
        if us and row.get("state"):
            st = row["state"]
            if st.upper() in STATE_CODES:
                row["state"] = st.upper()
            elif st.lower() in STATES:
                row["state"] = STATES[st.lower()]
                hits.append("state_name")
            else:
                hits.append("unknown_state")
        if "postal_code" in row:
            pc = row["postal_code"]
            fixed = unfloat(pc)
            if fixed is not None:
                pc = fixed
            if us and len(pc) == 4 and pc.isdigit():
                pc = "0" + pc
            if pc != row["postal_code"]:
                row["postal_code"] = pc
                hits.append("postal_code")
        if row.get("customer_id") and unfloat(row["customer_id"]) is not None:
            row["customer_id"] = unfloat(row["customer_id"])
            hits.append("postal_code")
        if amount is None:
            if qty is not None and price is not None:
                amount = (qty * price * (1 - (disc or 0))).quantize(Decimal("0.01"),
                                                                     rounding=ROUND_HALF_UP)
                hits.append("derived_amount")
            else:
                hits.append("missing_amount")
        if amount is not None and amount > CEILING:
            hits.append("amount_above_ceiling")
        if converted:
            hits.append("encoding")
        row["amount"] = dec_out(amount)
        if "quantity" in row:
            row["quantity"] = str(qty)
        if "unit_price" in row:
            row["unit_price"] = dec_out(price)
        if "discount" in row:
            row["discount"] = dec_out(disc)
        if "profit" in row:
            row["profit"] = dec_out(profit)
        if "line_id" in row:
            row["line_id"] = str(int(row["line_id"]))
        key = tuple(sorted(row.items()))
        if key in kept:
            dups += 1  # an exact duplicate: dropped, its fixes and flags with it
            dup_hits.update(hits)
            continue
        kept[key] = row
        counts.update(hits)
    return list(kept.values()), counts, dups, rejects, dup_hits


# ------------------------------------------------------------------- checks

def check_fixture_facts(name, header, records, expect):
    """The sidecar's facts hold for the fixture text, and the date layout is
    decidable from the values."""
    same("sidecar rows", len(records), expect["rows"])
    idx = {h: i for i, h in enumerate(header)}
    col = lambda h: [r[1][idx[h]] for r in records]
    fmt = DATE_FORMATS[name]
    same("sidecar date format", expect["date_format"], fmt)
    dates = col({"superstore": "Order Date", "amazon": "Date", "online_retail": "InvoiceDate"}[name])
    bad = [d for d in dates if parse_date(d, fmt) is None]
    if bad:
        problem("fixture: %d order dates are not %s, e.g. %r" % (len(bad), fmt, bad[0]))
    if all(parse_date(d, RIVAL_FORMATS[fmt]) is not None for d in dates):
        problem("fixture: no order date tells %s from %s" % (fmt, RIVAL_FORMATS[fmt]))
    dup_lines = []
    seen = set()
    for line, fields, raw, conv in records:
        if tuple(fields) in seen:
            dup_lines.append(line)
        seen.add(tuple(fields))
    same("sidecar duplicates (identical lines)", len(dup_lines), expect["duplicates"])
    if name == "superstore":
        same("sidecar non-ASCII rows", sum(1 for r in records if r[3]), expect["non_ascii_rows"])
        same("sidecar 4-digit zips", sum(1 for z in col("Postal Code") if len(z) == 4),
             expect["four_digit_zip_rows"])
        same("sidecar orders", len(set(col("Order ID"))), expect["orders"])
        same("sidecar negative profits", sum(1 for p in col("Profit") if p.startswith("-")),
             expect["negative_profit_rows"])
        if not all(re.match(r"^(CA|US)-\d{4}-\d{6}$", o) for o in col("Order ID")):
            problem("fixture: an Order ID is not like CA-2016-152156")
        if not all(s.lower() in STATES for s in col("State")):
            problem("fixture: a State is not a full US state name")
    elif name == "amazon":
        same("sidecar duplicate lines", dup_lines, expect["duplicate_lines"])
        same("sidecar cancelled rows", col("Status").count("Cancelled"), expect["cancelled_rows"])
        same("sidecar cancelled rows without amount",
             sum(1 for r in records if r[1][idx["Status"]] == "Cancelled" and not r[1][idx["Amount"]]),
             expect["cancelled_blank_amount_rows"])
        same("sidecar float postal codes", sum(1 for p in col("ship-postal-code") if p.endswith(".0")),
             expect["float_postal_rows"])
    elif name == "online_retail":
        same("sidecar cancellation rows", sum(1 for o in col("InvoiceNo") if o.startswith("C")),
             expect["cancellation_rows"])
        if any(not q.startswith("-") for o, q in zip(col("InvoiceNo"), col("Quantity")) if o.startswith("C")):
            problem("fixture: a C invoice line has a quantity that is not negative")
        same("sidecar negative quantities", sum(1 for q in col("Quantity") if q.startswith("-")),
             expect["negative_quantity_rows"])
        same("sidecar float customer ids", sum(1 for c in col("CustomerID") if c.endswith(".0")),
             expect["float_customer_rows"])
        same("sidecar blank customer ids", col("CustomerID").count(""), expect["blank_customer_rows"])


def check_info(name, info, rows):
    want = {(c, label, role, typ) for h, c, label, role, typ in SCHEMAS[name]}
    got = {(c["name"], c["label"], c["role"], c["type"]) for c in info["columns"]}
    for x in sorted(want - got):
        problem("info: column %s (label %r, role %r, type %s) missing" % x)
    for x in sorted(got - want):
        problem("info: unexpected column %s (label %r, role %r, type %s)" % x)
    same("info rows", info["rows"], len(rows))
    if rows:
        same("info first_order", info["first_order"], min(r["order_date"] for r in rows))
        same("info last_order", info["last_order"], max(r["order_date"] for r in rows))


def check_report(name, path, report, records, counts, dups, rejects, rows, expect, dup_hits):
    same("report rows_read", report["rows_read"], len(records))
    same("report accepted", report["accepted"], len(rows))
    same("report quarantined", report["quarantined"], len(rejects))
    same("report duplicates", report["duplicates"], dups)
    same("report duplicates (generator)", report["duplicates"], expect["duplicates"])
    if report["rows_read"] != report["accepted"] + report["quarantined"] + report["duplicates"]:
        problem("report does not reconcile: %d read != %d + %d + %d" % (
            report["rows_read"], report["accepted"], report["quarantined"], report["duplicates"]))
    same("report reconciled", report["reconciled"], True)
    same("report files", len(report["files"]), 1)
    fr = report["files"][0]
    same("file name", fr["name"], path)
    same("file rows", fr["rows"], len(records))
    same("file date_format", fr["date_format"], DATE_FORMATS[name])
    same("file date_format_ambiguous", fr.get("date_format_ambiguous", False), False)
    same("file delimiter", fr["delimiter"], ",")
    same("file encoding", fr["encoding"], "UTF-8")
    same("file malformed_records", fr["malformed_records"], 0)
    same("file bytes", fr["bytes"], os.path.getsize(path))
    converted = sum(1 for r in records if r[3])
    same("report converted_rows", report["converted_rows"], converted)
    for h in IGNORED[name]:
        if not any(("'%s'" % h) in n and "ignored" in n for n in fr["notes"]):
            problem("file notes do not say column %r was ignored: %s" % (h, fr["notes"]))
    got = {k: v["count"] for k, v in report["rules"].items()}
    want = dict(counts)
    if got != want:
        keys = sorted(set(got) | set(want))
        why = ""
        if dup_hits and got == dict(counts + dup_hits):
            why = (" (ria also counts the fixes and flags of the %d rows it dropped as exact"
                   " duplicates: %s)" % (dups, dict(dup_hits)))
        problem("rule counts differ: " + ", ".join(
            "%s ria %s expected %s" % (k, got.get(k, 0), want.get(k, 0))
            for k in keys if got.get(k, 0) != want.get(k, 0)) + why)
    for rule, v in report["rules"].items():
        if v["outcome"] == "reject":
            lines = sorted(l for l, (r, _) in rejects.items() if r == rule)
            for ex in v["examples"]:
                if ex["line"] not in lines:
                    problem("rule %s: example line %d is not a %s row" % (rule, ex["line"], rule))
    if name == "superstore":
        same("converted rows (generator)", report["converted_rows"], expect["non_ascii_rows"])
        same("state_name fixes = rows", got.get("state_name"), len(rows))
        same("postal_code fixes = 4-digit zips (generator)", got.get("postal_code"),
             expect["four_digit_zip_rows"])
        same("encoding fixes = converted rows", got.get("encoding"), converted)
        same("quarantine_file", report["quarantine_file"], "")
    if name == "amazon":
        same("quarantine_file", report["quarantine_file"], "")
        cancelled = sum(1 for r in rows if r["status"] == "Cancelled" and r["amount"] == "")
        same("missing_amount flags = cancelled rows without amount", got.get("missing_amount"), cancelled)
    if name == "online_retail":
        same("negative_quantity rejects (generator)", got.get("negative_quantity"),
             expect["negative_quantity_rows"])
        same("derived_amount fixes = stored rows", got.get("derived_amount"), len(rows))
        same("amount_above_ceiling flags (generator)", got.get("amount_above_ceiling"),
             expect["ceiling_rows"])
        same("negative_price rejects (generator)", got.get("negative_price"),
             expect["negative_price_rows"])


def check_quarantine(name, path, report, records, rejects, store):
    qrel = report["quarantine_file"]
    if not rejects:
        if qrel:
            problem("quarantine_file %r for a load with no rejects" % qrel)
        return
    qpath = os.path.join(store, qrel)
    if not os.path.isfile(qpath):
        problem("quarantine file %s does not exist" % qpath)
        return
    with open(qpath, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    same("quarantine header", rows[0], ["file", "line", "rule", "reason", "record"])
    got = {}
    for r in rows[1:]:
        if len(r) != 5:
            problem("quarantine row with %d fields: %r" % (len(r), r))
            continue
        same("quarantine file column", r[0], path)
        got[int(r[1])] = (r[2], r[4])
        if not r[3]:
            problem("quarantine line %s has no reason" % r[1])
    same("quarantine line numbers", sorted(got), sorted(rejects))
    for line in sorted(set(got) & set(rejects)):
        if got[line] != rejects[line]:
            problem("quarantine line %d: ria %r, fixture %r" % (line, got[line], rejects[line]))
    # spot checks straight from the fixture text: the first and last C invoice
    if name == "online_retail":
        with open(path, encoding="utf-8") as f:
            c_lines = [i for i, l in enumerate(f, 1) if l.startswith("C")]
        for line in (c_lines[0], c_lines[-1]):
            if got.get(line, ("",))[0] != "negative_quantity":
                problem("quarantine: line %d (a C invoice) is not quarantined as negative_quantity" % line)


def check_export(name, header, records, rows, export_header, exported, expect):
    want_cols = sorted(c for _h, c, _l, _r, _t in SCHEMAS[name])
    same("export columns", sorted(export_header), want_cols)
    same("export row count", len(exported), len(rows))
    got = collections.Counter(tuple(sorted(r.items())) for r in exported)
    want = collections.Counter(tuple(sorted(r.items())) for r in rows)
    if got != want:
        missing, extra = want - got, got - want
        problem("stored rows differ: %d missing, %d unexpected; e.g. missing %s / unexpected %s" % (
            sum(missing.values()), sum(extra.values()),
            dict(next(iter(missing))) if missing else None,
            dict(next(iter(extra))) if extra else None))

    def total(rs, col):
        return sum((Decimal(r[col]) for r in rs if r[col] != ""), Decimal(0))
    same("sum(amount)", "%.2f" % total(exported, "amount"), "%.2f" % total(rows, "amount"))
    same("sum(amount) exact", total(exported, "amount"), total(rows, "amount"))
    same("sum(quantity)", total(exported, "quantity"), total(rows, "quantity"))
    distinct = lambda rs, c: sorted({r[c] for r in rs})
    if name == "superstore":
        states = distinct(exported, "state")
        if not all(s in STATE_CODES for s in states):
            problem("states are not two-letter codes: %s" % [s for s in states if s not in STATE_CODES][:5])
        same("distinct states", states, distinct(rows, "state"))
        same("distinct regions", distinct(exported, "region"), expect["regions"])
        same("distinct categories", distinct(exported, "category"),
             ["Furniture", "Office Supplies", "Technology"])
        same("distinct segments", distinct(exported, "segment"), ["Consumer", "Corporate", "Home Office"])
        zips = distinct(exported, "postal_code")
        bad = [z for z in zips if z and not re.match(r"^\d{5}$", z)]
        if bad:
            problem("postal codes that are not 5 digits: %s" % bad[:5])
        texts = {r["product_name"] for r in exported} | {r["customer_name"] for r in exported}
        for t in expect["accented_texts"]:
            if t not in texts:
                problem("text %r is not stored as UTF-8 (Windows-1252 decoding)" % t)
        if any("\ufffd" in t or "Ã" in t for t in texts):
            problem("mis-decoded text in the store")
        neg = sum(1 for r in exported if r["profit"].startswith("-"))
        same("rows with negative profit", neg, expect["negative_profit_rows"])
    elif name == "amazon":
        same("distinct currencies", distinct(exported, "currency"), ["", "INR"])
        same("distinct fulfilment", distinct(exported, "fulfilment"), ["Amazon", "Merchant"])
        same("distinct channels", distinct(exported, "channel"), distinct(rows, "channel"))
        same("distinct sizes", distinct(exported, "size"), distinct(rows, "size"))
        if not set(distinct(exported, "size")) <= {"XS", "S", "M", "L", "XL", "XXL", "3XL", "Free"}:
            problem("unexpected sizes %s" % distinct(exported, "size"))
        same("distinct b2b", distinct(exported, "b2b"), ["False", "True"])
        same("distinct states", distinct(exported, "state"), distinct(rows, "state"))
        if "MAHARASHTRA" not in distinct(exported, "state"):
            problem("state MAHARASHTRA missing")
        statuses = distinct(exported, "status")
        for s in ("Shipped", "Shipped - Delivered to Buyer", "Cancelled", "Shipped - Returned to Seller", "Pending"):
            if s not in statuses:
                problem("status %r missing from the store" % s)
        pcs = [r["postal_code"] for r in exported if r["postal_code"]]
        if any(not re.match(r"^\d{6}$", p) for p in pcs):
            problem("postal codes still written as floats: %s" % [p for p in pcs if "." in p][:3])
        blank = sum(1 for r in exported if r["amount"] == "")
        same("blank amounts stored as null", blank, sum(1 for r in rows if r["amount"] == ""))
        zero = sum(1 for r in exported if r["amount"] in ("0", "0.0"))
        same("blank amounts stored as 0", zero, sum(1 for r in rows if r["amount"] == "0"))
        same("rows with quantity 0", sum(1 for r in exported if r["quantity"] == "0"),
             sum(1 for r in rows if r["quantity"] == "0"))
        longp = [r["promotion_ids"] for r in exported if r["promotion_ids"].count(",") >= 2]
        if not longp:
            problem("no long comma-separated promotion-ids stored whole")
    elif name == "online_retail":
        if any(r["order_id"].startswith("C") for r in exported):
            problem("a cancellation invoice (C...) was stored")
        if any(r["customer_id"].endswith(".0") for r in exported):
            problem("customer ids still written as floats")
        same("blank customer ids", sum(1 for r in exported if r["customer_id"] == ""),
             sum(1 for r in rows if r["customer_id"] == ""))
        same("distinct countries", distinct(exported, "country"), distinct(rows, "country"))
        descs = {r["product_name"] for r in exported}
        if "FELT CRAFT KIT , LITTLE OWLS" not in descs:
            problem("description with a comma not stored whole")
        for r in exported:
            want_amt = (Decimal(r["quantity"]) * Decimal(r["unit_price"])).quantize(
                Decimal("0.01"), rounding=ROUND_HALF_UP)
            if Decimal(r["amount"]) != want_amt:
                problem("derived amount %s x %s = %s, stored %s" % (
                    r["quantity"], r["unit_price"], want_amt, r["amount"]))
                break


def main():
    name, path, expect_path, report_path, info_path, export_path, store = sys.argv[1:8]
    expect = json.load(open(expect_path, encoding="utf-8"))
    report = json.load(open(report_path))
    info = json.load(open(info_path))
    header, records = read_fixture(path)
    for h in IGNORED[name]:
        if h not in header:
            problem("fixture has no column %r" % h)
    check_fixture_facts(name, header, records, expect)
    rows, counts, dups, rejects, dup_hits = expected_load(name, header, records)
    check_info(name, info, rows)
    check_report(name, path, report, records, counts, dups, rejects, rows, expect, dup_hits)
    check_quarantine(name, path, report, records, rejects, store)
    export_header, exported = read_export(export_path)
    check_export(name, header, records, rows, export_header, exported, expect)
    if problems:
        print("%s: %d problem(s)" % (name, len(problems)))
        for p in problems:
            print("  " + p)
        sys.exit(1)
    amounts = sum((Decimal(r["amount"]) for r in rows if r["amount"]), Decimal(0))
    print("%s: ok: %d rows read, %d stored, %d quarantined, %d duplicates, amount %s, %d rules"
          % (name, len(records), len(rows), len(rejects), dups, amounts, len(counts)))


if __name__ == "__main__":
    main()
