#!/usr/bin/env python3
"""API tests of `ria serve` over real HTTP (standard library only).

Usage: serve_api.py RIA_BIN WORKDIR

Builds a small store, starts servers on free loopback ports and checks
every route of docs/API.md: answers equal the CLI's, sessions carry
follow-ups, errors and limits (404, 405, 400, 413, bad JSON, bad SQL,
refused writes), API keys (401, 403, read and write keys, loopback rule),
security headers, tasks (submit, progress, Server-Sent Events, cancel, the
429 of a full queue), uploads and streamed ingest (NDJSON and CSV, the
micro-batch committed, quarantined rows listed), a commit made beside the
server picked up without a restart, feedback stored and reported by `ria
feedback`, the query log, metrics, and — when redis-server is installed —
two instances sharing answers through Redis, surviving its restart.
"""
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time

RIA, WORK = sys.argv[1], sys.argv[2]
STORE = os.path.join(WORK, "store")
checks = 0


def fail(msg):
    print("FAIL:", msg, file=sys.stderr)
    sys.exit(1)


def check(cond, msg):
    global checks
    checks += 1
    if not cond:
        fail(msg)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def ria(*args, **kw):
    return subprocess.run([RIA, *args], capture_output=True, text=True, **kw)


class Server:
    def __init__(self, *extra, port=None, env=None):
        self.port = port or free_port()
        self.log = open(os.path.join(WORK, "serve-%d.log" % self.port), "w")
        self.proc = subprocess.Popen(
            [RIA, "serve", "--store", STORE, "--listen", "127.0.0.1:%d" % self.port, *extra],
            stdout=self.log, stderr=subprocess.STDOUT, env=env)
        for _ in range(100):
            try:
                st, _, _ = self.get("/healthz")
                if st == 200:
                    return
            except OSError:
                pass
            if self.proc.poll() is not None:
                fail("server exited: " + open(self.log.name).read())
            time.sleep(0.05)
        fail("server did not start")

    def request(self, method, path, body=None, headers=None, timeout=30):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        h = dict(headers or {})
        if isinstance(body, (dict, list)):
            body = json.dumps(body)
            h.setdefault("Content-Type", "application/json")
        c.request(method, path, body=body, headers=h)
        r = c.getresponse()
        data = r.read()
        hdrs = {k.lower(): v for k, v in r.getheaders()}
        c.close()
        return r.status, hdrs, data

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body, **kw)

    def json(self, method, path, body=None, **kw):
        st, h, data = self.request(method, path, body, **kw)
        try:
            return st, json.loads(data)
        except ValueError:
            fail("%s %s: not JSON (%d): %r" % (method, path, st, data[:200]))

    def stop(self):
        self.proc.terminate()
        try:
            rc = self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            fail("the server did not stop on SIGTERM")
        self.log.close()
        check(rc == 0, "the server exited %d on SIGTERM" % rc)


def raw_status(s, text):
    """Sends a raw request and returns the response status (0 if none)."""
    sock = socket.create_connection(("127.0.0.1", s.port), timeout=10)
    try:
        sock.sendall(text.encode())
    except OSError:
        pass
    data = b""
    try:
        while b"\r\n" not in data:
            chunk = sock.recv(4096)
            if not chunk:
                break
            data += chunk
    except OSError:
        pass
    sock.close()
    parts = data.split(b" ")
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0


def cli_answer(q):
    r = ria("ask", "--store", STORE, "--json", "--no-cache", q)
    return json.loads(r.stdout)


def main():
    os.makedirs(WORK, exist_ok=True)
    csv = os.path.join(WORK, "sales.csv")
    r = ria("gen", "--rows", "60000", "--seed", "5", "--out", csv)
    check(r.returncode == 0, "gen: " + r.stderr)
    r = ria("ingest", "--store", STORE, "-q", csv)
    check(r.returncode == 0, "ingest: " + r.stderr)

    s = Server("-q")
    # --- health, page, headers
    st, h, _ = s.get("/healthz")
    check(st == 200, "healthz")
    st, body = s.json("GET", "/readyz")
    check(st == 200 and body["version"] == 1, "readyz %r" % body)
    st, h, page = s.get("/")
    check(st == 200 and b"<html" in page.lower() and h["content-type"].startswith("text/html"),
          "the page is served")
    for k in ("x-content-type-options", "x-frame-options", "content-security-policy",
              "referrer-policy"):
        check(k in h, "security header " + k)
    check("access-control-allow-origin" not in h, "CORS is off by default")
    st, h, _ = s.get("/assets/chart.umd.js")
    check(st == 200 and "javascript" in h["content-type"], "the chart library is embedded")
    for bad in ("/../etc/passwd", "/%2e%2e/etc/passwd", "/assets/../../etc/passwd"):
        st, _, data = s.get(bad)
        check(st in (400, 404) and b"root:" not in data, "traversal refused: " + bad)

    # --- ask: the same answer as the CLI; sessions
    q = "revenue by region in 2024"
    st, a = s.json("POST", "/api/ask", {"question": q})
    check(st == 200 and a["status"] == "answered", "ask: %r" % a)
    c = cli_answer(q)
    check(a["rows"] == c["rows"] and a["text"] == c["text"], "the API answers as the CLI does")
    for f in ("status", "text", "value", "columns", "rows", "chart", "interpretation", "sql",
              "tier", "timings", "session"):
        check(f in a, "answer field " + f)
    sid = a["session"]
    st, a = s.json("POST", "/api/ask", {"question": "What was revenue in California in Q1 2024?",
                                         "session": sid})
    ca = a["value"]
    st, a = s.json("POST", "/api/ask", {"question": "and in Texas?", "session": sid})
    check(a["follow_up"] and a["value"] == cli_answer("revenue in Texas in Q1 2024")["value"],
          "a follow-up in a session: %r" % a.get("text"))
    check(a["value"] != ca, "the follow-up changed the state")
    st, a = s.json("POST", "/api/ask", {"question": "and in Texas?", "session": False})
    check(a["status"] != "answered" or not a.get("follow_up"), "no session: no follow-up")
    st, a = s.json("POST", "/api/ask", {"question": q})
    check(a["tier"] in ("exact_cache", "plan_cache"), "a repeated question is cached")
    st, a = s.json("POST", "/api/ask", {"question": "what's the weather tomorrow"})
    check(st == 200 and a["status"] == "out_of_scope" and a["value"] is None, "out of scope")
    st, a = s.json("POST", "/api/ask", {"question": "delete all orders from 2023"})
    check(a["status"] == "out_of_scope" and not a["rows"], "writes are refused")

    # --- errors and limits
    st, e = s.json("POST", "/api/ask", {"q": "x"})
    check(st == 400 and e["error"]["code"] == "missing_question", "missing question")
    st, _, d = s.post("/api/ask", "{not json", headers={"Content-Type": "application/json"})
    check(st == 400 and b"bad_json" in d, "bad JSON")
    st, _, d = s.post("/api/ask", "[1,2]", headers={"Content-Type": "application/json"})
    check(st == 400, "a JSON array body")
    st = raw_status(s, "POST /api/ask HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                       "Content-Length: %d\r\n\r\n" % (2 << 20))
    check(st == 413, "a declared body over the limit is refused before it is read: %d" % st)
    st = raw_status(s, "POST /api/ask HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                       + "100000\r\n" + "x" * 0x100000 + "\r\n" + "100000\r\n" + "x" * 0x100000
                       + "\r\n0\r\n\r\n")
    check(st == 413, "a chunked body over the limit: %d" % st)
    st = raw_status(s, "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + "a" * 100000 + "\r\n\r\n")
    check(st in (413, 431, 400, 0), "oversized headers are refused: %d" % st)
    st, e = s.json("POST", "/api/ask", {"question": "x" * 2500})
    check(st == 413, "an overlong question")
    st, _, _ = s.request("PUT", "/api/ask", "{}")
    check(st == 405, "method not allowed")
    st, _, _ = s.get("/api/nothing")
    check(st == 404, "unknown route")

    # --- summary, suggestions, examples, schema, versions
    st, rep = s.json("GET", "/api/summary")
    check(st == 200 and rep["status"] == "answered" and rep["sections"], "summary")
    st, rep = s.json("GET", "/api/summary?period=Q3%202024")
    check(rep["sections"][0]["title"] == "Q3 2024", "summary of a period")
    st, rep = s.json("POST", "/api/summary", {"period": "blah"})
    check(rep["status"] == "not_understood", "an unreadable period")
    st, sg = s.json("GET", "/api/suggestions?q=rev")
    check(st == 200 and sg["suggestions"] and all("rev" in x.lower() for x in sg["suggestions"]),
          "suggestions match the prefix: %r" % sg)
    st, ex = s.json("GET", "/api/examples")
    check(len(ex["examples"]) >= 4, "examples")
    for q2 in ex["examples"]:
        st, a = s.json("POST", "/api/ask", {"question": q2, "session": False})
        check(a["status"] == "answered", "an example is answered: " + q2)
    st, sc = s.json("GET", "/api/schema")
    check(sc["rows"] == 60000 - 0 or sc["rows"] > 0, "schema rows")
    check(any(c["role"] == "amount" for c in sc["columns"]), "schema roles")
    check(sc["model"] is not None, "the semantic model")
    st, vs = s.json("GET", "/api/versions")
    check(vs["versions"][0]["version"] == 1, "versions")

    # --- SQL and explain
    st, res = s.json("POST", "/api/sql", {"sql": "SELECT count(*) AS n FROM sales"})
    check(st == 200 and res["rows"][0][0] == sc["rows"], "SQL: %r" % res)
    st, res = s.json("POST", "/api/sql", {"sql": "SELECT category, sum(amount) FROM sales GROUP BY 1"})
    cli = json.loads(ria("sql", "--store", STORE, "--format", "json",
                         "SELECT category, sum(amount) FROM sales GROUP BY 1").stdout)
    check(st == 200 and len(res["rows"]) == len(cli["rows"] if isinstance(cli, dict) else cli),
          "SQL rows as the CLI")
    for bad in ("DROP TABLE sales", "DELETE FROM sales", "SELECT 1; SELECT 2",
                "INSERT INTO sales VALUES (1)", "SELECT * FROM other"):
        st, e = s.json("POST", "/api/sql", {"sql": bad})
        check(st == 400 and "error" in e, "refused SQL: " + bad)
    st, res = s.json("POST", "/api/sql", {"sql": "SELECT order_id FROM sales"})
    check(res["truncated"] and len(res["rows"]) == 10000 and res["row_count"] == sc["rows"],
          "large results are truncated")
    st, ex2 = s.json("POST", "/api/explain", {"sql": "SELECT sum(amount) FROM sales"})
    check(st == 200 and "plan hash" in ex2["plan"], "explain")

    # --- feedback
    st, fb = s.json("POST", "/api/feedback", {"question": "revenue in 2024", "rating": "down",
                                               "reason": "wrong number", "comment": "too low",
                                               "data_version": 1})
    check(st == 201 and fb["ok"], "feedback stored")
    st, e = s.json("POST", "/api/feedback", {"question": "x", "rating": "meh"})
    check(st == 400, "bad rating")
    r = ria("feedback", "--store", STORE, "--json")
    rep = json.loads(r.stdout)
    check(rep["ratings"]["down"] == 1 and rep["reasons"]["wrong number"] == 1, "ria feedback")
    gold = os.path.join(WORK, "disliked.jsonl")
    r = ria("feedback", "--store", STORE, "--export", gold)
    line = json.loads(open(gold).readline())
    check(line["question"] == "revenue in 2024" and "expect" in line, "feedback export")

    # --- tasks: submit, follow with SSE, result
    st, t = s.json("POST", "/api/tasks?kind=summary", {"period": "2023"})
    check(st == 202 and t["id"], "a task is accepted")
    events = sse(s, t["id"])
    check(events and events[-1][0] == "done", "SSE ends with done: %r" % events[-3:])
    st, t2 = s.json("GET", "/api/tasks/" + t["id"])
    check(t2["state"] == "done" and t2["result"]["sections"][0]["title"] == "2023", "task result")
    st, t = s.json("POST", "/api/tasks?kind=sql", {"sql": "SELECT count(*) FROM sales"})
    wait_task(s, t["id"])
    st, e = s.json("POST", "/api/tasks?kind=nope", {})
    check(st == 400, "an unknown task kind")
    st, _ = s.json("GET", "/api/tasks/does-not-exist")
    check(st == 404, "an unknown task")
    st, lst = s.json("GET", "/api/tasks")
    check(len(lst["tasks"]) >= 2, "task list")

    # --- upload as a task (ingest), with progress and its quality report
    up = os.path.join(WORK, "upload.csv")
    lines = open(csv).read().splitlines()
    with open(up, "w") as f:
        f.write(lines[0] + "\n")
        for l in lines[1:2001]:
            f.write(l.replace(",", "-U,", 1) + "\n")  # new order ids
        f.write("bad-row,not-a-date\n")
    st, t = s.json("POST", "/api/tasks?kind=ingest", open(up, "rb").read(),
                   headers={"Content-Type": "text/csv"})
    check(st == 202, "an upload task")
    t = wait_task(s, t["id"])
    rep = t["result"]
    check(rep["accepted"] == 2000 and rep["quarantined"] == 1 and rep["version"] == 2,
          "the upload's report: %r" % rep.get("summary"))
    time.sleep(1.0)
    st, rd = s.json("GET", "/readyz")
    check(rd["version"] == 2, "the server answers from the new version")
    st, ql = s.json("GET", "/api/quality?version=2")
    check(ql["quarantined"] == 1, "quality report")
    st, qr = s.json("GET", "/api/quality/quarantine?version=2")
    check(qr["total"] == 1 and qr["rows"][0][2] in ("field_count", "bad_date", "missing_date"),
          "quarantined rows: %r" % qr)

    # --- streamed ingest: NDJSON and CSV micro-batches
    rows = [{"order_id": "S-%d" % i, "order_date": "2024-12-30", "amount": "10.00",
             "quantity": 1, "category": "Toys", "state": "TX", "status": "Delivered"}
            for i in range(50)]
    body = "\n".join(json.dumps(x) for x in rows) + "\n"
    st, rep = s.json("POST", "/api/ingest", body, headers={"Content-Type": "application/x-ndjson"})
    check(st == 202 and rep["accepted_rows"] == 50 and rep["pending_rows"] >= 50, "NDJSON batch %r" % rep)
    st, rep = s.json("POST", "/api/ingest?wait=1",
                     "order_id,order_date,amount,quantity,category,state\nS-x,2024-12-30,5,1,Toys,TX\n",
                     headers={"Content-Type": "text/csv"})
    check(st == 200 and rep["version"] >= 3, "CSV batch committed with wait: %r" % rep)
    time.sleep(0.6)
    n = s.json("POST", "/api/sql", {"sql": "SELECT count(*) FROM sales WHERE order_id LIKE 'S-%'"})[1]
    check(n["rows"][0][0] == 51, "streamed rows are answerable: %r" % n)
    st, e = s.json("POST", "/api/ingest", "{\"a\":1}\n{\"b\":2}\n",
                   headers={"Content-Type": "application/x-ndjson"})
    check(st == 400 and "line 2" in e["error"]["message"], "bad NDJSON names the line")

    # --- a commit beside the server is picked up without a restart
    more = os.path.join(WORK, "more.csv")
    with open(more, "w") as f:
        f.write(lines[0] + "\n" + lines[1].replace(",", "-M,", 1) + "\n")
    r = ria("ingest", "--store", STORE, "-q", more)
    check(r.returncode == 0, "ingest beside the server: " + r.stderr)
    v_cli = max(v["version"] for v in json.loads(ria("versions", "--store", STORE, "--json").stdout))
    for _ in range(40):
        if s.json("GET", "/readyz")[1]["version"] == v_cli:
            break
        time.sleep(0.1)
    check(s.json("GET", "/readyz")[1]["version"] == v_cli, "a new version is picked up")

    # --- metrics and the query log
    st, h, m = s.get("/metrics")
    m = m.decode()
    for name in ("ria_http_requests_total{route=\"ask\"}", "ria_http_request_duration_seconds_bucket",
                 "ria_answer_duration_seconds_bucket{tier=\"rules\"", "ria_cache_hits_total{tier=\"exact\"}",
                 "ria_rows_scanned_total", "ria_task_queue_depth", "ria_store_version",
                 "ria_freshness_lag_seconds", "ria_ingest_rows_total{outcome=\"quarantined\"}",
                 "ria_feedback_total{rating=\"down\"} 1", "ria_redis_up 0"):
        check(name in m, "metric " + name)
    promtool = shutil.which("promtool")
    if promtool:
        r = subprocess.run([promtool, "check", "metrics"], input=m, capture_output=True, text=True)
        check(r.returncode == 0, "promtool check metrics: " + r.stdout + r.stderr)
        rules = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "deploy",
                             "prometheus", "alerts.yml")
        r = subprocess.run([promtool, "check", "rules", rules], capture_output=True, text=True)
        check(r.returncode == 0, "promtool check rules: " + r.stdout + r.stderr)
    else:
        print("serve_api: promtool not installed; metrics and alert rules not linted")
    log = os.path.join(STORE, "serve", "queries.jsonl")
    entries = [json.loads(l) for l in open(log)]
    check(any(e["question"] == q and e["plan_hash"] for e in entries), "the query log")

    # --- concurrency: many parallel questions, all answered
    errors = []

    def worker(i):
        try:
            st, a = s.json("POST", "/api/ask", {"question": "units by category in %d" % (2021 + i % 4),
                                                "session": False})
            if st != 200 or a["status"] != "answered":
                errors.append(a)
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(str(e))
    ts = [threading.Thread(target=worker, args=(i,)) for i in range(64)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    check(not errors, "parallel questions: %r" % errors[:3])
    s.stop()

    # --- keys
    keys = os.path.join(WORK, "keys")
    with open(keys, "w") as f:
        f.write("# reader and writer\n" + "r" * 24 + " read analyst\n" + "w" * 24 + " write loader\n")
    r = ria("serve", "--store", STORE, "--listen", "0.0.0.0:%d" % free_port())
    check(r.returncode != 0 and "api-key-file" in r.stderr, "off loopback needs keys")
    k = Server("-q", "--api-key-file", keys)
    st, _, _ = k.post("/api/ask", {"question": "revenue"})
    check(st == 401, "no key: 401")
    st, _, _ = k.post("/api/ask", {"question": "revenue"}, headers={"Authorization": "Bearer nope"})
    check(st == 401, "a wrong key: 401")
    st, _, _ = k.post("/api/ask", {"question": "revenue"}, headers={"Authorization": "Bearer " + "r" * 24})
    check(st == 200, "a read key may ask")
    st, _, _ = k.post("/api/ingest", "a,b\n1,2\n", headers={"X-API-Key": "r" * 24})
    check(st == 403, "a read key may not ingest")
    st, _, _ = k.post("/api/tasks?kind=ingest", "a,b\n1,2\n", headers={"X-API-Key": "r" * 24})
    check(st == 403, "a read key may not upload")
    st, _, _ = k.get("/healthz")
    check(st == 200, "health needs no key")
    k.stop()

    # --- a full task queue answers 429
    q1 = Server("-q", "--task-workers", "1", "--task-queue", "1")
    codes = []
    for i in range(6):
        st, _ = q1.json("POST", "/api/tasks?kind=summary", {"period": str(2021 + i % 4)})
        codes.append(st)
    check(429 in codes and 202 in codes, "a full queue gives 429: %r" % codes)
    st, t = q1.json("POST", "/api/tasks?kind=sql", {"sql": "SELECT count(*) FROM sales"})
    if st == 202:
        st, c = q1.json("DELETE", "/api/tasks/" + t["id"])
        check(st in (202, 409), "cancel")
    q1.stop()

    redis_tests()
    print("serve_api: %d checks passed" % checks)


def sse(s, tid, timeout=30):
    """Reads a task's event stream to its end: [(event, data)]."""
    c = http.client.HTTPConnection("127.0.0.1", s.port, timeout=timeout)
    c.request("GET", "/api/tasks/%s/events" % tid)
    r = c.getresponse()
    check(r.status == 200 and r.getheader("Content-Type") == "text/event-stream", "SSE response")
    events, ev = [], None
    while True:
        line = r.readline()
        if not line:
            break
        line = line.decode().rstrip("\n")
        if line.startswith("event: "):
            ev = line[7:]
        elif line.startswith("data: "):
            events.append((ev, json.loads(line[6:])))
    c.close()
    return events


def wait_task(s, tid, timeout=60):
    end = time.time() + timeout
    while time.time() < end:
        st, t = s.json("GET", "/api/tasks/" + tid)
        if t["state"] in ("done", "failed", "cancelled"):
            check(t["state"] == "done", "task %s: %r" % (tid, t.get("error")))
            return t
        time.sleep(0.05)
    fail("task %s did not finish" % tid)


def redis_tests():
    rs = shutil.which("redis-server")
    if not rs:
        print("serve_api: redis-server not installed; the shared tier is not tested")
        return
    port = free_port()

    def start_redis():
        p = subprocess.Popen([rs, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                              "--appendonly", "no"], stdout=subprocess.DEVNULL)
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                return p
            except OSError:
                time.sleep(0.05)
        fail("redis-server did not start")

    red = start_redis()
    try:
        a = Server("-q", "--redis", "127.0.0.1:%d" % port)
        b = Server("-q", "--redis", "127.0.0.1:%d" % port)
        q = "orders by channel in 2023"
        st, x = a.json("POST", "/api/ask", {"question": q, "session": False})
        check(x["tier"] == "rules", "first instance computes")
        st, y = b.json("POST", "/api/ask", {"question": q, "session": False})
        check(y["tier"] == "shared_cache" and y["rows"] == x["rows"], "second instance shares: %r" % y["tier"])
        check("ria_redis_up 1" in b.get("/metrics")[2].decode(), "redis up in metrics")
        red.terminate()
        red.wait()
        st, z = b.json("POST", "/api/ask", {"question": "orders by channel in 2022", "session": False})
        check(st == 200 and z["status"] == "answered", "answers go on while Redis is away")
        check("ria_redis_up 0" in b.get("/metrics")[2].decode(), "redis down in metrics")
        red = start_redis()
        time.sleep(1.2)
        for i in range(8):  # every pooled connection comes back
            a.json("POST", "/api/ask", {"question": "units by channel in %d" % (2020 + i % 4), "session": False})
        st, w = a.json("POST", "/api/ask", {"question": "revenue by channel in 2021", "session": False})
        st, w2 = b.json("POST", "/api/ask", {"question": "revenue by channel in 2021", "session": False})
        check(w2["tier"] == "shared_cache", "sharing resumes after Redis returns: %r" % w2["tier"])
        check("ria_redis_up 1" in a.get("/metrics")[2].decode(), "redis up again")
        a.stop()
        b.stop()
    finally:
        red.terminate()
        red.wait()


if __name__ == "__main__":
    main()
