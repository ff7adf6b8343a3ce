#!/usr/bin/env python3
"""Writes the golden question sets of tests/golden: gen.jsonl, superstore.jsonl,
amazon.jsonl and uci.jsonl.

Every expected answer is computed here with SQLite over `ria export` of the
stored table (see golden_data.py for how the export is loaded), never with
ria's own query engine; the SQL is kept as each question's `definition`.
The product definitions applied are those of SEMANTICS.md; the `note` of a
question names the rule that decides it when there is one.

usage: make_golden.py [--ria PATH] [--only NAME]... [--print] [--warn]
Python 3 standard library only; the same output on every run.
"""
import argparse
import datetime
import json
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import golden_data as gd  # noqa: E402

# ------------------------------------------------------------------ SQL bits


def lit(v):
    return "'" + v.replace("'", "''") + "'"


def _day(s):
    return datetime.date.fromisoformat(s)


def P(a, b):
    """order dates in [a, b)"""
    return "order_date >= '%s' AND order_date < '%s'" % (a, b)


def D(a, b=None):
    """whole days a..b inclusive"""
    return P(a, (_day(b or a) + datetime.timedelta(days=1)).isoformat())


def Y(y):
    return P("%d-01-01" % y, "%d-01-01" % (y + 1))


def M(y, m):
    return P("%d-%02d-01" % (y, m), "%d-%02d-01" % (y + (m == 12), m % 12 + 1))


def Q(y, n):
    return P("%d-%02d-01" % (y, 3 * n - 2), "%d-%02d-01" % (y + (n == 4), (3 * n) % 12 + 1))


def H(y, h):
    return P("%d-%02d-01" % (y, 6 * h - 5), "%d-%02d-01" % (y + (h == 2), (6 * h) % 12 + 1))


def AND(*c):
    c = [x for x in c if x]
    return " AND ".join("(%s)" % x if " OR " in x else x for x in c)


def OR(*c):
    return "(" + " OR ".join(c) + ")"


def eq(col, v):
    return "%s = %s" % (col, lit(v))


def isin(col, vs):
    return "%s IN (%s)" % (col, ", ".join(lit(v) for v in vs))


# time labels
YL = "substr(order_date, 1, 4)"
QL = "substr(order_date, 1, 4) || '-Q' || ((CAST(substr(order_date, 6, 2) AS INTEGER) + 2) / 3)"
ML = "substr(order_date, 1, 7)"
DL = "substr(order_date, 1, 10)"
WL = "date(order_date, 'weekday 0', '-6 days')"   # the Monday of the week (Monday..Sunday)
TIME_LABELS = (YL, QL, ML, DL, WL)


class E(str):
    """A SQL expression that knows whether the status rule applies to it."""
    filtered = True


def expr(s, filtered=True):
    e = E(s)
    e.filtered = filtered
    return e


def growth(new, old):
    """new / old - 1"""
    return expr("(%s) * 1.0 / (%s) - 1" % (new, old), new.filtered or old.filtered)


def diff(new, old):
    return expr("(%s) - (%s)" % (new, old), new.filtered or old.filtered)


def share(part, whole):
    return expr("(%s) * 1.0 / (%s)" % (part, whole), part.filtered or whole.filtered)


# ----------------------------------------------------------------- a data set


class Set:
    """The questions of one data set and the SQL vocabulary for it."""

    def __init__(self, name, prefix, db, ok=None, cancel=None, ret=None, profit=None):
        self.name, self.prefix, self.db = name, prefix, db
        self.ok = ok              # the status rule: rows that are sales
        self.cancel, self.ret = cancel, ret
        self.profit = profit      # "profit" (a column) or "cost" (amount - cost) or None
        self.items = []
        self.counters = {}
        self.session = None

    # metrics ---------------------------------------------------------------
    def m(self, metric, cond=None):
        def c(col):
            return col if cond is None else "CASE WHEN %s THEN %s END" % (cond, col)
        A, O, U = c("amount"), c("order_id"), c("quantity")
        if metric == "revenue":
            return expr("sum(%s) / 1e4" % A)
        if metric == "orders":
            return expr("count(DISTINCT %s)" % O)
        if metric == "units":
            return expr("sum(%s)" % U)
        if metric == "aov":
            return expr("sum(%s) / 1e4 / count(DISTINCT %s)" % (A, O))
        if metric == "asp":
            return expr("sum(%s) / 1e4 / sum(%s)" % (A, U))
        if metric == "customers":
            return expr("count(DISTINCT %s)" % c("customer_id"))
        if metric == "discount":
            return expr("sum(%s * discount) / 1e4 / sum(%s)" % (A, A))
        if metric in ("profit", "margin"):
            if self.profit == "profit":
                p = "sum(%s)" % c("profit")
            elif self.profit == "cost":
                p = "(sum(%s) - sum(%s))" % (A, c("cost"))
            else:
                raise ValueError("%s has no profit" % self.name)
            if metric == "profit":
                return expr("%s / 1e4" % p)
            return expr("%s * 1.0 / sum(%s)" % (p, A))
        if metric in ("cancel_rate", "return_rate"):
            st = self.cancel if metric == "cancel_rate" else self.ret
            k = st if cond is None else "%s AND %s" % (st, cond)
            return expr("count(DISTINCT CASE WHEN %s THEN order_id END) * 1.0 / count(DISTINCT %s)"
                        % (k, O), False)
        if metric == "lines":
            return expr("count(*)" if cond is None else "count(%s)" % c("1"), False)
        raise ValueError(metric)

    def _exprs(self, ms):
        if isinstance(ms, str) and not isinstance(ms, E):
            ms = [ms]
        elif isinstance(ms, E):
            ms = [ms]
        return [x if isinstance(x, E) else self.m(x) for x in ms]

    def where(self, exprs, conds, status, dims=()):
        if status is None:
            # SEMANTICS: the status rule applies unless the question filters or
            # groups by status, and never to the "no status filter" metrics
            status = (any(e.filtered for e in exprs) and not any("status" in c for c in conds)
                      and not any("status" in d for d in dims))
        w = AND(self.ok if (status and self.ok) else "", *conds)
        return " WHERE " + w if w else ""

    # queries -----------------------------------------------------------------
    def one(self, metric, *conds, status=None):
        es = self._exprs(metric)
        return "SELECT %s FROM sales%s" % (", ".join(es), self.where(es, conds, status))

    def by(self, dims, metrics, *conds, status=None, sort=None, limit=None, having=None):
        dims = [dims] if isinstance(dims, str) else list(dims)
        es = self._exprs(metrics)
        sel = ", ".join(dims + list(es))
        g = ", ".join(str(i + 1) for i in range(len(dims)))
        sql = "SELECT %s FROM sales%s GROUP BY %s" % (sel, self.where(es, conds, status, dims), g)
        if having:
            sql += " HAVING " + having
        if sort is None:
            sql += " ORDER BY " + g
        else:
            sql += " ORDER BY " + sort
        if limit:
            sql += " LIMIT %d" % limit
        return sql

    def top(self, dim, metric, n, *conds, asc=False, status=None):
        """top (or bottom) n of dim by metric; checks that there is no tie at the cut."""
        es = self._exprs(metric)
        sort = "2 %s, 1" % ("ASC" if asc else "DESC")
        full = self.by(dim, es, *conds, status=status, sort=sort)
        vals = [r[1] for r in self.db.execute(full).fetchall()]
        assert len(vals) >= n, (full, vals)
        if len(vals) > n:
            assert abs(vals[n - 1] - vals[n]) > 1e-9 * max(1, abs(vals[n])), ("tie at the cut", full)
        top = vals[:n]
        assert len(set(top)) == len(top), ("tie inside the top", full)
        return self.by(dim, es, *conds, status=status, sort=sort, limit=n)

    def cols(self, exprs, *conds, status=None):
        """one row: several figures (for comparisons)"""
        es = self._exprs(exprs)
        return "SELECT %s FROM sales%s" % (", ".join(es), self.where(es, conds, status))

    def filter_by(self, dim, metrics, test, *conds, status=None, show=None):
        """the dim values whose metrics pass `test` (SQL over columns v1, v2, ...);
        shows the columns listed in `show` (default: all)."""
        es = self._exprs(metrics)
        names = ["v%d" % (i + 1) for i in range(len(es))]
        inner = "SELECT %s AS k, %s FROM sales%s GROUP BY 1" % (
            dim, ", ".join("%s AS %s" % (e, n) for e, n in zip(es, names)),
            self.where(es, conds, status))
        shown = names if show is None else show
        return "SELECT %s FROM (%s) WHERE %s ORDER BY k" % (", ".join(["k"] + shown), inner, test)

    def trend(self, dim, metric, first, months, sign, *conds, also=None, fill=True):
        """dim values whose monthly series of `metric` over `months` months from
        `first` (YYYY-MM) has a least-squares slope with the given sign (+1 / -1);
        `also` = (metric, sign) adds a second series that must trend as given."""
        y, mo = map(int, first.split("-"))
        end_y, end_m = y + (mo - 1 + months) // 12, (mo - 1 + months) % 12 + 1
        span = P("%s-01" % first, "%d-%02d-01" % (end_y, end_m))
        parts = [(metric, sign)] + ([also] if also else [])
        ctes = ["mon(i, ym) AS (SELECT 0, '%s' UNION ALL SELECT i + 1, substr(date(ym || '-01', "
                "'+1 month'), 1, 7) FROM mon WHERE i < %d)" % (first, months - 1)]
        where = AND(self.ok or "", span, *conds)
        ctes.append("grp(k) AS (SELECT DISTINCT %s FROM sales WHERE %s)" % (dim, where))
        tests = []
        for j, (met, sg) in enumerate(parts):
            e = self.m(met)
            ctes.append("ser%d AS (SELECT %s AS k, %s AS ym, %s AS v FROM sales WHERE %s GROUP BY 1, 2)"
                        % (j, dim, ML, e, where))
            if fill:
                y_ = "coalesce(ser%d.v, 0)" % j
                ctes.append("pts%d AS (SELECT grp.k, mon.i AS x, %s AS y FROM grp CROSS JOIN mon "
                            "LEFT JOIN ser%d ON ser%d.k = grp.k AND ser%d.ym = mon.ym)" % (j, y_, j, j, j))
            else:
                ctes.append("pts%d AS (SELECT ser%d.k, mon.i AS x, ser%d.v AS y FROM mon "
                            "JOIN ser%d ON ser%d.ym = mon.ym)" % (j, j, j, j, j))
            ctes.append("slope%d AS (SELECT k, (count(*) * sum(x * y) - sum(x) * sum(y)) * 1.0 / "
                        "(count(*) * sum(x * x) - sum(x) * sum(x)) AS b FROM pts%d GROUP BY k)" % (j, j))
            tests.append("k IN (SELECT k FROM slope%d WHERE b %s 0)" % (j, ">" if sg > 0 else "<"))
        sql = "WITH RECURSIVE " + ", ".join(ctes) + " SELECT k FROM grp WHERE " + " AND ".join(tests) + " ORDER BY k"
        # guard: no slope within rounding of 0
        for j, (met, sg) in enumerate(parts):
            chk = "WITH RECURSIVE " + ", ".join(ctes) + " SELECT k, b FROM slope%d" % j
            for k, b in self.db.execute(chk).fetchall():
                assert abs(b) > 1e-9, ("slope near 0", k, b)
        return sql

    # questions ---------------------------------------------------------------
    LETTER = {"simple": "S", "aggregation": "A", "comparison": "C", "complex": "X", "abstain": "N"}

    def add(self, category, question, sql, shape="value", order=None, note=None, session=None):
        if shape == "rows" and order is None:
            raise ValueError("rows need an order: " + question)
        self.counters[category] = self.counters.get(category, 0) + 1
        item = {"id": "%s-%s%03d" % (self.prefix, self.LETTER[category], self.counters[category]),
                "category": category, "question": question}
        if category == "abstain":
            item["expect"] = {"abstain": True}
        else:
            item["expect"] = gd.evaluate(self.db, sql, shape, order)
            item["definition"] = sql
            if shape == "rows" and not item["expect"]["rows"]:
                raise ValueError("empty answer: " + question)
            if shape == "value" and item["expect"]["value"] is None:
                raise ValueError("null answer: " + question)
        s = session if session is not None else self.session
        if s:
            item["session"] = s
        if note:
            item["note"] = note
        self.items.append(item)
        return item

    def S(self, q, sql, **kw):
        return self.add("simple", q, sql, **kw)

    def A(self, q, sql, order="any", **kw):
        return self.add("aggregation", q, sql, shape="rows", order=order, **kw)

    def C(self, q, sql, shape="contains", **kw):
        return self.add("comparison", q, sql, shape=shape, **kw)

    def X(self, q, sql, shape="rows", order="any", **kw):
        return self.add("complex", q, sql, shape=shape, order=order if shape == "rows" else None, **kw)

    def N(self, q, note=None, **kw):
        return self.add("abstain", q, None, note=note, **kw)


# ------------------------------------------------------------- gen questions

GEN_TO = "2024-12-31"   # exclusive end of "to date" periods: the anchor is 2024-12-30


def gen_questions(s):
    """ria gen --rows 200000 --seed 7: order dates 2022-01-01 .. 2024-12-30 23:43,
    so the anchor ("today") is Monday 2024-12-30: last month = 2024-11, last
    quarter = 2024-Q3, last year = 2023, last week = 2024-12-23 .. 2024-12-29."""
    R = "revenue"
    CA, TX, NY = eq("state", "CA"), eq("state", "TX"), eq("state", "NY")
    WEST_COAST = isin("state", ["CA", "OR", "WA"])
    EAST_COAST = isin("state", ["ME", "NH", "MA", "RI", "CT", "NY", "NJ", "DE", "MD", "VA", "NC",
                                "SC", "GA", "FL"])
    ELEC = eq("category", "Electronics")
    ONLINE, STORE, MKT = eq("channel", "Online"), eq("channel", "Store"), eq("channel", "Marketplace")
    YTD = P("2024-01-01", GEN_TO)
    LAST12 = P("2023-12-31", GEN_TO)
    anchor_note = "the anchor is the latest order date, 2024-12-30"

    # ------------------------------------------------------ single figures
    jan = s.one(R, M(2024, 1))
    s.S("What was total revenue in January 2024?", jan)
    s.S("revenue jan 2024", jan)
    s.S("Show me sales for Jan '24", jan, note="'Sales' alone means revenue")
    s.S("How much did we sell in 2024-01?", jan)
    s.S("can you tell me the turnover for january 2024 please", jan, note="turnover = revenue")
    s.S("Total revenu in January 2024", jan, note="typo for revenue")
    s.S("January 2024: what were our takings?", jan, note="takings = revenue")
    s.S("What was total revenue in February 2024?", s.one(R, M(2024, 2)))
    s.S("What was total revenue in January 2023?", s.one(R, M(2023, 1)))

    o23 = s.one("orders", Y(2023))
    s.S("How many orders did we get in 2023?", o23)
    s.S("number of orders last year", o23, note="last year = 2023, the calendar year before the anchor's")
    s.S("Order count for 2023", o23)
    s.S("What was the sales count in 2023?", o23, note="SEMANTICS: 'sales count' means orders")
    s.S("how many transactions did we have in 2023", o23, note="transactions = orders")
    s.S("How many orders did we get in 2022?", s.one("orders", Y(2022)))
    s.S("How many orders did we get in the year before last?", s.one("orders", Y(2022)),
        note="the year before last = 2022 (" + anchor_note + ")")

    u_q2 = s.one("units", Q(2024, 2))
    s.S("Total units sold in Q2 2024", u_q2)
    s.S("How many items did we sell in the second quarter of 2024?", u_q2)
    s.S("units sold in Q2", u_q2, note="a bare Q2 is Q2 of the anchor's year (2024), which has started")
    s.S("Quantity sold from April to June 2024", u_q2)
    s.S("Total units sold in Q3 2024", s.one("units", Q(2024, 3)))

    aov24 = s.one("aov", Y(2024))
    s.S("What is the average order value in 2024?", aov24)
    s.S("AOV this year", aov24, note="this year = 2024-01-01 .. anchor 2024-12-30, all of the 2024 data")
    s.S("what's our avg order value for 2024", aov24)
    s.S("Average basket in 2024", aov24, note="SEMANTICS: average basket / basket size = AOV = revenue / orders")
    s.S("What was the AOV in 2023?", s.one("aov", Y(2023)))

    lap = eq("sub_category", "Laptops")
    asp_lap = s.one("asp", lap, Y(2024))
    s.S("Average selling price of laptops in 2024", asp_lap)
    s.S("ASP for Laptops in 2024", asp_lap)
    s.S("What was the average price of a laptop sold this year?", asp_lap,
        note="average price = ASP = revenue / units")
    s.S("ASP for Phones in 2024", s.one("asp", eq("sub_category", "Phones"), Y(2024)))

    gp_home = s.one("profit", eq("category", "Home"), Y(2023))
    s.S("Gross profit for Home products in 2023", gp_home)
    s.S("How much profit did the Home category make last year?", gp_home, note="profit = gross profit = amount - cost")
    s.S("What were the earnings of Home in 2023?", gp_home, note="SEMANTICS: earnings = gross profit")
    s.S("Gross profit for Toys in 2023", s.one("profit", eq("category", "Toys"), Y(2023)))

    gm24 = s.one("margin", Y(2024))
    s.S("What was our gross margin in 2024?", gm24)
    s.S("profit margin for 2024", gm24)
    s.S("Margin % this year", gm24)
    s.S("Gross margin of Electronics in Q4 2024", s.one("margin", ELEC, Q(2024, 4)))

    cust_mar = s.one("customers", M(2024, 3))
    s.S("How many unique customers bought something in March 2024?", cust_mar)
    s.S("number of shoppers in march", cust_mar, note="a bare month is that month of the anchor's year (March 2024)")
    s.S("Buyers in Mar 2024?", cust_mar)
    s.S("how many custmers did we have in March 2024", cust_mar, note="typo for customers")
    s.S("How many customers did we have in 2024?", s.one("customers", Y(2024)),
        note="customers with at least one order that is not cancelled or returned")

    disc24 = s.one("discount", Y(2024))
    s.S("What was the average discount in 2024?", disc24,
        note="SEMANTICS: average discount is the revenue-weighted mean of discount")
    s.S("avg discount rate this year", disc24, note="revenue-weighted mean of discount")
    s.S("Average discount on Electronics in Q4 2024", s.one("discount", ELEC, Q(2024, 4)),
        note="revenue-weighted mean of discount")

    cr24 = s.one("cancel_rate", Y(2024))
    s.S("What was the cancellation rate in 2024?", cr24,
        note="cancelled orders / all orders, no status filter")
    s.S("% cancelled in 2024", cr24)
    s.S("What share of 2024 orders were cancelled?", cr24)
    s.S("Cancel rate for the Online channel in 2024", s.one("cancel_rate", ONLINE, Y(2024)))
    rr_clo = s.one("return_rate", eq("category", "Clothing"), Y(2024))
    s.S("What was the return rate for Clothing in 2024?", rr_clo, note="returned orders / all orders, no status filter")
    s.S("returns % for clothing this year", rr_clo)
    s.S("Return rate in 2023", s.one("return_rate", Y(2023)))

    s.S("How many rows are in the data?", s.one("lines"), note="line count = count(*) with no status filter")
    s.S("How many records do we have for 2024?", s.one("lines", Y(2024)), note="line count, no status filter")
    s.S("Number of order lines in December 2024", s.one("lines", M(2024, 12)))

    ca_el = s.one(R, ELEC, CA, Q(2024, 1))
    s.S("Electronics sales in California in Q1 2024", ca_el)
    s.S("electornics revenue in Califronia, first quarter of 2024", ca_el, note="typos for Electronics and California")
    s.S("CA electronics sales Q1 '24", ca_el)
    s.S("What were Electronics sales in CA between January and March 2024?", ca_el)
    s.S("Electronics sales in Texas in Q1 2024", s.one(R, ELEC, TX, Q(2024, 1)))

    tx_q3 = s.one(R, TX, Q(2024, 3))
    s.S("How much did we sell in Texas last quarter?", tx_q3, note="last quarter = 2024-Q3 (" + anchor_note + ")")
    s.S("Texas revenue in Q3 2024", tx_q3)
    s.S("TX sales Jul-Sep 2024", tx_q3)
    tx24 = s.one(R, TX, Y(2024))
    s.S("REVENUE IN TEXAS IN 2024???", tx24)
    s.S("   sales   in texas ,  2024 ", tx24)
    s.S("tx revenue 2024", tx24)
    s.S("Sales, Texas, last month", s.one(R, TX, M(2024, 11)), note="last month = November 2024")
    s.S("Revenue in Califronia in 2024", s.one(R, CA, Y(2024)), note="typo for California")
    s.S("how many orders from new york state in 2024", s.one("orders", NY, Y(2024)))
    s.S("whats the aov for electornics in 2024", s.one("aov", ELEC, Y(2024)), note="typo for Electronics")
    s.S("Show me the number of units we sold in December 2024, please", s.one("units", M(2024, 12)))

    s.S("Revenue in the West region in H1 2024", s.one(R, eq("region", "West"), H(2024, 1)))
    s.S("sales in the west, first half of 2024", s.one(R, eq("region", "West"), H(2024, 1)),
        note="'the west' is the region West: the data has its own region column")
    s.S("Revenue in the West region in the second half of 2024", s.one(R, eq("region", "West"), H(2024, 2)))
    s.S("What was West Coast revenue in 2024?", s.one(R, WEST_COAST, Y(2024)),
        note="SEMANTICS: West Coast = CA OR WA (differs from the West region, which also has AZ CO NV)")
    s.S("How many orders came from the East Coast in 2024?", s.one("orders", EAST_COAST, Y(2024)),
        note="SEMANTICS: East Coast states; in this data MA NJ NY FL GA NC VA")
    s.S("Revenue from the Online channel in December 2023", s.one(R, ONLINE, M(2023, 12)))
    s.S("Store revenue in December 2023", s.one(R, STORE, M(2023, 12)))

    lm = s.one(R, M(2024, 11))
    s.S("Revenue last month", lm, note="last month = November 2024 (" + anchor_note + ")")
    s.S("What were sales in the previous month?", lm, note="previous month = November 2024")
    s.S("How much revenue did we make in November 2024?", lm)
    s.S("Revenue the month before last", s.one(R, M(2024, 10)), note="October 2024")
    mtd = s.one(R, P("2024-12-01", GEN_TO))
    s.S("Revenue month to date", mtd, note="MTD = 2024-12-01 .. anchor 2024-12-30")
    s.S("MTD sales", mtd)
    s.S("What's revenue this month?", mtd, note="this month = MTD")
    s.S("Quarter-to-date revenue", s.one(R, P("2024-10-01", GEN_TO)), note="QTD = 2024-10-01 .. 2024-12-30")
    s.S("QTD orders", s.one("orders", P("2024-10-01", GEN_TO)))
    ytd = s.one(R, YTD)
    s.S("YTD revenue", ytd, note="YTD = 2024-01-01 .. anchor 2024-12-30")
    s.S("sales year to date", ytd)
    s.S("How much revenue have we made so far this year?", ytd)
    s.S("Revenue last year", s.one(R, Y(2023)), note="last year = 2023")
    s.S("How many orders did we get last quarter?", s.one("orders", Q(2024, 3)), note="last quarter = 2024-Q3")
    s.S("Revenue in the last 7 days", s.one(R, D("2024-12-24", "2024-12-30")),
        note="rolling window ending at the anchor, inclusive: 2024-12-24 .. 2024-12-30")
    s.S("Orders in the last 30 days", s.one("orders", D("2024-12-01", "2024-12-30")),
        note="2024-12-01 .. 2024-12-30 inclusive")
    s.S("How many orders in the past 14 days?", s.one("orders", D("2024-12-17", "2024-12-30")),
        note="2024-12-17 .. 2024-12-30")
    s.S("Units sold in the last 90 days", s.one("units", D("2024-10-02", "2024-12-30")),
        note="trailing 90 days: 2024-10-02 .. 2024-12-30 inclusive")
    s.S("Revenue over the past 12 months", s.one(R, LAST12),
        note="rolling 12 months ending at the anchor: (2023-12-30, 2024-12-30], i.e. 2023-12-31 .. 2024-12-30, "
             "the same way 'last 7 days' is (2024-12-23, 2024-12-30]")
    lw = s.one(R, D("2024-12-23", "2024-12-29"))
    s.S("Revenue last week", lw, note="last week = the Monday-Sunday week before the anchor's: 2024-12-23 .. 2024-12-29")
    s.S("How much did we sell the previous week?", lw, note="'how much did we sell' asks for revenue")
    s.S("What was revenue yesterday?", s.one(R, D("2024-12-29")), note="yesterday = the day before the anchor, 2024-12-29")
    s.S("How many orders today?", s.one("orders", D("2024-12-30")), note="today = the anchor, 2024-12-30")
    s.S("Revenue on December 25, 2024", s.one(R, D("2024-12-25")))
    s.S("revenue on 2024-12-26", s.one(R, D("2024-12-26")))
    mar = s.one(R, D("2024-03-01", "2024-03-15"))
    s.S("Revenue between March 1 and March 15 2024", mar, note="both ends inclusive")
    s.S("sales from 2024-03-01 to 2024-03-15", mar)
    s.S("Revenue since June", s.one(R, P("2024-06-01", GEN_TO)),
        note="since June = 2024-06-01 .. anchor (June of the anchor's year)")
    s.S("Total revenue from 2023 through 2024", s.one(R, P("2023-01-01", "2025-01-01")),
        note="a range: one total over both years")
    s.S("Revenue in the second half of 2023", s.one(R, H(2023, 2)))
    s.S("Orders in Jan '23", s.one("orders", M(2023, 1)))
    s.S("What was revenue in Q4?", s.one(R, Q(2024, 4)), note="bare Q4 = Q4 2024, the anchor's year (it has started)")

    s.S("How many units of Shoes did we sell in 2024?", s.one("units", eq("sub_category", "Shoes"), Y(2024)),
        note="Shoes is a sub-category")
    s.S("Revenue in San Francisco in 2024", s.one(R, eq("city", "San Francisco"), Y(2024)))
    s.S("How many orders came from Chicago last month?", s.one("orders", eq("city", "Chicago"), M(2024, 11)))
    s.S("What were sales in New York in 2024?", s.one(R, NY, Y(2024)),
        note="'New York' is the state name (= NY); the city is 'New York City'")
    s.S("New York City revenue in 2024", s.one(R, eq("city", "New York City"), Y(2024)))
    s.S("Corporate segment revenue in 2024", s.one(R, eq("segment", "Corporate"), Y(2024)))
    s.S("How many Home Office customers did we have in 2024?",
        s.one("customers", eq("segment", "Home Office"), Y(2024)))
    s.S("How many orders were cancelled in 2024?", s.one("orders", eq("status", "Cancelled"), Y(2024)),
        note="the question filters by status, so the status rule does not exclude them")
    s.S("How many returned orders did we have in Q4 2024?", s.one("orders", eq("status", "Returned"), Q(2024, 4)),
        note="filter on status Returned")
    s.S("Revenue from delivered orders in December 2024", s.one(R, eq("status", "Delivered"), M(2024, 12)))
    s.S("How many orders are pending?", s.one("orders", eq("status", "Pending")),
        note="all orders whose status is Pending, no time filter")
    s.S("Units returned in 2024", s.one("units", eq("status", "Returned"), Y(2024)))
    s.S("Units sold of SKU CLO-KID-0324 in 2024", s.one("units", eq("sku", "CLO-KID-0324"), Y(2024)))
    s.S("revenue of ELE-ACC-0360 in 2024", s.one(R, eq("sku", "ELE-ACC-0360"), Y(2024)))
    s.S("How many Electronics units did we sell through the Marketplace channel in 2022?",
        s.one("units", ELEC, MKT, Y(2022)))
    tot = s.one(R)
    s.S("Total revenue", tot, note="all dates, cancellations and returns excluded")
    s.S("What's our all-time revenue?", tot)
    s.S("Gross profit on the West Coast in Q4 2024", s.one("profit", WEST_COAST, Q(2024, 4)))
    s.S("How many customers bought Grocery in 2024?", s.one("customers", eq("category", "Grocery"), Y(2024)))
    s.S("Consumer revenue in the South in 2023", s.one(R, eq("segment", "Consumer"), eq("region", "South"), Y(2023)))
    s.S("In 2024, what was the AOV for Online?", s.one("aov", ONLINE, Y(2024)))
    s.S("What was the total volume sold in Q4 2024?", s.one("units", Q(2024, 4)), note="SEMANTICS: volume = units")
    s.S("GMV in 2022", s.one(R, Y(2022)), note="GMV = revenue")

    # ------------------------------------------------------------ tables
    cat24 = s.by("category", R, Y(2024))
    s.A("Revenue by category in 2024", cat24)
    s.A("show me 2024 sales for each category", cat24)
    s.A("Break down 2024 revenue per category", cat24)
    s.A("REVENUE BY CATEGORY 2024!!!", cat24)
    s.A("In 2024, what was revenue by category?", cat24)
    s.A("Revenue by category in 2023", s.by("category", R, Y(2023)))
    s.A("revenue by categroy for last year", s.by("category", R, Y(2023)), note="typo for category; last year = 2023")
    s.A("Per channel, how many customers did we have in 2024?", s.by("channel", "customers", Y(2024)))
    reg23 = s.by("region", R, Y(2023))
    s.A("Sales by region last year", reg23, note="last year = 2023")
    s.A("revenue for each region in 2023", reg23)
    s.A("Orders by channel in 2024", s.by("channel", "orders", Y(2024)))
    s.A("Units sold by channel for Clothing in 2024", s.by("channel", "units", eq("category", "Clothing"), Y(2024)))
    s.A("Revenue by customer segment in the West region in 2024", s.by("segment", R, eq("region", "West"), Y(2024)))
    s.A("Average order value by channel in 2024", s.by("channel", "aov", Y(2024)))
    s.A("Gross margin by category in 2024", s.by("category", "margin", Y(2024)))
    s.A("Profit by sub-category in 2023", s.by("sub_category", "profit", Y(2023)), note="profit = gross profit")
    s.A("How many customers did we have in each region in 2024?", s.by("region", "customers", Y(2024)))
    s.A("ASP by sub-category for Electronics in 2024", s.by("sub_category", "asp", ELEC, Y(2024)))
    s.A("Number of orders by status in 2024", s.by("status", "orders", Y(2024)),
        note="grouped by status, so every status is shown")
    s.A("Revenue by status in 2024", s.by("status", R, Y(2024)), note="grouped by status: no status exclusion")
    s.A("Cancellation rate by channel in 2024", s.by("channel", "cancel_rate", Y(2024)))
    s.A("return rate per category, 2024", s.by("category", "return_rate", Y(2024)))
    s.A("Average discount by category in 2024", s.by("category", "discount", Y(2024)),
        note="revenue-weighted mean of discount")
    s.A("How many rows are there for each status?", s.by("status", "lines"), note="line count, all dates")
    s.A("Revenue by region and channel in 2024", s.by(["region", "channel"], R, Y(2024)),
        note="two dimensions: each row is [region, channel, revenue]")
    s.A("Units by category and segment in Q4 2024", s.by(["category", "segment"], "units", Q(2024, 4)))
    s.A("Orders by year and channel", s.by([YL, "channel"], "orders"), order="any")

    m24 = s.by(ML, R, Y(2024))
    s.A("Monthly revenue in 2024", m24, order="exact")
    s.A("revenue by month for 2024", m24, order="exact")
    s.A("Show me month-by-month sales in 2024", m24, order="exact")
    s.A("Monthly orders in 2023", s.by(ML, "orders", Y(2023)), order="exact")
    s.A("Revenue by month for Electronics in 2023", s.by(ML, R, ELEC, Y(2023)), order="exact")
    s.A("Quarterly revenue for Electronics in 2023", s.by(QL, R, ELEC, Y(2023)), order="exact")
    s.A("Revenue by quarter in 2024", s.by(QL, R, Y(2024)), order="exact")
    s.A("orders per quarter last year", s.by(QL, "orders", Y(2023)), order="exact", note="last year = 2023")
    s.A("Average order value by quarter in 2024", s.by(QL, "aov", Y(2024)), order="exact")
    yr = s.by(YL, R)
    s.A("Revenue by year", yr, order="exact")
    s.A("annual revenue", yr, order="exact")
    s.A("Yearly units sold", s.by(YL, "units"), order="exact")
    d7 = s.by(DL, R, D("2024-12-24", "2024-12-30"))
    s.A("Daily revenue for the last 7 days", d7, order="exact", note="2024-12-24 .. 2024-12-30")
    s.A("revenue per day over the last seven days", d7, order="exact")
    s.A("Daily orders from December 1 to December 7, 2024", s.by(DL, "orders", D("2024-12-01", "2024-12-07")), order="exact")
    s.A("Daily revenue last week", s.by(DL, R, D("2024-12-23", "2024-12-29")), order="exact",
        note="last week = Monday 2024-12-23 .. Sunday 2024-12-29")
    w4 = s.by(WL, R, D("2024-12-02", "2024-12-29"))
    s.A("Weekly revenue for the last 4 full weeks", w4, order="exact",
        note="weeks run Monday-Sunday and are labelled by their Monday; the last 4 complete weeks "
             "before the anchor's week: 2024-12-02 .. 2024-12-29")
    s.A("Weekly orders between 2 and 29 December 2024", s.by(WL, "orders", D("2024-12-02", "2024-12-29")),
        order="exact", note="weeks labelled by their Monday")
    s.A("Weekly units for the 13 weeks from July 1 to September 29, 2024",
        s.by(WL, "units", D("2024-07-01", "2024-09-29")), order="exact", note="weeks labelled by their Monday")
    s.A("Monthly revenue for the last 6 months", s.by(ML, R, P("2024-07-01", GEN_TO)), order="exact",
        note="rolling 6 months ending at the anchor: (2024-06-30, 2024-12-30], i.e. July .. December 2024")
    s.A("Monthly gross margin in 2024", s.by(ML, "margin", Y(2024)), order="exact")
    s.A("Customers per month in H1 2024", s.by(ML, "customers", H(2024, 1)), order="exact")

    s.A("Top 5 states by revenue in 2023", s.top("state", R, 5, Y(2023)), order="exact")
    s.A("Which 3 states had the most orders in 2024?", s.top("state", "orders", 3, Y(2024)), order="exact")
    s.A("Bottom 3 sub-categories by gross margin in 2024", s.top("sub_category", "margin", 3, Y(2024), asc=True),
        order="exact")
    s.A("Which city had the highest revenue in Texas in 2024?", s.top("city", R, 1, TX, Y(2024)), order="exact")
    s.A("Which city had the lowest revenue in Texas in 2024?", s.top("city", R, 1, TX, Y(2024), asc=True), order="exact")
    s.A("What was the best-selling sub-category by units in 2024?", s.top("sub_category", "units", 1, Y(2024)),
        order="exact")
    s.A("Worst month of 2024 by revenue", s.top(ML, R, 1, Y(2024), asc=True), order="exact")
    s.A("Which month of 2024 had the highest revenue?", s.top(ML, R, 1, Y(2024)), order="exact")
    s.A("Which channel had the lowest AOV in 2024?", s.top("channel", "aov", 1, Y(2024), asc=True), order="exact")
    s.A("Top 3 cities by orders in Q4 2024", s.top("city", "orders", 3, Q(2024, 4)), order="exact")
    s.A("Which category had the most customers in 2024?", s.top("category", "customers", 1, Y(2024)), order="exact")
    s.A("Which sub-category made the least gross profit in 2023?",
        s.top("sub_category", "profit", 1, Y(2023), asc=True), order="exact")
    s.A("Top 10 SKUs by revenue last month", s.top("sku", R, 10, M(2024, 11)), order="exact")
    s.A("Top SKU by units sold in 2024", s.top("sku", "units", 1, Y(2024)), order="exact")
    s.A("top 3 skus by revenue 2024", s.top("sku", R, 3, Y(2024)), order="exact")
    s.A("Which state had the lowest revenue in 2024?", s.top("state", R, 1, Y(2024), asc=True), order="exact")
    s.A("Bottom 5 cities by revenue in 2024", s.top("city", R, 5, Y(2024), asc=True), order="exact")
    s.A("Which day in December 2024 had the highest revenue?", s.top(DL, R, 1, M(2024, 12)), order="exact")
    s.A("Busiest month of 2023 by number of orders", s.top(ML, "orders", 1, Y(2023)), order="exact")
    s.A("Which segment had the highest AOV in 2024?", s.top("segment", "aov", 1, Y(2024)), order="exact")
    s.A("Top 3 categories by gross profit in 2024", s.top("category", "profit", 3, Y(2024)), order="exact")
    s.A("Which region had the highest gross margin in 2024?", s.top("region", "margin", 1, Y(2024)), order="exact")

    # -------------------------------------------------------- comparisons
    q1, q2 = Q(2024, 1), Q(2024, 2)
    s.C("Compare Q1 vs Q2 2024 revenue by category",
        s.by("category", [s.m(R, q1), s.m(R, q2)], P("2024-01-01", "2024-07-01")), shape="rows", order="any")
    r23, r24 = s.m(R, Y(2023)), s.m(R, Y(2024))
    s.C("What was year over year revenue growth in 2024?", s.cols([r23, r24, growth(r24, r23)], P("2023-01-01", "2025-01-01")),
        note="YoY: the calendar year 2024 against 2023 (a named year is the whole year); growth = new / old - 1")
    s.C("YoY revenue growth for 2024", s.cols([r23, r24, growth(r24, r23)], P("2023-01-01", "2025-01-01")))
    e23, e24 = s.m(R, Y(2023)), s.m(R, Y(2024))
    s.C("How did Electronics revenue change from 2023 to 2024?",
        s.cols([e23, e24, growth(e24, e23)], ELEC, P("2023-01-01", "2025-01-01")))
    os_ = s.cols([s.m(R, ONLINE), s.m(R, STORE)], Y(2024))
    s.C("Online vs Store revenue in 2024", os_)
    s.C("compare online and store sales for 2024", os_)
    catx = s.cols([s.m(R, CA), s.m(R, TX)], Y(2024))
    s.C("Compare revenue in California and Texas in 2024", catx)
    s.C("CA vs TX sales 2024", catx)
    oct_, nov = s.m(R, M(2024, 10)), s.m(R, M(2024, 11))
    mom = s.cols([oct_, nov, growth(nov, oct_)], P("2024-10-01", "2024-12-01"))
    s.C("Month over month revenue change in November 2024", mom)
    s.C("MoM revenue growth for last month", mom, note="last month = November 2024, against October 2024")
    rq2, rq3 = s.m(R, Q(2024, 2)), s.m(R, Q(2024, 3))
    s.C("QoQ revenue growth in Q3 2024", s.cols([rq2, rq3, growth(rq3, rq2)], P("2024-04-01", "2024-10-01")))
    oq2, oq3 = s.m("orders", Q(2024, 2)), s.m("orders", Q(2024, 3))
    s.C("How did orders change last quarter compared to the quarter before?",
        s.cols([oq2, oq3, growth(oq3, oq2)], P("2024-04-01", "2024-10-01")), note="2024-Q3 against 2024-Q2")
    s.C("Year over year revenue growth by category for 2024",
        s.by("category", [growth(s.m(R, Y(2024)), s.m(R, Y(2023)))]), shape="rows", order="any")
    s.C("Which region grew revenue the fastest in 2024 compared with 2023?",
        s.top("region", growth(s.m(R, Y(2024)), s.m(R, Y(2023))), 1), shape="rows", order="exact")
    s.C("Which category grew the least in 2024 vs 2023?",
        s.top("category", growth(s.m(R, Y(2024)), s.m(R, Y(2023))), 1, asc=True), shape="rows", order="exact",
        note="growth of revenue")
    s.C("Compare the gross margin of Electronics in 2023 and 2024",
        s.cols([s.m("margin", Y(2023)), s.m("margin", Y(2024))], ELEC))
    s.C("Q4 2024 vs Q4 2023 revenue by channel",
        s.by("channel", [s.m(R, Q(2024, 4)), s.m(R, Q(2023, 4))], OR(Q(2024, 4), Q(2023, 4))), shape="rows", order="any")
    o23_, o24_ = s.m("orders", Y(2023)), s.m("orders", Y(2024))
    s.C("How many more orders did we get in 2024 than in 2023?", s.cols([diff(o24_, o23_)]))
    jf = s.cols([s.m(R, M(2024, 1)), s.m(R, M(2024, 2))], P("2024-01-01", "2024-03-01"))
    s.C("Compare January and February 2024 revenue", jf)
    s.C("jan vs feb 2024 sales", jf)
    y_new, y_old = s.m(R, YTD), s.m(R, P("2023-01-01", "2023-12-31"))
    ytdc = s.cols([y_old, y_new, growth(y_new, y_old)])
    s.C("How does YTD revenue compare with the same period last year?", ytdc,
        note="YTD = 2024-01-01 .. 2024-12-30; the same period a year earlier = 2023-01-01 .. 2023-12-30 (SEMANTICS YoY)")
    s.C("YoY growth of year-to-date revenue", ytdc, note="same period one year earlier: 2023-01-01 .. 2023-12-30")
    s.C("East vs West revenue in 2024", s.cols([s.m(R, eq("region", "East")), s.m(R, eq("region", "West"))], Y(2024)),
        note="regions of the data's own region column")
    s.C("Consumer vs Corporate AOV in 2024",
        s.cols([s.m("aov", eq("segment", "Consumer")), s.m("aov", eq("segment", "Corporate"))], Y(2024)))
    s.C("Cancellation rate in 2023 vs 2024", s.cols([s.m("cancel_rate", Y(2023)), s.m("cancel_rate", Y(2024))]))
    s.C("Compare H1 and H2 2023 revenue", s.cols([s.m(R, H(2023, 1)), s.m(R, H(2023, 2))], Y(2023)))
    s.C("December 2024 vs December 2023 units",
        s.cols([s.m("units", M(2024, 12)), s.m("units", M(2023, 12))], OR(M(2024, 12), M(2023, 12))))
    w_new, w_old = s.m(R, D("2024-12-23", "2024-12-29")), s.m(R, D("2024-12-16", "2024-12-22"))
    s.C("Week over week revenue change last week", s.cols([w_old, w_new, growth(w_new, w_old)], D("2024-12-16", "2024-12-29")),
        note="last week (2024-12-23 .. 2024-12-29) against the week before (2024-12-16 .. 2024-12-22), as MoM/QoQ")
    mom_sql = ("WITH m AS (SELECT %s AS ym, sum(amount) AS r FROM sales WHERE %s GROUP BY 1) "
               "SELECT a.ym, a.r * 1.0 / b.r - 1 FROM m a JOIN m b "
               "ON b.ym = substr(date(a.ym || '-01', '-1 month'), 1, 7) WHERE a.ym >= '2024-01' ORDER BY a.ym"
               % (ML, AND(s.ok, P("2023-12-01", "2025-01-01"))))
    s.C("Month-over-month revenue growth for each month of 2024", mom_sql, shape="rows", order="exact",
        note="each month against the previous one (January 2024 against December 2023); December 2024 runs to the anchor")
    c23, c24 = s.m("customers", Y(2023)), s.m("customers", Y(2024))
    s.C("How did the number of customers change from 2023 to 2024?", s.cols([c23, c24, growth(c24, c23)]))
    s.C("Compare units sold in Q1 2024 and Q1 2023 for Sports",
        s.cols([s.m("units", Q(2024, 1)), s.m("units", Q(2023, 1))], eq("category", "Sports")))
    on23, on24 = s.m("orders", Y(2023)), s.m("orders", Y(2024))
    s.C("YoY growth in orders for the Online channel in 2024", s.cols([on23, on24, growth(on24, on23)], ONLINE))
    s.C("Revenue in New York vs New Jersey in H1 2024",
        s.cols([s.m(R, NY), s.m(R, eq("state", "NJ"))], H(2024, 1)), note="state names = codes")
    s.C("Compare AOV Online vs Marketplace in Q4 2024", s.cols([s.m("aov", ONLINE), s.m("aov", MKT)], Q(2024, 4)))
    g3, g4 = s.m("margin", Q(2024, 3)), s.m("margin", Q(2024, 4))
    s.C("How did gross margin change from Q3 to Q4 2024?", s.cols([g3, g4]))
    s.C("YoY revenue growth by region for 2024",
        s.by("region", [s.m(R, Y(2023)), s.m(R, Y(2024)), growth(s.m(R, Y(2024)), s.m(R, Y(2023)))]),
        shape="rows", order="any")
    s.C("2022 vs 2023 vs 2024 revenue", s.cols([s.m(R, Y(2022)), s.m(R, Y(2023)), s.m(R, Y(2024))]))
    s.C("Difference in revenue between Online and Store in 2024", s.cols([diff(s.m(R, ONLINE), s.m(R, STORE))], Y(2024)))
    s.C("Compare revenue in Q4 2024 and Q4 2023 by category",
        s.by("category", [s.m(R, Q(2023, 4)), s.m(R, Q(2024, 4))], OR(Q(2024, 4), Q(2023, 4))), shape="rows", order="any")

    # ------------------------------------------------------------ complex
    top3 = ("SELECT (SELECT sum(r) FROM (%s)) * 1.0 / (SELECT sum(amount) FROM sales WHERE %s)"
            % (s.top("category", expr("sum(amount)"), 3, Y(2024)).replace("SELECT category, sum(amount)",
                                                                         "SELECT category, sum(amount) AS r"),
               AND(s.ok, Y(2024))))
    s.X("What share of 2024 revenue came from the top 3 categories?", top3, shape="value")
    s.X("top 3 categories' share of revenue in 2024", top3, shape="value")
    s.X("What percentage of Electronics revenue came from California in 2024?",
        s.cols([share(s.m(R, CA), s.m(R))], ELEC, Y(2024)), shape="value")
    tot24 = "(SELECT sum(amount) FROM sales WHERE %s)" % AND(s.ok, Y(2024))
    s.X("Share of revenue by channel in 2024", s.by("channel", expr("sum(amount) * 1.0 / " + tot24), Y(2024)))
    s.X("What percentage of 2024 revenue came from Online?", s.cols([share(s.m(R, ONLINE), s.m(R))], Y(2024)),
        shape="value")
    s.X("What share of 2024 orders came from the Online channel?",
        s.cols([share(s.m("orders", ONLINE), s.m("orders"))], Y(2024)), shape="value",
        note="share of orders (not revenue); an order has one channel")
    s.X("What percentage of 2024 revenue came from the West Coast?",
        s.cols([share(s.m(R, WEST_COAST), s.m(R))], Y(2024)), shape="value", note="West Coast = CA OR WA")
    top5 = ("SELECT (SELECT sum(r) FROM (%s)) * 1.0 / %s"
            % (s.top("state", expr("sum(amount)"), 5, Y(2024)).replace("SELECT state, sum(amount)",
                                                                      "SELECT state, sum(amount) AS r"), tot24))
    s.X("What share of 2024 revenue did the top 5 states account for?", top5, shape="value")
    tot23 = "(SELECT sum(amount) FROM sales WHERE %s)" % AND(s.ok, Y(2023))
    s.X("What share of total revenue did each region account for in 2023?",
        s.by("region", expr("sum(amount) * 1.0 / " + tot23), Y(2023)))
    gr = [s.m(R, Y(2023)), s.m(R, Y(2024)), growth(s.m(R, Y(2024)), s.m(R, Y(2023)))]
    s.X("Which states grew revenue by more than 15% in 2024 compared to 2023?",
        s.filter_by("state", gr, "v3 > 0.15", show=["v3"]))
    s.X("states with YoY revenue growth above 25% in 2024", s.filter_by("state", gr, "v3 > 0.25", show=["v3"]))
    s.X("Which cities had lower revenue in 2024 than in 2023?", s.filter_by("city", gr, "v2 < v1", show=["v1", "v2"]))
    s.X("Which sub-categories grew revenue by less than 5% in 2024?",
        s.filter_by("sub_category", gr, "v3 < 0.05", show=["v3"]), note="growth against 2023")
    s.X("Sub-categories with gross margin below 20% in 2024",
        s.filter_by("sub_category", "margin", "v1 < 0.20", Y(2024)))
    s.X("Which states had more than 5000 orders in 2024?", s.filter_by("state", "orders", "v1 > 5000", Y(2024)))
    s.X("Months of 2024 with revenue above 1.5 million", s.filter_by(ML, R, "v1 > 1500000", Y(2024)))
    s.X("Which categories had a cancellation rate above 6% in 2024?",
        s.filter_by("category", "cancel_rate", "v1 > 0.06", Y(2024)))
    s.X("Which categories are trending up?", s.trend("category", R, "2023-12", 12, +1),
        note="SEMANTICS: slope of the monthly revenue series over the last 12 complete months "
             "(2023-12 .. 2024-11; December 2024 is not complete at the anchor 2024-12-30)")
    s.X("Which categories are trending up but margins trending down?",
        s.trend("category", R, "2023-12", 12, +1, also=("margin", -1)),
        note="revenue slope > 0 and gross margin slope < 0 over 2023-12 .. 2024-11")
    s.X("Which sub-categories have declining gross margins?", s.trend("sub_category", "margin", "2023-12", 12, -1),
        note="least-squares slope of the monthly margin over the last 12 complete months (2023-12 .. 2024-11) < 0")
    s.X("Which sub-categories are trending down?", s.trend("sub_category", R, "2023-12", 12, -1),
        note="revenue slope < 0 over the last 12 complete months, 2023-12 .. 2024-11")
    s.X("Which states are trending down in revenue?", s.trend("state", R, "2023-12", 12, -1),
        note="revenue slope < 0 over 2023-12 .. 2024-11")
    s.X("Which categories have AOV trending down?", s.trend("category", "aov", "2023-12", 12, -1),
        note="slope of the monthly AOV over 2023-12 .. 2024-11 < 0")
    s.X("Which regions had declining gross margins during 2023?", s.trend("region", "margin", "2023-01", 12, -1),
        note="span given: the monthly margin over the 12 months of 2023")
    s.X("Which sub-category had the biggest increase in units from Q3 to Q4 2024?",
        s.top("sub_category", diff(s.m("units", Q(2024, 4)), s.m("units", Q(2024, 3))), 1,
              P("2024-07-01", "2025-01-01")), order="exact")
    aov_big = ("SELECT state, aov FROM (SELECT state, %s AS aov, count(DISTINCT order_id) AS n FROM sales "
               "WHERE %s GROUP BY 1) WHERE n >= 5000 ORDER BY aov DESC LIMIT 1" % (s.m("aov"), AND(s.ok, Y(2024))))
    s.X("Among states with at least 5000 orders in 2024, which had the highest AOV?", aov_big, order="exact")
    top3m = ("SELECT category, %s FROM sales WHERE %s AND category IN (SELECT category FROM (%s)) GROUP BY 1 ORDER BY 1"
             % (s.m("margin"), AND(s.ok, Y(2024)), s.top("category", R, 3, Y(2024))))
    s.X("For the top 3 categories by 2024 revenue, what was each one's gross margin?", top3m)
    sh = ("SELECT channel FROM (SELECT channel, sum(CASE WHEN %s THEN amount END) * 1.0 / (SELECT sum(amount) "
          "FROM sales WHERE %s) - sum(CASE WHEN %s THEN amount END) * 1.0 / (SELECT sum(amount) FROM sales WHERE %s) "
          "AS d FROM sales WHERE %s GROUP BY 1) ORDER BY d DESC LIMIT 1"
          % (Y(2024), AND(s.ok, Y(2024)), Y(2023), AND(s.ok, Y(2023)), s.ok))
    s.X("Which channel's share of revenue grew the most from 2023 to 2024?", sh, order="exact",
        note="change of the share in percentage points (2024 share - 2023 share)")
    s.X("Which region had the highest return rate in 2024?", s.top("region", "return_rate", 1, Y(2024)), order="exact")
    s.X("Which state contributed the most to revenue growth from 2023 to 2024?",
        s.top("state", diff(s.m(R, Y(2024)), s.m(R, Y(2023))), 1), order="exact",
        note="largest absolute increase of revenue")
    s.X("What share of Q4 2024 revenue came from November?",
        s.cols([share(s.m(R, M(2024, 11)), s.m(R))], Q(2024, 4)), shape="value")
    s.X("What was the average revenue per customer in 2024?",
        s.cols([expr("sum(amount) / 1e4 / count(DISTINCT customer_id)")], Y(2024)), shape="value",
        note="revenue / customers, both with the status rule")

    # ------------------------------------------------------ conversations
    s.session = "gen-s1"
    s.A("Revenue by category in 2024", cat24)
    s.A("only Online", s.by("category", R, ONLINE, Y(2024)), note="follow-up: adds channel = Online")
    s.A("and in Texas?", s.by("category", R, ONLINE, TX, Y(2024)), note="follow-up: adds state = TX, keeps Online")
    s.A("what about last year?", s.by("category", R, ONLINE, TX, Y(2023)), note="follow-up: 2023 instead of 2024")

    s.session = "gen-s2"
    s.S("What was revenue in California in Q1 2024?", s.one(R, CA, Q(2024, 1)))
    s.S("and in Texas?", s.one(R, TX, Q(2024, 1)), note="follow-up: state TX instead of CA")
    s.S("what about Q2?", s.one(R, TX, Q(2024, 2)), note="follow-up: Texas, Q2 2024")
    s.A("break that down by month", s.by(ML, R, TX, Q(2024, 2)), order="exact",
        note="follow-up: Texas, Q2 2024, by month")

    s.session = "gen-s3"
    s.S("How many orders did we get last month?", s.one("orders", M(2024, 11)), note="November 2024")
    s.S("what about the month before?", s.one("orders", M(2024, 10)), note="follow-up: October 2024")
    s.A("by channel", s.by("channel", "orders", M(2024, 10)), note="follow-up: October 2024 by channel")
    s.S("only Store", s.one("orders", STORE, M(2024, 10)), note="follow-up: Store orders, October 2024")

    s.session = "gen-s4"
    s.A("Top 5 states by revenue in 2024", s.top("state", R, 5, Y(2024)), order="exact")
    s.A("and by orders?", s.top("state", "orders", 5, Y(2024)), order="exact",
        note="follow-up: top 5 states by orders in 2024")
    s.A("for Electronics only", s.top("state", "orders", 5, ELEC, Y(2024)), order="exact",
        note="follow-up: top 5 states by Electronics orders in 2024")

    s.session = "gen-s5"
    s.A("Gross margin by category in 2024", s.by("category", "margin", Y(2024)))
    s.A("What about 2023?", s.by("category", "margin", Y(2023)), note="follow-up: the same for 2023")
    s.S("just Electronics", s.one("margin", ELEC, Y(2023)), note="follow-up: Electronics, 2023")
    s.A("by quarter", s.by(QL, "margin", ELEC, Y(2023)), order="exact", note="follow-up: Electronics margin by quarter of 2023")

    s.session = "gen-s6"
    s.S("What's the cancellation rate this year?", s.one("cancel_rate", YTD))
    s.A("by channel", s.by("channel", "cancel_rate", YTD), note="follow-up: this year by channel")
    s.A("and last year?", s.by("channel", "cancel_rate", Y(2023)), note="follow-up: 2023 by channel")

    s.session = "gen-s7"
    s.S("Revenue in the West region in H1 2024", s.one(R, eq("region", "West"), H(2024, 1)))
    s.C("compare with H2", s.cols([s.m(R, H(2024, 1)), s.m(R, H(2024, 2))], eq("region", "West"), Y(2024)),
        note="follow-up: West, H1 2024 against H2 2024")
    s.C("by state", s.by("state", [s.m(R, H(2024, 1)), s.m(R, H(2024, 2))], eq("region", "West"), Y(2024)),
        shape="rows", order="any", note="follow-up: West states, H1 and H2 2024")

    s.session = "gen-s8"
    s.A("Which city had the highest revenue in Florida in 2024?", s.top("city", R, 1, eq("state", "FL"), Y(2024)),
        order="exact")
    s.A("and the lowest?", s.top("city", R, 1, eq("state", "FL"), Y(2024), asc=True), order="exact",
        note="follow-up: lowest revenue city in Florida, 2024")
    s.A("what about Georgia?", s.top("city", R, 1, eq("state", "GA"), Y(2024), asc=True), order="exact",
        note="follow-up: lowest revenue city in Georgia, 2024")

    s.session = "gen-s9"
    s.S("Units sold of Laptops in December 2024", s.one("units", lap, M(2024, 12)))
    s.S("and Phones?", s.one("units", eq("sub_category", "Phones"), M(2024, 12)), note="follow-up: Phones instead of Laptops")
    s.S("what about December 2023?", s.one("units", eq("sub_category", "Phones"), M(2023, 12)),
        note="follow-up: Phones, December 2023")

    s.session = "gen-s10"
    s.S("Revenue YTD", ytd)
    s.C("compared with the same period last year", ytdc, note="follow-up: YTD 2024 against 2023-01-01 .. 2023-12-30")
    s.C("by region", s.by("region", [y_old, y_new]), shape="rows", order="any",
        note="follow-up: YTD and the same period of 2023 by region")
    s.session = None

    # ------------------------------------------------------------ abstain
    for q, n in [
        ("What will the weather be in Chicago tomorrow?", "weather: out of scope"),
        ("Tell me a joke about retail", "out of scope"),
        ("What is our stock price today?", "stock prices are not in the data"),
        ("What's the price of Bitcoin?", "out of scope"),
        ("Delete all cancelled orders", "changes data: ria is read-only"),
        ("Update the price of CLO-KID-0324 to 10 dollars", "changes data"),
        ("DROP TABLE sales", "changes data"),
        ("Insert a new order for customer C0011939", "changes data"),
        ("Set every discount to zero for 2024", "changes data"),
        ("Revenue by shoe color in 2024", "no color dimension"),
        ("Which store manager had the best sales in 2024?", "no store manager dimension"),
        ("Sales by sales rep last quarter", "no sales rep dimension"),
        ("Revenue by payment method in 2024", "no payment method dimension"),
        ("How many orders did female customers place in 2024?", "no gender dimension"),
        ("What was foot traffic in our stores last month?", "foot traffic is not in the data"),
        ("What is the website conversion rate this year?", "no visits in the data"),
        ("How much inventory do we have on hand for Laptops?", "no inventory in the data"),
        ("How many employees work in the Texas stores?", "no headcount in the data"),
        ("What was our marketing spend in Q3 2024?", "no marketing spend in the data"),
        ("What is the average customer satisfaction score?", "no ratings in the data"),
        ("Which warehouse shipped the most orders?", "no warehouse dimension"),
        ("banana telescope quantum spreadsheet", "nonsense"),
        ("asdfgh qwerty", "nonsense"),
        ("What is the capital of France?", "out of scope"),
        ("Write a poem about our sales team", "out of scope"),
        ("How many visitors came to the website yesterday?", "no web analytics in the data"),
    ]:
        s.N(q, note=n)
# -------------------------------------------------------- fixture questions


def superstore_questions(s):
    """tests/fixtures/superstore.csv: order dates 2014-01-04 .. 2017-12-29, so the
    anchor is Friday 2017-12-29: last month = 2017-11, last quarter = 2017-Q3,
    last year = 2016.  No status column: every row is a sale.  Profit is a
    column; Region is the data's own; state names were stored as codes."""
    R = "revenue"
    TO = "2017-12-30"
    TECH, FURN = eq("category", "Technology"), eq("category", "Furniture")
    s.S("What were total sales in 2017?", s.one(R, Y(2017)), note="Sales = amount")
    s.S("Sales this year", s.one(R, P("2017-01-01", TO)), note="this year = 2017-01-01 .. anchor 2017-12-29")
    s.S("sales in 2016", s.one(R, Y(2016)))
    gp16 = s.one("profit", Y(2016))
    s.S("How much profit did we make last year?", gp16, note="last year = 2016; profit = the Profit column")
    s.S("Total profit in 2016", gp16)
    s.S("Profit margin for Technology in 2017", s.one("margin", TECH, Y(2017)), note="sum(Profit) / sum(Sales)")
    s.S("How many orders were placed in 2015?", s.one("orders", Y(2015)))
    s.S("How many units of Chairs were sold in 2016?", s.one("units", eq("sub_category", "Chairs"), Y(2016)))
    s.S("What was the AOV in 2017?", s.one("aov", Y(2017)))
    s.S("Average discount on Furniture in 2017", s.one("discount", FURN, Y(2017)),
        note="revenue-weighted mean of Discount")
    s.S("How many customers bought something in 2017?", s.one("customers", Y(2017)))
    ca17 = s.one(R, eq("state", "CA"), Y(2017))
    s.S("Sales in California in 2017", ca17, note="state names were stored as codes; California = CA")
    s.S("califronia sales 2017", ca17, note="typo for California")
    s.S("Sales in the West region in Q4 2017", s.one(R, eq("region", "West"), Q(2017, 4)))
    s.S("West Coast sales in 2016", s.one(R, isin("state", ["CA", "OR", "WA"]), Y(2016)),
        note="West Coast = CA OR WA")
    s.S("How many orders shipped Same Day in 2017?", s.one("orders", eq("ship_mode", "Same Day"), Y(2017)),
        note="Ship Mode is a dimension of its own")
    s.S("Sales shipped by Standard Class last quarter", s.one(R, eq("ship_mode", "Standard Class"), Q(2017, 3)),
        note="last quarter = 2017-Q3")
    s.S("Sales last month", s.one(R, M(2017, 11)), note="last month = November 2017")
    s.S("Corporate segment profit in 2017", s.one("profit", eq("segment", "Corporate"), Y(2017)))
    s.S("Sales of Copiers in 2016", s.one(R, eq("sub_category", "Copiers"), Y(2016)))
    s.S("How many records are there?", s.one("lines"), note="line count")
    s.S("ASP for Binders in 2017", s.one("asp", eq("sub_category", "Binders"), Y(2017)))
    s.S("Profit in New York City in 2017", s.one("profit", eq("city", "New York City"), Y(2017)))
    s.S("Total sales", s.one(R))
    s.S("Sales in the first half of 2015", s.one(R, H(2015, 1)))

    s.A("Profit by Sub-Category", s.by("sub_category", "profit"), note="all dates")
    s.A("Sales by region in 2017", s.by("region", R, Y(2017)))
    s.A("Sales by ship mode in 2017", s.by("ship_mode", R, Y(2017)))
    s.A("Number of orders per segment in 2016", s.by("segment", "orders", Y(2016)))
    s.A("Profit by category and region in 2017", s.by(["category", "region"], "profit", Y(2017)))
    s.A("Monthly sales in 2017", s.by(ML, R, Y(2017)), order="exact")
    s.A("Quarterly profit for 2016", s.by(QL, "profit", Y(2016)), order="exact")
    s.A("Sales by year", s.by(YL, R), order="exact")
    s.A("Top 5 states by sales in 2017", s.top("state", R, 5, Y(2017)), order="exact")
    s.A("Which sub-category had the lowest profit in 2017?", s.top("sub_category", "profit", 1, Y(2017), asc=True),
        order="exact")
    s.A("Top 3 products by sales in 2017", s.top("product_name", R, 3, Y(2017)), order="exact")
    s.A("Which city had the most orders in 2017?", s.top("city", "orders", 1, Y(2017)), order="exact")
    s.A("Bottom 3 sub-categories by profit margin", s.top("sub_category", "margin", 3, asc=True), order="exact",
        note="all dates")
    s.A("Units sold by category in 2017", s.by("category", "units", Y(2017)))
    s.A("How many customers per region in 2017?", s.by("region", "customers", Y(2017)))

    s16, s17 = s.m(R, Y(2016)), s.m(R, Y(2017))
    s.C("2016 vs 2017 sales", s.cols([s16, s17, growth(s17, s16)], P("2016-01-01", "2018-01-01")))
    p16, p17 = s.m("profit", Y(2016)), s.m("profit", Y(2017))
    s.C("YoY profit growth in 2017", s.cols([p16, p17, growth(p17, p16)], P("2016-01-01", "2018-01-01")))
    s.C("Compare Furniture and Technology profit in 2017", s.cols([s.m("profit", FURN), s.m("profit", TECH)], Y(2017)))
    s.C("Q3 vs Q4 2017 sales by region", s.by("region", [s.m(R, Q(2017, 3)), s.m(R, Q(2017, 4))], H(2017, 2)),
        shape="rows", order="any")
    s.C("How did the profit margin change from 2016 to 2017?",
        s.cols([s.m("margin", Y(2016)), s.m("margin", Y(2017))]))
    s.C("Standard Class vs First Class sales in 2017",
        s.cols([s.m(R, eq("ship_mode", "Standard Class")), s.m(R, eq("ship_mode", "First Class"))], Y(2017)))
    s.C("East vs West sales in 2017", s.cols([s.m(R, eq("region", "East")), s.m(R, eq("region", "West"))], Y(2017)))

    tot17 = "(SELECT sum(amount) FROM sales WHERE %s)" % Y(2017)
    s.X("What share of 2017 sales came from Technology?", s.cols([share(s.m(R, TECH), s.m(R))], Y(2017)), shape="value")
    s.X("Share of sales by segment in 2017", s.by("segment", expr("sum(amount) * 1.0 / " + tot17), Y(2017)))
    s.X("Which sub-categories lost money in 2017?", s.filter_by("sub_category", "profit", "v1 < 0", Y(2017)),
        note="negative profit")
    s.X("Which regions grew sales by more than 10% in 2017?",
        s.filter_by("region", [s16, s17, growth(s17, s16)], "v3 > 0.10", show=["v3"]), note="2017 against 2016")
    s.X("Which states had sales above 5000 in 2017?", s.filter_by("state", R, "v1 > 5000", Y(2017)))

    s.session = "ss-s1"
    s.A("Sales by region in 2016", s.by("region", R, Y(2016)))
    s.A("only Technology", s.by("region", R, TECH, Y(2016)), note="follow-up: Technology, 2016")
    s.A("what about 2017?", s.by("region", R, TECH, Y(2017)), note="follow-up: Technology, 2017")
    s.session = "ss-s2"
    s.S("Profit in Texas in 2017", s.one("profit", eq("state", "TX"), Y(2017)))
    s.S("and in California?", s.one("profit", eq("state", "CA"), Y(2017)), note="follow-up: CA instead of TX")
    s.A("by sub-category", s.by("sub_category", "profit", eq("state", "CA"), Y(2017)),
        note="follow-up: California 2017 profit by sub-category")
    s.session = None

    for q, n in [
        ("What was the cancellation rate in 2017?", "no status column: cancellations cannot be told"),
        ("Return rate by region", "no status column"),
        ("Delete all orders from Texas", "changes data"),
        ("Sales by shoe color", "no color dimension"),
        ("Which store manager sold the most chairs?", "no store manager dimension"),
        ("What was foot traffic in New York City last month?", "not in the data"),
        ("Will it rain in Seattle tomorrow?", "weather: out of scope"),
    ]:
        s.N(q, note=n)


def amazon_questions(s):
    """tests/fixtures/amazon.csv: order dates 2022-03-31 .. 2022-06-29 (INR), so
    the anchor is Wednesday 2022-06-29: last month = 2022-05, this month =
    2022-06-01 .. 2022-06-29, last quarter = 2022-Q1 (only 2022-03-31 has
    orders), last week = 2022-06-20 .. 2022-06-26.  Status values with
    "Cancelled" are cancellations, "Shipped - Returned to Seller" and
    "Shipped - Returning to Seller" returns; no cost, no customer id, no
    segment, no region."""
    R = "revenue"
    TO = "2022-06-30"
    SET, KURTA = eq("category", "Set"), eq("category", "kurta")
    may = s.one(R, M(2022, 5))
    s.S("What was revenue in May 2022?", may, note="cancelled and returned lines excluded (SEMANTICS status rule)")
    s.S("Total Amount in May 2022", may, note="Amount is the amount column")
    s.S("sales last month", may, note="last month = May 2022 (anchor 2022-06-29)")
    s.S("How many orders in April 2022?", s.one("orders", M(2022, 4)))
    mtd = s.one("units", P("2022-06-01", TO))
    s.S("Units sold this month", mtd, note="this month = 2022-06-01 .. 2022-06-29")
    s.S("MTD units", mtd)
    s.S("Kurta sales in June 2022", s.one(R, KURTA, M(2022, 6)), note="the category value is written 'kurta'")
    s.S("Revenue in Maharashtra in May 2022", s.one(R, eq("state", "MAHARASHTRA"), M(2022, 5)))
    s.S("karnataka revenue in may 2022", s.one(R, eq("state", "KARNATAKA"), M(2022, 5)))
    s.S("Revenue from Merchant fulfilled orders in June 2022", s.one(R, eq("fulfilment", "Merchant"), M(2022, 6)),
        note="Fulfilment is a dimension of its own (Amazon / Merchant)")
    s.S("What was the cancellation rate in May 2022?", s.one("cancel_rate", M(2022, 5)),
        note="cancelled orders / all orders, no status filter")
    s.S("Return rate in Q2 2022", s.one("return_rate", Q(2022, 2)),
        note="returns are 'Shipped - Returned to Seller' and 'Shipped - Returning to Seller'")
    s.S("How many orders were cancelled in June 2022?", s.one("orders", eq("status", "Cancelled"), M(2022, 6)))
    s.S("How many returned orders were there?", s.one("orders", s.ret),
        note="orders whose status is a return: 'Shipped - Returned to Seller' and 'Shipped - Returning to Seller'")
    s.S("AOV in May 2022", s.one("aov", M(2022, 5)))
    s.S("ASP for Set", s.one("asp", SET), note="all dates")
    s.S("How many lines are in the data?", s.one("lines"), note="line count after the 6 exact duplicate lines were dropped")
    s.S("Revenue in the last 7 days", s.one(R, D("2022-06-23", "2022-06-29")), note="2022-06-23 .. 2022-06-29")
    s.S("Orders in the past 30 days", s.one("orders", D("2022-05-31", "2022-06-29")), note="2022-05-31 .. 2022-06-29")
    s.S("QTD revenue", s.one(R, P("2022-04-01", TO)), note="this quarter = 2022-04-01 .. 2022-06-29")
    s.S("Revenue last quarter", s.one(R, Q(2022, 1)), note="last quarter = 2022-Q1; only 2022-03-31 has orders")
    s.S("Revenue last week", s.one(R, D("2022-06-20", "2022-06-26")), note="Monday 2022-06-20 .. Sunday 2022-06-26")
    s.S("Revenue for size XL in May 2022", s.one(R, eq("size", "XL"), M(2022, 5)))
    s.S("Revenue in Bengaluru in June 2022", s.one(R, eq("city", "BENGALURU"), M(2022, 6)))
    s.S("Expedited revenue in April 2022", s.one(R, eq("ship_service_level", "Expedited"), M(2022, 4)),
        note="ship-service-level value")
    s.S("Revenue from the Non-Amazon sales channel", s.one(R, eq("channel", "Non-Amazon")), note="all dates")

    s.A("Amount by Size for Set", s.by("size", R, SET), note="revenue by size for category Set, all dates")
    s.A("Revenue by category in May 2022", s.by("category", R, M(2022, 5)))
    s.A("Number of orders by status", s.by("status", "orders"), note="grouped by status: every status shown")
    s.A("Units by fulfilment", s.by("fulfilment", "units"))
    s.A("Top 5 states by revenue in Q2 2022", s.top("state", R, 5, Q(2022, 2)), order="exact")
    s.A("Which city had the highest revenue in June 2022?", s.top("city", R, 1, M(2022, 6)), order="exact")
    s.A("Monthly revenue", s.by(ML, R), order="exact", note="the four months with orders, 2022-03 .. 2022-06")
    s.A("Daily revenue for the last 7 days", s.by(DL, R, D("2022-06-23", "2022-06-29")), order="exact")
    s.A("Revenue by category and fulfilment in June 2022", s.by(["category", "fulfilment"], R, M(2022, 6)))
    s.A("AOV by category", s.by("category", "aov"))
    s.A("Cancellation rate by fulfilment", s.by("fulfilment", "cancel_rate"))
    s.A("Bottom 3 categories by units in May 2022", s.top("category", "units", 3, M(2022, 5), asc=True), order="exact")
    s.A("Which size sold the most units?", s.top("size", "units", 1), order="exact")

    a, m_ = s.m(R, M(2022, 4)), s.m(R, M(2022, 5))
    s.C("April vs May 2022 revenue", s.cols([a, m_], P("2022-04-01", "2022-06-01")))
    m5, m6 = s.m(R, M(2022, 5)), s.m(R, M(2022, 6))
    s.C("MoM revenue growth in June 2022", s.cols([m5, m6, growth(m6, m5)], P("2022-05-01", "2022-07-01")),
        note="June 2022 (to the anchor 2022-06-29) against May 2022")
    s.C("Compare Maharashtra and Karnataka revenue in Q2 2022",
        s.cols([s.m(R, eq("state", "MAHARASHTRA")), s.m(R, eq("state", "KARNATAKA"))], Q(2022, 2)))
    s.C("Amazon vs Merchant fulfilment revenue in May 2022",
        s.cols([s.m(R, eq("fulfilment", "Amazon")), s.m(R, eq("fulfilment", "Merchant"))], M(2022, 5)))
    s.C("kurta vs Set units in June 2022", s.cols([s.m("units", KURTA), s.m("units", SET)], M(2022, 6)))
    o4, o5 = s.m("orders", M(2022, 4)), s.m("orders", M(2022, 5))
    s.C("How did orders change from April to May 2022?", s.cols([o4, o5, growth(o5, o4)], P("2022-04-01", "2022-06-01")))

    s.X("What share of Q2 2022 revenue came from kurta?", s.cols([share(s.m(R, KURTA), s.m(R))], Q(2022, 2)),
        shape="value")
    tot = "(SELECT sum(amount) FROM sales WHERE %s)" % s.ok
    s.X("Share of revenue by fulfilment", s.by("fulfilment", expr("sum(amount) * 1.0 / " + tot)))
    s.X("Which categories had a cancellation rate above 15%?", s.filter_by("category", "cancel_rate", "v1 > 0.15"))
    s.X("Which states grew revenue by more than 50% from April to May 2022?",
        s.filter_by("state", [a, m_, growth(m_, a)], "v3 > 0.5", P("2022-04-01", "2022-06-01"), show=["v3"]))

    s.session = "az-s1"
    s.A("Revenue by category in April 2022", s.by("category", R, M(2022, 4)))
    s.A("and in June?", s.by("category", R, M(2022, 6)), note="follow-up: June 2022")
    s.A("only Merchant fulfilled", s.by("category", R, eq("fulfilment", "Merchant"), M(2022, 6)),
        note="follow-up: June 2022, Fulfilment = Merchant")
    s.session = "az-s2"
    s.S("Cancellation rate in April 2022", s.one("cancel_rate", M(2022, 4)))
    s.S("what about May?", s.one("cancel_rate", M(2022, 5)), note="follow-up: May 2022")
    s.A("by category", s.by("category", "cancel_rate", M(2022, 5)), note="follow-up: May 2022 by category")
    s.session = None

    for q, n in [
        ("What was the gross margin in May 2022?", "no cost or profit in the data"),
        ("How many unique customers bought in June?", "no customer id in the data"),
        ("Revenue by customer segment", "no segment in the data"),
        ("Revenue in the West region", "no region column and the states are not US states"),
        ("What was revenue in US dollars in May 2022?", "amounts are INR; no exchange rate in the data"),
        ("Cancel all pending orders", "changes data"),
        ("What is Amazon's share price?", "out of scope"),
    ]:
        s.N(q, note=n)


def uci_questions(s):
    """tests/fixtures/online_retail.csv: invoice dates 2010-12-01 .. 2011-12-05
    (the C... cancellation invoices have negative quantities and were
    quarantined), so the anchor is Monday 2011-12-05: last month = 2011-11,
    last year = 2010 (December only), last week = 2011-11-28 .. 2011-12-04.
    No status, no cost, no category; amount = Quantity x UnitPrice."""
    R = "revenue"
    TO = "2011-12-06"
    UK, FR, DE = eq("country", "United Kingdom"), eq("country", "France"), eq("country", "Germany")
    nov = s.one(R, M(2011, 11))
    s.S("Revenue in November 2011", nov, note="amount derived as Quantity x UnitPrice")
    s.S("sales last month", nov, note="last month = November 2011 (anchor 2011-12-05)")
    s.S("How many orders in October 2011?", s.one("orders", M(2011, 10)))
    s.S("How many invoices were issued in October 2011?", s.one("orders", M(2011, 10)),
        note="InvoiceNo is the order id: invoices = orders")
    s.S("Units sold in 2011", s.one("units", Y(2011)))
    s.S("AOV in 2011", s.one("aov", Y(2011)))
    s.S("Average selling price in Q3 2011", s.one("asp", Q(2011, 3)))
    s.S("How many customers bought in 2011?", s.one("customers", Y(2011)),
        note="distinct CustomerID; lines without a customer id are not counted as customers")
    s.S("Revenue from France in 2011", s.one(R, FR, Y(2011)))
    s.S("Revenue from EIRE", s.one(R, eq("country", "EIRE")), note="all dates")
    s.S("Revenue last year", s.one(R, Y(2010)), note="last year = 2010: only December 2010 is in the data")
    s.S("YTD revenue", s.one(R, P("2011-01-01", TO)), note="2011-01-01 .. 2011-12-05")
    s.S("Revenue this month", s.one(R, P("2011-12-01", TO)), note="2011-12-01 .. 2011-12-05")
    s.S("Revenue last week", s.one(R, D("2011-11-28", "2011-12-04")), note="Monday 2011-11-28 .. Sunday 2011-12-04")
    s.S("Revenue in the last 7 days", s.one(R, D("2011-11-29", "2011-12-05")), note="2011-11-29 .. 2011-12-05")
    s.S("Units sold of stock code 57591 in 2011", s.one("units", eq("sku", "57591"), Y(2011)))
    s.S("Revenue from STRAWBERRY CERAMIC MUG", s.one(R, eq("product_name", "STRAWBERRY CERAMIC MUG")),
        note="Description is the product name; all dates")
    s.S("How many rows are in the data?", s.one("lines"),
        note="line count of the stored table (negative-quantity lines were quarantined, duplicates dropped)")
    s.S("Revenue in Q4", s.one(R, Q(2011, 4)), note="bare Q4 = Q4 2011 (the anchor's year), to 2011-12-05")
    s.S("Revenue from the United Kingdom in Q1 2011", s.one(R, UK, Q(2011, 1)))

    s.A("Top 5 countries by revenue", s.top("country", R, 5), order="exact", note="all dates")
    s.A("Revenue by country in 2011", s.by("country", R, Y(2011)))
    s.A("Monthly revenue for 2011", s.by(ML, R, Y(2011)), order="exact")
    s.A("Quarterly orders in 2011", s.by(QL, "orders", Y(2011)), order="exact")
    s.A("Top 5 products by units in 2011", s.top("product_name", "units", 5, Y(2011)), order="exact")
    s.A("Which stock code had the highest revenue?", s.top("sku", R, 1), order="exact",
        note="29917 holds one wholesale line of 74215 units whose cancelling invoice was quarantined")
    s.A("Number of customers by country in 2011", s.by("country", "customers", Y(2011)))
    s.A("Bottom 3 countries by revenue in 2011", s.top("country", R, 3, Y(2011), asc=True), order="exact")
    s.A("Daily revenue last week", s.by(DL, R, D("2011-11-28", "2011-12-04")), order="exact")

    o, n_ = s.m(R, M(2011, 10)), s.m(R, M(2011, 11))
    s.C("November vs October 2011 revenue", s.cols([o, n_], P("2011-10-01", "2011-12-01")))
    s.C("MoM revenue growth in November 2011", s.cols([o, n_, growth(n_, o)], P("2011-10-01", "2011-12-01")))
    s.C("Compare orders in Q2 and Q3 2011", s.cols([s.m("orders", Q(2011, 2)), s.m("orders", Q(2011, 3))]))
    s.C("France vs Germany revenue in 2011", s.cols([s.m(R, FR), s.m(R, DE)], Y(2011)))
    q1, q2 = s.m(R, Q(2011, 1)), s.m(R, Q(2011, 2))
    s.C("How did revenue change from Q1 to Q2 2011?", s.cols([q1, q2, growth(q2, q1)], H(2011, 1)))

    tot11 = "(SELECT sum(amount) FROM sales WHERE %s)" % Y(2011)
    s.X("What share of 2011 revenue came from the United Kingdom?", s.cols([share(s.m(R, UK), s.m(R))], Y(2011)),
        shape="value")
    s.X("Share of 2011 revenue by country", s.by("country", expr("sum(amount) * 1.0 / " + tot11), Y(2011)))
    s.X("Which countries had more than 5000 in revenue in 2011?", s.filter_by("country", R, "v1 > 5000", Y(2011)))
    s.X("Which countries had an AOV above 1000 in 2011?", s.filter_by("country", "aov", "v1 > 1000", Y(2011)))
    s.X("Which countries are trending up?", s.trend("country", R, "2010-12", 12, +1),
        note="slope of the monthly revenue series (months without sales count as 0) over the last 12 complete "
             "months, 2010-12 .. 2011-11")

    s.session = "uci-s1"
    s.S("Revenue from France in 2011", s.one(R, FR, Y(2011)))
    s.S("and Germany?", s.one(R, DE, Y(2011)), note="follow-up: Germany, 2011")
    s.S("and how many orders?", s.one("orders", DE, Y(2011)), note="follow-up: Germany orders in 2011")
    s.session = "uci-s2"
    s.A("Top 5 products by revenue in 2011", s.top("product_name", R, 5, Y(2011)), order="exact",
        note="the stored table keeps the wholesale FELT CRAFT KIT line and the positive bad-debt adjustment "
             "(their negative counterparts were quarantined)")
    s.A("and by units?", s.top("product_name", "units", 5, Y(2011)), order="exact", note="follow-up: by units")
    s.session = None

    for q, n in [
        ("What was the cancellation rate in 2011?", "no status column; cancellation invoices were quarantined"),
        ("Gross profit in 2011", "no cost or profit in the data"),
        ("Which salesperson sold the most in November?", "no salesperson dimension"),
        ("What's the weather in London today?", "out of scope"),
        ("Update the country of customer 17578 to France", "changes data"),
        ("Sales by store manager", "no store manager dimension"),
    ]:
        s.N(q, note=n)


MAKERS = {
    "gen": (gen_questions, dict(prefix="gen", ok="status NOT IN ('Cancelled', 'Returned')",
                                cancel="status = 'Cancelled'", ret="status = 'Returned'",
                                profit="cost")),
    "superstore": (superstore_questions, dict(prefix="ss", profit="profit")),
    "amazon": (amazon_questions, dict(
        prefix="az",
        ok="status NOT IN ('Cancelled', 'Shipped - Returned to Seller', 'Shipped - Returning to Seller')",
        cancel="status = 'Cancelled'",
        ret="status IN ('Shipped - Returned to Seller', 'Shipped - Returning to Seller')")),
    "uci": (uci_questions, dict(prefix="uci")),
}


def warn_close(items):
    """Lists value questions with different definitions whose answers a judge
    could not tell apart (relative 1e-6 / absolute 0.005)."""
    seen = {}
    for it in items:
        v = it["expect"].get("value")
        if v is None:
            continue
        for d, (v2, q2) in seen.items():
            if d != it["definition"] and abs(v - v2) <= max(0.005, 1e-6 * abs(v2)):
                print("  close: %r (%s) ~ %r (%s)" % (it["question"], v, q2, v2), file=sys.stderr)
        seen[it["definition"]] = (v, it["question"])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ria", help="the ria binary (default: ./ria at the repository root)")
    ap.add_argument("--only", choices=sorted(gd.DATASETS), action="append")
    ap.add_argument("--print", action="store_true", help="print the questions and answers")
    ap.add_argument("--warn", action="store_true", help="list answers a judge could not tell apart")
    a = ap.parse_args()
    names = a.only or list(gd.DATASETS)
    ria = gd.find_ria(a.ria)
    with gd.Workdir() as wd:
        dbs = gd.build(ria, wd, names)
        for name in names:
            make, kw = MAKERS[name]
            s = Set(name, db=dbs[name], **kw)
            make(s)
            ids = [it["id"] for it in s.items]
            assert len(ids) == len(set(ids))
            with open(gd.FILES[name], "w") as f:
                for it in s.items:
                    f.write(json.dumps(it, ensure_ascii=False) + "\n")
            counts = {}
            for it in s.items:
                counts[it["category"]] = counts.get(it["category"], 0) + 1
            print("%-11s %4d questions  %s" % (name, len(s.items), "  ".join(
                "%s %d" % (c, counts.get(c, 0)) for c in gd.CATEGORIES)))
            if a.warn:
                warn_close(s.items)
            if a.print:
                for it in s.items:
                    e = json.dumps(it["expect"])
                    print("%s [%s] %s\n    %s" % (it["id"], it.get("session", ""), it["question"],
                                                 e if len(e) < 400 else e[:400] + " ..."))


if __name__ == "__main__":
    main()
