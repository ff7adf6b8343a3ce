#!/usr/bin/env python3
"""Writes the held-out golden question sets of tests/golden: holdout_gen.jsonl
and holdout_bench.jsonl.

The held-out sets test generalization: other data (a `ria gen` seed and the
shared reference generator, neither used by the other sets), other wordings
(paraphrases, abbreviations, casual phrasing, typos) and follow-up
conversations.  Their questions were written from SEMANTICS.md and the data
alone.  As in make_golden.py, every expected answer is computed with SQLite
over `ria export` of the stored table, never with ria's own query engine, and
the SQL is kept as each question's `definition`; the SQL vocabulary (periods,
metrics with the status rule, top N without ties, thresholds, trends) is the
one of make_golden.py.

usage: make_holdout.py [--ria PATH] [--bench-gen PATH] [--only NAME]... [--print] [--warn]
       make_holdout.py --check [--ria PATH] [--bench-gen PATH]
--check validates the stored files the way check_golden.py does (format, ids
unique over every golden file, each definition re-run against data built
afresh) without looking at the questions below.
Python 3 standard library only; the same output on every run.
"""
import argparse
import json
import os
import subprocess
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import golden_data as gd  # noqa: E402
import make_golden as mg  # noqa: E402
from make_golden import (AND, D, DL, H, M, ML, P, Q, QL, WL, Y, YL, diff, eq,  # noqa: E402
                         expr, growth, isin, share)

# name -> how its CSV is made and where its questions go.  "gen" is written by
# `ria gen` with a seed no other set uses; "bench" by the shared reference
# generator, which ria did not write.
HOLDOUT = {
    "gen": {"gen": ["--rows", "200000", "--seed", "11"]},
    "bench": {"script": ["--rows", "100000", "--seed", "5"]},
}
FILES = {name: os.path.join(gd.HERE, "holdout_%s.jsonl" % name) for name in HOLDOUT}
BENCH_GEN = os.path.normpath(os.path.join(gd.ROOT, "..", "shared", "bench", "gen_sales.py"))

OK = "status NOT IN ('Cancelled', 'Returned')"
SET_KW = dict(prefix="ho", ok=OK, cancel="status = 'Cancelled'", ret="status = 'Returned'", profit="cost")


def build(ria, bench_gen, workdir, names):
    """Builds the stores of `names` under workdir, exports them and loads each
    export into SQLite.  Returns {name: sqlite3 connection}."""
    dbs = {}
    for name in names:
        spec = HOLDOUT[name]
        src = os.path.join(workdir, name + ".csv")
        if "gen" in spec:
            gd.run([ria, "gen"] + spec["gen"] + ["--out", src])
        else:
            if not os.path.exists(bench_gen):
                raise SystemExit("no reference generator at %s (pass --bench-gen)" % bench_gen)
            with open(src, "wb") as f:
                r = subprocess.run([sys.executable, bench_gen] + spec["script"], stdout=f,
                                   stderr=subprocess.PIPE)
            if r.returncode != 0:
                raise SystemExit("%s failed: %s" % (bench_gen, r.stderr.decode(errors="replace")))
        store = os.path.join(workdir, name)
        gd.run([ria, "ingest", "--quiet", "--store", store, src])
        out = os.path.join(workdir, name + ".export.csv")
        gd.run([ria, "export", "--store", store, "--out", out])
        with open(os.path.join(store, "model.json")) as f:
            model = json.load(f)
        dbs[name] = gd.load(out, {k: v["type"] for k, v in model["columns"].items()})
    return dbs


# Both data sets end on Monday 2024-12-30 (23:58 for gen, 23:41 for bench), so
# they share one calendar: last month = 2024-11, last quarter = 2024-Q3, last
# year = 2023, last week = 2024-12-23 .. 12-29, this week = 2024-12-30,
# MTD = 2024-12-01 .. 12-30, YTD = 2024-01-01 .. 12-30, last 7 days =
# 2024-12-24 .. 12-30, last 30 days = 2024-12-01 .. 12-30, last 90 days =
# 2024-10-02 .. 12-30, the last 12 complete months = 2023-12 .. 2024-11.
TO = "2024-12-31"          # exclusive end of the periods that run to the anchor
YTD = P("2024-01-01", TO)
MTD = P("2024-12-01", TO)
QTD = P("2024-10-01", TO)
LAST_WEEK = D("2024-12-23", "2024-12-29")
WEEK_BEFORE = D("2024-12-16", "2024-12-22")
LAST7 = D("2024-12-24", "2024-12-30")
LAST14 = D("2024-12-17", "2024-12-30")
LAST30 = D("2024-12-01", "2024-12-30")
LAST90 = D("2024-10-02", "2024-12-30")
ANCHOR = "the anchor is the latest order date, Monday 2024-12-30"
TYPO = "typo for "

R = "revenue"
WEST_COAST = isin("state", ["CA", "OR", "WA"])
ONLINE, STORE, MKT = eq("channel", "Online"), eq("channel", "Store"), eq("channel", "Marketplace")


def st(code):
    return eq("state", code)


def cat(name):
    return eq("category", name)


def sub(name):
    return eq("sub_category", name)


def reg(name):
    return eq("region", name)


def seg(name):
    return eq("segment", name)


def city(name):
    return eq("city", name)


def share_of_top(s, dim, n, *conds):
    """the share of revenue of the top n values of dim (no tie at the cut)"""
    top = s.top(dim, expr("sum(amount)"), n, *conds).replace(
        "SELECT %s, sum(amount)" % dim, "SELECT %s, sum(amount) AS r" % dim)
    return ("SELECT (SELECT sum(r) FROM (%s)) * 1.0 / (SELECT sum(amount) FROM sales WHERE %s)"
            % (top, AND(s.ok, *conds)))


def share_by(s, dim, metric_sql, *conds):
    """each value's share of the total of `metric_sql` (an aggregate over sales rows)"""
    total = "(SELECT %s FROM sales WHERE %s)" % (metric_sql, AND(s.ok, *conds))
    return s.by(dim, expr("%s * 1.0 / %s" % (metric_sql, total)), *conds)


def yoy(s, metric, new, old, *conds):
    """one row: old, new, new / old - 1"""
    a, b = s.m(metric, old), s.m(metric, new)
    return s.cols([a, b, growth(b, a)], *conds)


# ------------------------------------------------------------- gen (seed 11)


def gen_questions(s):
    """ria gen --rows 200000 --seed 11: 2022-01-01 .. 2024-12-30 23:58.
    Regions are the data's own (Central, East, South, West)."""
    ELEC, CLO, HOME, TOYS, SPORTS, GROC, BEAUTY = (cat(c) for c in (
        "Electronics", "Clothing", "Home", "Toys", "Sports", "Grocery", "Beauty"))
    FL, GA, CA, TX = st("FL"), st("GA"), st("CA"), st("TX")

    # ------------------------------------------------------ single figures
    mar23 = s.one(R, M(2023, 3))
    s.S("What was total revenue in March 2023?", mar23)
    s.S("rev for march '23", mar23, note="rev = revenue")
    s.S("Revnue in Mar 2023", mar23, note=TYPO + "revenue")
    fl23 = s.one(R, FL, Y(2023))
    s.S("How much did we sell in Florida in 2023?", fl23, note="'how much did we sell' asks for revenue")
    s.S("florida sales 2023", fl23, note="'sales' alone means revenue")
    s.S("Flordia revenue for 2023", fl23, note=TYPO + "Florida")
    mkt = s.one("orders", MKT, Y(2024))
    s.S("How many orders did the Marketplace channel get in 2024?", mkt)
    s.S("# of orders via marketplace this year", s.one("orders", MKT, YTD),
        note="this year = 2024-01-01 .. anchor 2024-12-30")
    aq3 = s.one("aov", Q(2023, 3))
    s.S("AOV in Q3 2023", aq3, note="AOV = revenue / orders")
    s.S("What was the average order value in the third quarter of 2023?", aq3)
    s.S("avergae order value Q3 2023", aq3, note=TYPO + "average")
    toys = s.one("units", TOYS, Y(2022))
    s.S("Units sold of Toys in 2022", toys)
    s.S("How many toys did we sell in 2022?", toys, note="units of the category Toys")
    tv = s.one("asp", sub("TVs"), Y(2023))
    s.S("ASP for TVs last year", tv, note="last year = 2023; ASP = revenue / units")
    s.S("average selling price of a TV in 2023", tv)
    gpq2 = s.one("profit", Q(2024, 2))
    s.S("Gross profit in Q2 2024", gpq2, note="gross profit = amount - cost")
    s.S("what was the margin on clothing last year", s.one("margin", CLO, Y(2023)), note="last year = 2023")
    s.S("Beauty gross margn 2023", s.one("margin", BEAUTY, Y(2023)), note=TYPO + "margin")
    c23 = s.one("customers", Y(2023))
    s.S("unique customers in 2023", c23)
    s.S("How many custoemrs bought Sports products in Q4 2024?", s.one("customers", SPORTS, Q(2024, 4)),
        note=TYPO + "customers")
    s.S("Cancellaton rate for Marketplace in 2023", s.one("cancel_rate", MKT, Y(2023)),
        note=TYPO + "cancellation; cancelled orders / all orders, no status filter")
    s.S("what % of orders got cancelled last year", s.one("cancel_rate", Y(2023)),
        note="the cancellation rate of 2023, a fraction")
    s.S("Return rate for Electroncis in 2023", s.one("return_rate", ELEC, Y(2023)),
        note=TYPO + "Electronics; returned orders / all orders, no status filter")
    s.S("What's the returns rate this year?", s.one("return_rate", YTD), note="this year = 2024-01-01 .. 2024-12-30")
    s.S("Average discout given on Home in 2024", s.one("discount", HOME, Y(2024)),
        note=TYPO + "discount; revenue-weighted mean of discount")
    s.S("Revenue in Ohio in 2024", s.one(R, st("OH"), Y(2024)))
    s.S("NYC revenue in 2024", s.one(R, city("New York City"), Y(2024)), note="NYC = the city New York City")
    s.S("Revenue from the Central region in 2024", s.one(R, reg("Central"), Y(2024)),
        note="the data's own region column")
    s.S("how much revenue did the south bring in last quarter", s.one(R, reg("South"), Q(2024, 3)),
        note="the region South; last quarter = 2024-Q3")
    s.S("West Coast orders in Q4 2024", s.one("orders", WEST_COAST, Q(2024, 4)), note="West Coast = CA OR WA")
    s.S("last month's revenue", s.one(R, M(2024, 11)), note="last month = November 2024 (" + ANCHOR + ")")
    s.S("What were sales last month in California?", s.one(R, CA, M(2024, 11)), note="November 2024")
    s.S("revenue last quarter", s.one(R, Q(2024, 3)), note="last quarter = 2024-Q3")
    s.S("how many ordres last week", s.one("orders", LAST_WEEK),
        note=TYPO + "orders; last week = Monday 2024-12-23 .. Sunday 2024-12-29")
    s.S("How many units did we sell in the last 7 days?", s.one("units", LAST7),
        note="rolling window ending at the anchor: 2024-12-24 .. 2024-12-30")
    s.S("revenue in the past 30 days", s.one(R, LAST30), note="2024-12-01 .. 2024-12-30")
    s.S("How many customers in the last 90 days?", s.one("customers", LAST90), note="2024-10-02 .. 2024-12-30")
    s.S("YTD gross profit", s.one("profit", YTD), note="YTD = 2024-01-01 .. 2024-12-30")
    s.S("MTD orders", s.one("orders", MTD), note="MTD = 2024-12-01 .. 2024-12-30")
    s.S("How much have we sold since June?", s.one(R, P("2024-06-01", TO)),
        note="since June = 2024-06-01 .. anchor; revenue")
    s.S("Revenue since September 1st", s.one(R, P("2024-09-01", TO)), note="2024-09-01 .. 2024-12-30")
    s.S("Revenue betwen 2024-07-04 and 2024-07-10", s.one(R, D("2024-07-04", "2024-07-10")),
        note=TYPO + "between; both ends inclusive")
    s.S("Revenue on Dec 24th 2024", s.one(R, D("2024-12-24")))
    s.S("how many orders yesterday", s.one("orders", D("2024-12-29")), note="yesterday = 2024-12-29")
    s.S("Revenue this week", s.one(R, D("2024-12-30")),
        note="this week = Monday 2024-12-30 .. the anchor, which is that Monday")
    s.S("How many pending orders were there in December 2024?", s.one("orders", eq("status", "Pending"), M(2024, 12)),
        note="filters by status Pending")
    s.S("How many orders were returned last year?", s.one("orders", eq("status", "Returned"), Y(2023)),
        note="filters by status Returned; 2023")
    s.S("revenu from phones in Q1 2024", s.one(R, sub("Phones"), Q(2024, 1)), note=TYPO + "revenue")
    s.S("Sales of SKU ELE-TVS-0321 in 2024", s.one(R, eq("sku", "ELE-TVS-0321"), Y(2024)))
    s.S("Total revenue, all time", s.one(R), note="all dates")
    s.S("Electronics revenue through the Online channel in December 2024",
        s.one(R, ELEC, ONLINE, M(2024, 12)), note="December 2024 is the whole month (data to 12-30)")
    s.S("how many Consumer shoppers did we have in Q1 2024", s.one("customers", seg("Consumer"), Q(2024, 1)),
        note="shoppers = customers")
    s.S("H1 2023 turnover", s.one(R, H(2023, 1)), note="turnover = revenue")
    s.S("Revenue in Q1", s.one(R, Q(2024, 1)), note="bare Q1 = Q1 of the anchor's year, 2024")
    s.S("What was our GMV in Q4 2023?", s.one(R, Q(2023, 4)), note="GMV = revenue")

    # ------------------------------------------------------------ tables
    c23t = s.by("category", R, Y(2023))
    s.A("Revenue by category for 2023", c23t)
    s.A("2023 sales broken down by category", c23t)
    s.A("category revenue 2023 pls", c23t)
    o24r = s.by("region", "orders", Y(2024))
    s.A("Orders per region in 2024", o24r)
    s.A("how many orders did each region get in 2024", o24r)
    s.A("AOV by segment last year", s.by("segment", "aov", Y(2023)), note="last year = 2023")
    s.A("Gross margin by chanel in 2024", s.by("channel", "margin", Y(2024)), note=TYPO + "channel")
    s.A("Customers by segment in 2024", s.by("segment", "customers", Y(2024)))
    s.A("Cancellation rates by category in 2023", s.by("category", "cancel_rate", Y(2023)))
    s.A("return rate by channel last year", s.by("channel", "return_rate", Y(2023)))
    s.A("Average discount per channel in 2024", s.by("channel", "discount", Y(2024)),
        note="revenue-weighted mean of discount")
    s.A("Revenue by state in the West region in 2024", s.by("state", R, reg("West"), Y(2024)))
    s.A("Orders by status in Q4 2024", s.by("status", "orders", Q(2024, 4)), note="grouped by status: every status")
    s.A("Revenue by category and channel in 2023", s.by(["category", "channel"], R, Y(2023)),
        note="two dimensions: [category, channel, revenue]")
    s.A("Orders by region and segment for 2024", s.by(["region", "segment"], "orders", Y(2024)))
    s.A("Monthly revenue for 2023", s.by(ML, R, Y(2023)), order="exact")
    s.A("month by month orders in 2024", s.by(ML, "orders", Y(2024)), order="exact")
    s.A("monthy orders for 2022", s.by(ML, "orders", Y(2022)), order="exact", note=TYPO + "monthly")
    s.A("Revenue per month for Toys in 2024", s.by(ML, R, TOYS, Y(2024)), order="exact")
    s.A("Quarterly revenue in 2022", s.by(QL, R, Y(2022)), order="exact")
    s.A("revenue by qtr for 2023", s.by(QL, R, Y(2023)), order="exact", note="qtr = quarter")
    s.A("Quarterly gross profit for Home in 2024", s.by(QL, "profit", HOME, Y(2024)), order="exact")
    s.A("Yearly orders", s.by(YL, "orders"), order="exact")
    s.A("revenue per year for the Store channel", s.by(YL, R, STORE), order="exact")
    s.A("Weekly revenue from Nov 4 to Dec 1, 2024", s.by(WL, R, D("2024-11-04", "2024-12-01")), order="exact",
        note="four Monday-Sunday weeks, labelled by their Monday")
    s.A("Weekly orders for the last 8 full weeks", s.by(WL, "orders", D("2024-11-04", "2024-12-29")), order="exact",
        note="the 8 complete Monday-Sunday weeks before the anchor's week: 2024-11-04 .. 2024-12-29")
    s.A("daily revenue for the past 7 days", s.by(DL, R, LAST7), order="exact", note="2024-12-24 .. 2024-12-30")
    s.A("Daily orders last week", s.by(DL, "orders", LAST_WEEK), order="exact", note="2024-12-23 .. 2024-12-29")
    s.A("daily units sold between Dec 10 and Dec 16, 2024", s.by(DL, "units", D("2024-12-10", "2024-12-16")),
        order="exact")
    s.A("monthly AOV for last year", s.by(ML, "aov", Y(2023)), order="exact")
    s.A("Revenue by month for the last 3 months", s.by(ML, R, P("2024-10-01", TO)), order="exact",
        note="rolling 3 months ending at the anchor: (2024-09-30, 2024-12-30], October .. December 2024")
    s.A("Top 5 cities by revenue in 2024", s.top("city", R, 5, Y(2024)), order="exact")
    s.A("top five states by orders last year", s.top("state", "orders", 5, Y(2023)), order="exact")
    s.A("Which 3 sub-categories sold the most units in 2023?", s.top("sub_category", "units", 3, Y(2023)),
        order="exact")
    s.A("best selling category by revenue in Q4 2024", s.top("category", R, 1, Q(2024, 4)), order="exact")
    s.A("Worst performing region by revenue in 2024", s.top("region", R, 1, Y(2024), asc=True), order="exact")
    s.A("Bottom 5 states by revenue in 2023", s.top("state", R, 5, Y(2023), asc=True), order="exact")
    s.A("which channel had the highest AOV last year", s.top("channel", "aov", 1, Y(2023)), order="exact")
    s.A("Lowest margin category in 2024", s.top("category", "margin", 1, Y(2024), asc=True), order="exact",
        note="gross margin")
    s.A("Top 3 customers by revenue in 2024", s.top("customer_id", R, 3, Y(2024)), order="exact",
        note="customers are customer ids")
    s.A("Which day had the most orders in November 2024?", s.top(DL, "orders", 1, M(2024, 11)), order="exact")
    s.A("Best month for revenue in 2022", s.top(ML, R, 1, Y(2022)), order="exact")
    s.A("Which quater of 2023 had the lowest revenue?", s.top(QL, R, 1, Y(2023), asc=True), order="exact",
        note=TYPO + "quarter")
    s.A("which state had the highest return rate in 2024", s.top("state", "return_rate", 1, Y(2024)),
        order="exact")
    s.A("top 3 sub categories by gross profit last quarter", s.top("sub_category", "profit", 3, Q(2024, 3)),
        order="exact", note="last quarter = 2024-Q3")
    s.A("Revenue by region for Electronics in H1 2024", s.by("region", R, ELEC, H(2024, 1)))
    s.A("Orders by channel for each year", s.by([YL, "channel"], "orders"),
        note="two dimensions: [year, channel, orders]")
    s.A("revenue split by segmnet for 2022", s.by("segment", R, Y(2022)), note=TYPO + "segment")
    s.A("How many customers did each category have last quarter?", s.by("category", "customers", Q(2024, 3)))
    s.A("Which city in California had the most revenue in 2023?", s.top("city", R, 1, CA, Y(2023)),
        order="exact")
    s.A("Lowest gross profit sub-category in 2024", s.top("sub_category", "profit", 1, Y(2024), asc=True),
        order="exact")
    s.A("top 5 citys by orders in 2023", s.top("city", "orders", 5, Y(2023)), order="exact", note=TYPO + "cities")
    s.A("quartely revenue for the Marketplace channel in 2024", s.by(QL, R, MKT, Y(2024)), order="exact",
        note=TYPO + "quarterly")

    # -------------------------------------------------------- comparisons
    s.C("Compare revenue in 2022 and 2023", s.cols([s.m(R, Y(2022)), s.m(R, Y(2023))]))
    s.C("2023 vs 2022 orders", s.cols([s.m("orders", Y(2022)), s.m("orders", Y(2023))]))
    s.C("YoY revenue growth in 2023", yoy(s, R, Y(2023), Y(2022)),
        note="the calendar year 2023 against 2022; growth = new / old - 1")
    s.C("How did AOV change from 2023 to 2024?", yoy(s, "aov", Y(2024), Y(2023)))
    s.C("MoM revenue growth for November", yoy(s, R, M(2024, 11), M(2024, 10)),
        note="a bare November is November 2024; against October 2024")
    s.C("How did December 2024 revenue compare to December 2023?",
        s.cols([s.m(R, M(2023, 12)), s.m(R, M(2024, 12))]), note="named months are whole months")
    s.C("QoQ order growth last quarter", yoy(s, "orders", Q(2024, 3), Q(2024, 2)),
        note="last quarter = 2024-Q3, against 2024-Q2")
    s.C("Q3 vs Q4 2024 units", s.cols([s.m("units", Q(2024, 3)), s.m("units", Q(2024, 4))]))
    s.C("Online vs Marketplace revenue last year", s.cols([s.m(R, ONLINE), s.m(R, MKT)], Y(2023)))
    s.C("Compare revenue in Florida and Gerogia in 2024", s.cols([s.m(R, FL), s.m(R, GA)], Y(2024)),
        note=TYPO + "Georgia")
    s.C("NY vs NJ orders in 2023", s.cols([s.m("orders", st("NY")), s.m("orders", st("NJ"))], Y(2023)))
    s.C("Electronics vs Clothing gross margin 2024", s.cols([s.m("margin", ELEC), s.m("margin", CLO)], Y(2024)))
    s.C("Revenue of the East vs the Central region in 2024",
        s.cols([s.m(R, reg("East")), s.m(R, reg("Central"))], Y(2024)))
    s.C("Consumer vs Home Office AOV in 2023",
        s.cols([s.m("aov", seg("Consumer")), s.m("aov", seg("Home Office"))], Y(2023)))
    s.C("How much did revenue grow from 2022 to 2024?", yoy(s, R, Y(2024), Y(2022)),
        note="2024 against 2022: growth = new / old - 1")
    s.C("Percent change in orders from Q1 2024 to Q2 2024", yoy(s, "orders", Q(2024, 2), Q(2024, 1)))
    s.C("Nov 2024 revenue YoY", yoy(s, R, M(2024, 11), M(2023, 11)), note="November 2024 against November 2023")
    s.C("Compare cancellation rates of Online and Store in 2024",
        s.cols([s.m("cancel_rate", ONLINE), s.m("cancel_rate", STORE)], Y(2024)))
    s.C("Return rate 2022 vs 2023", s.cols([s.m("return_rate", Y(2022)), s.m("return_rate", Y(2023))]))
    s.C("YoY revenue growth by channel for 2024", s.by("channel", [growth(s.m(R, Y(2024)), s.m(R, Y(2023)))]),
        shape="rows", order="any", note="each channel: 2024 against 2023")
    s.C("Compare 2023 and 2024 revenue by region", s.by("region", [s.m(R, Y(2023)), s.m(R, Y(2024))]),
        shape="rows", order="any")
    s.C("Which category grew revenue the most from 2022 to 2023?",
        s.top("category", growth(s.m(R, Y(2023)), s.m(R, Y(2022))), 1), shape="rows", order="exact",
        note="the largest growth rate")
    s.C("Which state had the lowest YoY revenue growth in 2024?",
        s.top("state", growth(s.m(R, Y(2024)), s.m(R, Y(2023))), 1, asc=True), shape="rows", order="exact")
    s.C("How many more customers did we have in 2024 than in 2023?",
        s.cols([diff(s.m("customers", Y(2024)), s.m("customers", Y(2023)))]))
    s.C("Difference between Online and Store orders in Q4 2024",
        s.cols([diff(s.m("orders", ONLINE), s.m("orders", STORE))], Q(2024, 4)))
    s.C("last week vs the week before, revenue", yoy(s, R, LAST_WEEK, WEEK_BEFORE),
        note="2024-12-23 .. 12-29 against 2024-12-16 .. 12-22")
    s.C("H1 vs H2 2024 revenue", s.cols([s.m(R, H(2024, 1)), s.m(R, H(2024, 2))]))
    s.C("How did gross profit change from Q2 to Q3 2024?", yoy(s, "profit", Q(2024, 3), Q(2024, 2)))
    s.C("YTD orders vs the same period last year", yoy(s, "orders", YTD, P("2023-01-01", "2023-12-31")),
        note="2024-01-01 .. 2024-12-30 against 2023-01-01 .. 2023-12-30")
    s.C("Compare Jan 2024 and Jan 2023 units for Grocery",
        s.cols([s.m("units", M(2023, 1)), s.m("units", M(2024, 1))], GROC))
    s.C("Margin in 2022 vs 2024", s.cols([s.m("margin", Y(2022)), s.m("margin", Y(2024))]), note="gross margin")
    s.C("comapre Texas and California AOV for 2024", s.cols([s.m("aov", TX), s.m("aov", CA)], Y(2024)),
        note=TYPO + "compare")
    s.C("Laptops vs Phones revenue in Q4 2024", s.cols([s.m(R, sub("Laptops")), s.m(R, sub("Phones"))], Q(2024, 4)))
    s.C("How did the number of orders change from October to November 2024?",
        yoy(s, "orders", M(2024, 11), M(2024, 10)))
    s.C("Compare Q1 and Q2 2023 revenue by region", s.by("region", [s.m(R, Q(2023, 1)), s.m(R, Q(2023, 2))]),
        shape="rows", order="any")
    s.C("Electronics revenue growth from Q4 2023 to Q4 2024", yoy(s, R, Q(2024, 4), Q(2023, 4), ELEC))
    s.C("did we sell more units in 2024 than 2023?", s.cols([s.m("units", Y(2023)), s.m("units", Y(2024))]))
    s.C("YoY growth in customers for 2024", yoy(s, "customers", Y(2024), Y(2023)))
    s.C("QoQ revenue growth by category for Q3 2024",
        s.by("category", [growth(s.m(R, Q(2024, 3)), s.m(R, Q(2024, 2)))]), shape="rows", order="any",
        note="each category: 2024-Q3 against 2024-Q2")

    # ------------------------------------------------------------ complex
    s.X("What share of 2023 revenue came from Electonics?", s.cols([share(s.m(R, ELEC), s.m(R))], Y(2023)),
        shape="value", note=TYPO + "Electronics")
    s.X("what % of last year's orders were from the Store channel",
        s.cols([share(s.m("orders", STORE), s.m("orders"))], Y(2023)), shape="value",
        note="share of orders; an order has one channel")
    s.X("percentge of 2024 revenue from Texas", s.cols([share(s.m(R, TX), s.m(R))], Y(2024)), shape="value",
        note=TYPO + "percentage")
    s.X("Revenue share by region for 2024", share_by(s, "region", "sum(amount)", Y(2024)))
    s.X("What share of Q4 2024 units did Clothing account for?",
        s.cols([share(s.m("units", CLO), s.m("units"))], Q(2024, 4)), shape="value")
    s.X("share of revenue by segment, last year", share_by(s, "segment", "sum(amount)", Y(2023)))
    s.X("What portion of California's 2024 revenue came from Online?",
        s.cols([share(s.m(R, ONLINE), s.m(R))], CA, Y(2024)), shape="value")
    s.X("Which categories had a gross margin above 30% in 2024?",
        s.filter_by("category", "margin", "v1 > 0.30", Y(2024)))
    s.X("States with more than 1 million in revenue in 2024", s.filter_by("state", R, "v1 > 1000000", Y(2024)))
    s.X("Which cities had an AOV over $420 in 2024?", s.filter_by("city", "aov", "v1 > 420", Y(2024)))
    s.X("Which sub-categories had a return rate above 3.2% in 2024?",
        s.filter_by("sub_category", "return_rate", "v1 > 0.032", Y(2024)))
    s.X("Which months in 2023 had more than 3,100 orders?", s.filter_by(ML, "orders", "v1 > 3100", Y(2023)))
    s.X("Which categories are trending down?", s.trend("category", R, "2023-12", 12, -1),
        note="SEMANTICS: the least-squares slope of the monthly revenue over the last 12 complete months "
             "(2023-12 .. 2024-11) is below 0")
    s.X("Which segments are trendng up?", s.trend("segment", R, "2023-12", 12, +1),
        note=TYPO + "trending; revenue slope > 0 over 2023-12 .. 2024-11")
    s.X("Which states have margins trending down?", s.trend("state", "margin", "2023-12", 12, -1),
        note="slope of the monthly gross margin over 2023-12 .. 2024-11 < 0")
    s.X("Which sub-categories are trending up in revenue but down in margin?",
        s.trend("sub_category", R, "2023-12", 12, +1, also=("margin", -1)),
        note="revenue slope > 0 and gross margin slope < 0 over 2023-12 .. 2024-11")
    g2324 = [s.m(R, Y(2023)), s.m(R, Y(2024)), growth(s.m(R, Y(2024)), s.m(R, Y(2023)))]
    s.X("Which states grew revenue by more than 20% in 2024 vs 2023?",
        s.filter_by("state", g2324, "v3 > 0.20", show=["v3"]))
    g2223 = [s.m(R, Y(2022)), s.m(R, Y(2023)), growth(s.m(R, Y(2023)), s.m(R, Y(2022)))]
    s.X("Which categories grew revenue by less than 20% in 2023?",
        s.filter_by("category", g2223, "v3 < 0.20", show=["v3"]), note="growth against 2022")
    s.X("Which sub-category added the most revenue from 2023 to 2024?",
        s.top("sub_category", diff(s.m(R, Y(2024)), s.m(R, Y(2023))), 1), order="exact",
        note="the largest absolute increase")
    s.X("What was the combined share of 2023 revenue of our top 5 states?", share_of_top(s, "state", 5, Y(2023)),
        shape="value", note="one figure: the top 5 states by 2023 revenue together")
    top3 = ("SELECT state, %s FROM sales WHERE %s AND state IN (SELECT state FROM (%s)) GROUP BY 1 ORDER BY 1"
            % (s.m("aov"), AND(s.ok, Y(2024)), s.top("state", R, 3, Y(2024))))
    s.X("For the top 3 states by revenue in 2024, what was each one's AOV?", top3)
    s.X("Average revenue per customer in 2023", s.cols([expr("sum(amount) / 1e4 / count(DISTINCT customer_id)")],
                                                       Y(2023)), shape="value",
        note="revenue / customers, both with the status rule")
    s.X("What share of November 2024 revenue came from Marketplace?",
        s.cols([share(s.m(R, MKT), s.m(R))], M(2024, 11)), shape="value")
    s.X("Which segments had a cancellation rate below 6% in 2024?",
        s.filter_by("segment", "cancel_rate", "v1 < 0.06", Y(2024)))

    # ------------------------------------------------------ conversations
    s.session = "ho-s1"
    s.A("Revenue by channel in 2023", s.by("channel", R, Y(2023)))
    s.A("just Clothing", s.by("channel", R, CLO, Y(2023)), note="follow-up: Clothing revenue by channel, 2023")
    s.A("and 2024?", s.by("channel", R, CLO, Y(2024)), note="follow-up: Clothing revenue by channel, 2024")

    s.session = "ho-s2"
    s.S("How many orders in Florida last month?", s.one("orders", FL, M(2024, 11)), note="November 2024")
    s.S("and Georgia?", s.one("orders", GA, M(2024, 11)), note="follow-up: Georgia, November 2024")
    s.S("what about the month before?", s.one("orders", GA, M(2024, 10)), note="follow-up: Georgia, October 2024")
    s.A("by city", s.by("city", "orders", GA, M(2024, 10)), note="follow-up: Georgia orders by city, October 2024")

    s.session = "ho-s3"
    s.A("Top 3 categories by gross profit in 2023", s.top("category", "profit", 3, Y(2023)), order="exact")
    s.A("and by units?", s.top("category", "units", 3, Y(2023)), order="exact",
        note="follow-up: top 3 categories by units, 2023")
    s.A("bottom 3 instead", s.top("category", "units", 3, Y(2023), asc=True), order="exact",
        note="follow-up: bottom 3 categories by units, 2023")

    s.session = "ho-s4"
    s.S("What's the return rate in Q4 2024?", s.one("return_rate", Q(2024, 4)))
    s.S("for Store only", s.one("return_rate", STORE, Q(2024, 4)), note="follow-up: Store, 2024-Q4")
    s.C("compare with Q4 2023", s.cols([s.m("return_rate", Q(2023, 4)), s.m("return_rate", Q(2024, 4))], STORE),
        note="follow-up: the Store return rate in 2023-Q4 and 2024-Q4")
    s.session = None

    # ------------------------------------------------------------ abstain
    for q, n in [
        ("Forecast revenue for Q1 2025", "a forecast: the data holds no future"),
        ("what will sales be next month?", "a forecast"),
        ("Convert last year's revenue to euros", "no currency or exchange rate in the data"),
        ("What was revenue in GBP in 2024?", "no exchange rate in the data"),
        ("Is it going to snow in Denver this weekend?", "weather: out of scope"),
        ("Delete the cancelled orders from 2022", "changes data"),
        ("change the status of order ORD-2024-000012345 to Delivered", "changes data"),
        ("Add a new category called Pets", "changes data"),
        ("Revenue by brand in 2024", "no brand dimension"),
        ("Which sales associate closed the most orders last quarter?", "no sales associate dimension"),
        ("Gross profit by supplier", "no supplier dimension"),
        ("How many Laptops do we have in stock right now?", "no inventory in the data"),
        ("Revenue by customer age group", "no age in the data"),
        ("What was the ROI on our ad campaigns last month?", "no marketing spend in the data"),
        ("What's our website bounce rate?", "no web analytics in the data"),
        ("Who won the World Series in 2024?", "out of scope"),
    ]:
        s.N(q, note=n)


# ------------------------------------------------------ bench (gen_sales.py)


def bench_questions(s):
    """python3 shared/bench/gen_sales.py --rows 100000 --seed 5: 2022-01-01 ..
    2024-12-30 23:41.  Regions are the data's own (Central, East, South, West);
    Electronics margins drop in 2024 by construction."""
    ELEC, CLO, HOME, TOYS, SPORTS, BEAUTY = (cat(c) for c in (
        "Electronics", "Clothing", "Home", "Toys", "Sports", "Beauty"))
    CA, TX, NY, FL = st("CA"), st("TX"), st("NY"), st("FL")

    # ------------------------------------------------------ single figures
    s.S("What was revenue in 2022?", s.one(R, Y(2022)))
    s.S("sales in agust 2024", s.one(R, M(2024, 8)), note=TYPO + "August")
    s.S("How many orders did we have in Q1 2023?", s.one("orders", Q(2023, 1)))
    s.S("total qty sold in 2024", s.one("units", Y(2024)), note="qty = units")
    s.S("aov for the store channel in 2024", s.one("aov", STORE, Y(2024)))
    s.S("What is the ASP for Audio products in 2023?", s.one("asp", sub("Audio"), Y(2023)),
        note="Audio is a sub-category")
    s.S("Gross profit from Beauty in 2024", s.one("profit", BEAUTY, Y(2024)))
    s.S("gross margin for electronics this year", s.one("margin", ELEC, YTD), note="2024-01-01 .. 2024-12-30")
    s.S("How many customers purchsed in H1 2024?", s.one("customers", H(2024, 1)), note=TYPO + "purchased")
    s.S("cancellation rate Q4 2024", s.one("cancel_rate", Q(2024, 4)))
    s.S("What percent of orders were returned in 2023?", s.one("return_rate", Y(2023)),
        note="the return rate: returned orders / all orders, as a fraction")
    s.S("Revenue in Illinios in 2023", s.one(R, st("IL"), Y(2023)), note=TYPO + "Illinois")
    s.S("Sales in Chicago last quarter", s.one(R, city("Chicago"), Q(2024, 3)), note="last quarter = 2024-Q3")
    s.S("Revenue for the East region YTD", s.one(R, reg("East"), YTD))
    s.S("How much did Marketplace sell last month?", s.one(R, MKT, M(2024, 11)), note="November 2024; revenue")
    s.S("orders in the last 14 days", s.one("orders", LAST14), note="2024-12-17 .. 2024-12-30")
    s.S("units sold last week", s.one("units", LAST_WEEK), note="Monday 2024-12-23 .. Sunday 2024-12-29")
    s.S("Revenue for the past 90 dyas", s.one(R, LAST90), note=TYPO + "days; 2024-10-02 .. 2024-12-30")
    s.S("MTD revenue for Electronics", s.one(R, ELEC, MTD), note="2024-12-01 .. 2024-12-30")
    s.S("Revenue from 1 Oct 2024 to 15 Oct 2024", s.one(R, D("2024-10-01", "2024-10-15")), note="both ends inclusive")
    s.S("How many orders were cancelled last month?", s.one("orders", eq("status", "Cancelled"), M(2024, 11)),
        note="filters by status Cancelled; November 2024")
    s.S("Total revenue since March", s.one(R, P("2024-03-01", TO)), note="2024-03-01 .. 2024-12-30")
    s.S("Revenue in Washington state in 2024", s.one(R, st("WA"), Y(2024)))
    s.S("avg discount in Q4 2024", s.one("discount", Q(2024, 4)), note="revenue-weighted mean of discount")
    s.S("Gross profit last year for the West Coast", s.one("profit", WEST_COAST, Y(2023)),
        note="West Coast = CA OR WA; 2023")
    s.S("Revenue on 2024-11-29", s.one(R, D("2024-11-29")))
    s.S("How many records are in the dataset?", s.one("lines"), note="line count, no status filter")
    s.S("revenue in q2", s.one(R, Q(2024, 2)), note="bare Q2 = Q2 2024, the anchor's year")

    # ------------------------------------------------------------ tables
    s.A("Revenue by region 2024", s.by("region", R, Y(2024)))
    s.A("Sales per channel for last year", s.by("channel", R, Y(2023)), note="2023")
    s.A("orders by catgory in Q4 2024", s.by("category", "orders", Q(2024, 4)), note=TYPO + "category")
    s.A("AOV per state in 2024", s.by("state", "aov", Y(2024)))
    s.A("Gross margin by sub-category for Electronics in 2024", s.by("sub_category", "margin", ELEC, Y(2024)))
    s.A("Return rate by region in 2024", s.by("region", "return_rate", Y(2024)))
    s.A("Cancellation rate by segment last year", s.by("segment", "cancel_rate", Y(2023)))
    s.A("Montly revenue 2022", s.by(ML, R, Y(2022)), order="exact", note=TYPO + "monthly")
    s.A("Monthly orders for the last 6 months", s.by(ML, "orders", P("2024-07-01", TO)), order="exact",
        note="rolling 6 months ending at the anchor: July .. December 2024")
    s.A("Quarterly units for 2024", s.by(QL, "units", Y(2024)), order="exact")
    s.A("Revenue by year and region", s.by([YL, "region"], R), note="two dimensions: [year, region, revenue]")
    s.A("Revenue by category and segment in 2024", s.by(["category", "segment"], R, Y(2024)))
    s.A("Weekly revenue for the last 6 full weeks", s.by(WL, R, D("2024-11-18", "2024-12-29")), order="exact",
        note="the 6 complete Monday-Sunday weeks before the anchor's week: 2024-11-18 .. 2024-12-29")
    s.A("Daily revenue from Dec 16 to Dec 22 2024", s.by(DL, R, D("2024-12-16", "2024-12-22")), order="exact")
    s.A("Top 5 sub-categories by revenue in 2024", s.top("sub_category", R, 5, Y(2024)), order="exact")
    s.A("Botom 3 states by orders in 2024", s.top("state", "orders", 3, Y(2024), asc=True), order="exact",
        note=TYPO + "bottom")
    s.A("Which city had the highest AOV in 2023?", s.top("city", "aov", 1, Y(2023)), order="exact")
    s.A("best month of 2024 by orders", s.top(ML, "orders", 1, Y(2024)), order="exact")
    s.A("Which category had the lowest return rate in 2023?", s.top("category", "return_rate", 1, Y(2023), asc=True),
        order="exact")
    s.A("top 3 states by gross profit last year", s.top("state", "profit", 3, Y(2023)), order="exact")
    s.A("Which region sold the most units in Q3 2024?", s.top("region", "units", 1, Q(2024, 3)), order="exact")
    s.A("Which channel had the highest gross margin in 2024?", s.top("channel", "margin", 1, Y(2024)), order="exact")
    s.A("Top 5 SKUs by revenue in Q4 2024", s.top("sku", R, 5, Q(2024, 4)), order="exact")
    s.A("Orders by quarter and channel in 2023", s.by([QL, "channel"], "orders", Y(2023)),
        note="two dimensions: [quarter, channel, orders]")
    s.A("yearly gross profit", s.by(YL, "profit"), order="exact")
    s.A("monthly margin for Electronics in 2024", s.by(ML, "margin", ELEC, Y(2024)), order="exact")

    # -------------------------------------------------------- comparisons
    s.C("Revenue 2023 vs 2024", s.cols([s.m(R, Y(2023)), s.m(R, Y(2024))]))
    s.C("YoY order growth in 2024", yoy(s, "orders", Y(2024), Y(2023)))
    s.C("How did revenue change from Octber to November 2024?", yoy(s, R, M(2024, 11), M(2024, 10)),
        note=TYPO + "October")
    s.C("QoQ revenue growth for Q2 2024", yoy(s, R, Q(2024, 2), Q(2024, 1)))
    s.C("compare CA and NY revenue in 2023", s.cols([s.m(R, CA), s.m(R, NY)], Y(2023)))
    s.C("Store vs Online AOV 2024", s.cols([s.m("aov", STORE), s.m("aov", ONLINE)], Y(2024)))
    s.C("How did the Electronics gross margin change from 2023 to 2024?",
        s.cols([s.m("margin", Y(2023)), s.m("margin", Y(2024))], ELEC))
    s.C("Compare Q4 2023 and Q4 2024 orders", s.cols([s.m("orders", Q(2023, 4)), s.m("orders", Q(2024, 4))]))
    s.C("MoM units growth last month", yoy(s, "units", M(2024, 11), M(2024, 10)),
        note="November 2024 against October 2024")
    s.C("Revenue growth by region, 2024 vs 2023", s.by("region", [growth(s.m(R, Y(2024)), s.m(R, Y(2023)))]),
        shape="rows", order="any")
    s.C("Which segment grew revenue the fastest in 2024?",
        s.top("segment", growth(s.m(R, Y(2024)), s.m(R, Y(2023))), 1), shape="rows", order="exact",
        note="YoY growth: 2024 against 2023")
    s.C("How much more revenue did Online make than Store in 2023?",
        s.cols([diff(s.m(R, ONLINE), s.m(R, STORE))], Y(2023)))
    s.C("Compare the return rates of Clothing and Home in 2024",
        s.cols([s.m("return_rate", CLO), s.m("return_rate", HOME)], Y(2024)))
    s.C("Central vs South orders in 2024", s.cols([s.m("orders", reg("Central")), s.m("orders", reg("South"))],
                                                  Y(2024)))
    s.C("Difference in customers between 2022 and 2023", s.cols([diff(s.m("customers", Y(2023)),
                                                                     s.m("customers", Y(2022)))]),
        note="2023 minus 2022")
    s.C("Sports vs Toys revenue H2 2024", s.cols([s.m(R, SPORTS), s.m(R, TOYS)], H(2024, 2)))
    s.C("YTD revenue vs same period last year", yoy(s, R, YTD, P("2023-01-01", "2023-12-31")),
        note="2024-01-01 .. 2024-12-30 against 2023-01-01 .. 2023-12-30")
    s.C("last week's revenue compared to the previous week", yoy(s, R, LAST_WEEK, WEEK_BEFORE),
        note="2024-12-23 .. 12-29 against 2024-12-16 .. 12-22")
    s.C("How did the number of orders change from H1 to H2 2023?", yoy(s, "orders", H(2023, 2), H(2023, 1)))
    s.C("comparre Q1 2024 vs Q1 2023 revenue by category",
        s.by("category", [s.m(R, Q(2023, 1)), s.m(R, Q(2024, 1))]), shape="rows", order="any",
        note=TYPO + "compare")

    # ------------------------------------------------------------ complex
    s.X("What share of 2024 revenue came from the Online channel?", s.cols([share(s.m(R, ONLINE), s.m(R))], Y(2024)),
        shape="value")
    s.X("Percentage of 2023 orders from the Corporate segment",
        s.cols([share(s.m("orders", seg("Corporate")), s.m("orders"))], Y(2023)), shape="value",
        note="share of orders; an order has one segment")
    s.X("Share of revenue by category in 2024", share_by(s, "category", "sum(amount)", Y(2024)))
    s.X("Which states had an AOV above 450 in 2024?", s.filter_by("state", "aov", "v1 > 450", Y(2024)))
    s.X("Which sub-categories had a return rate above 3.1% in 2024?",
        s.filter_by("sub_category", "return_rate", "v1 > 0.031", Y(2024)))
    s.X("Which categories are trending down in margin?", s.trend("category", "margin", "2023-12", 12, -1),
        note="slope of the monthly gross margin over the last 12 complete months (2023-12 .. 2024-11) < 0")
    s.X("Which regions are trending up?", s.trend("region", R, "2023-12", 12, +1),
        note="revenue slope > 0 over 2023-12 .. 2024-11")
    g = [s.m(R, Y(2022)), s.m(R, Y(2023)), growth(s.m(R, Y(2023)), s.m(R, Y(2022)))]
    s.X("Which categories grew revenue by more than 20% from 2022 to 2023?",
        s.filter_by("category", g, "v3 > 0.20", show=["v3"]))
    s.X("Which states had lower revenue in 2024 than in 2023?",
        s.filter_by("state", [s.m(R, Y(2023)), s.m(R, Y(2024))], "v2 < v1"))
    s.X("What share of West region revenue came from California in 2024?",
        s.cols([share(s.m(R, CA), s.m(R))], reg("West"), Y(2024)), shape="value")
    s.X("Average revenue per customer last year", s.cols([expr("sum(amount) / 1e4 / count(DISTINCT customer_id)")],
                                                         Y(2023)), shape="value",
        note="revenue / customers, both with the status rule; 2023")
    s.X("Which region contributed the most to revenue growth in 2024 vs 2023?",
        s.top("region", diff(s.m(R, Y(2024)), s.m(R, Y(2023))), 1), order="exact",
        note="the largest absolute increase of revenue")

    # ------------------------------------------------------ conversations
    s.session = "ho-s5"
    s.A("Orders by region in Q3 2024", s.by("region", "orders", Q(2024, 3)))
    s.A("only Marketplace", s.by("region", "orders", MKT, Q(2024, 3)), note="follow-up: Marketplace, 2024-Q3")
    s.A("what about Q4?", s.by("region", "orders", MKT, Q(2024, 4)), note="follow-up: Marketplace, 2024-Q4")

    s.session = "ho-s6"
    s.S("What was the AOV in Texas in 2024?", s.one("aov", TX, Y(2024)))
    s.S("and in Florida?", s.one("aov", FL, Y(2024)), note="follow-up: Florida, 2024")
    s.A("by quarter", s.by(QL, "aov", FL, Y(2024)), order="exact", note="follow-up: Florida AOV by quarter of 2024")

    s.session = None

    # ------------------------------------------------------------ abstain
    for q, n in [
        ("Project revenue for 2025", "a forecast"),
        ("Show 2024 sales in Canadian dollars", "no exchange rate in the data"),
        ("Revenue by payment type in 2024", "no payment dimension"),
        ("Remove all pending orders", "changes data"),
        ("What's the weather in Seattle right now?", "weather: out of scope"),
        ("Which product colour sold best last year?", "no colour dimension"),
        ("What is our inventory turnover ratio?", "no inventory in the data"),
        ("Which marketing campaign drove the most orders in November?", "no campaign in the data"),
    ]:
        s.N(q, note=n)


MAKERS = {"gen": gen_questions, "bench": bench_questions}


# ------------------------------------------------------------------- check


def check(ria, bench_gen):
    """Validates the stored files: check_golden.py's format rules, ids unique
    over every golden file, and each definition re-run against fresh data."""
    import check_golden as cg
    t0 = time.time()
    seen, sessions, problems, per = {}, {}, [], {}
    for name in gd.DATASETS:           # the other sets' ids and sessions, to catch clashes
        cg.check_format(gd.FILES[name], seen, sessions)
    for name, path in FILES.items():
        items, p = cg.check_format(path, seen, sessions)
        per[name] = items
        problems += p
        ids = [it["id"] for _, it in items]
        if any(not i.startswith("ho-") for i in ids):
            problems.append("%s: ids must start with ho-" % path)
    rerun = 0
    if not problems:
        with gd.Workdir() as wd:
            dbs = build(ria, bench_gen, wd, list(HOLDOUT))
            for name, items in per.items():
                for where, it in items:
                    if it["category"] == "abstain":
                        continue
                    want = it["expect"]
                    try:
                        got = gd.evaluate(dbs[name], it["definition"], gd.shape_of(want), want.get("order"))
                    except Exception as ex:
                        problems.append("%s: definition fails: %s" % (where, ex))
                        continue
                    rerun += 1
                    if not cg.same(got, want):
                        problems.append("%s: definition gives %s, expect says %s"
                                        % (where, json.dumps(got)[:300], json.dumps(want)[:300]))
    for name, items in per.items():
        print_counts(name, [it for _, it in items])
    for p in problems:
        print("FAIL " + p)
    print("%d questions, %d definitions re-run, %d problems (%.1f s)"
          % (sum(len(v) for v in per.values()), rerun, len(problems), time.time() - t0))
    return 1 if problems else 0


def print_counts(name, items):
    counts = {}
    for it in items:
        counts[it["category"]] = counts.get(it["category"], 0) + 1
    print("%-13s %4d questions  %s  (%d in conversations)" % (
        "holdout_" + name, len(items), "  ".join("%s %d" % (c, counts.get(c, 0)) for c in gd.CATEGORIES),
        sum(1 for it in items if "session" in it)))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ria", help="the ria binary (default: ./ria at the repository root)")
    ap.add_argument("--bench-gen", default=BENCH_GEN, help="the shared reference generator (default: %(default)s)")
    ap.add_argument("--only", choices=sorted(HOLDOUT), action="append")
    ap.add_argument("--print", action="store_true", help="print the questions and answers")
    ap.add_argument("--warn", action="store_true", help="list answers a judge could not tell apart")
    ap.add_argument("--check", action="store_true", help="validate the stored files instead of writing them")
    a = ap.parse_args()
    ria = gd.find_ria(a.ria)
    if a.check:
        return check(ria, a.bench_gen)
    names = a.only or list(HOLDOUT)
    counters = {}   # ids are numbered across both files: ho-S001 .. in gen, then on in bench
    with gd.Workdir() as wd:
        dbs = build(ria, a.bench_gen, wd, list(HOLDOUT))
        for name in HOLDOUT:
            s = mg.Set(name, db=dbs[name], **SET_KW)
            s.counters = counters
            MAKERS[name](s)
            if name not in names:
                continue
            ids = [it["id"] for it in s.items]
            assert len(ids) == len(set(ids))
            with open(FILES[name], "w") as f:
                for it in s.items:
                    f.write(json.dumps(it, ensure_ascii=False) + "\n")
            print_counts(name, s.items)
            if a.warn:
                mg.warn_close(s.items)
            if a.print:
                for it in s.items:
                    e = json.dumps(it["expect"])
                    print("%s [%s] %s\n    %s" % (it["id"], it.get("session", ""), it["question"],
                                                 e if len(e) < 400 else e[:400] + " ..."))
    return 0


if __name__ == "__main__":
    sys.exit(main())
