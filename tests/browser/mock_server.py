#!/usr/bin/env python3
"""A development server for the web page: serves web/ and the JSON API.

It stands in for `ria serve` while developing the page and in the browser
tests when no server is given. Every answer is a real one: each request runs
the ria binary (`ria chat --json` replaying the conversation, `ria summary
--json`, `ria ingest --json`) or reads the store's own files (log/, reports/,
quarantine/, model.json). Only the suggestions and examples are made up here
from the semantic model.

Usage:
    tests/browser/mock_server.py --store DIR [--port 8080] [--ria ./ria]
                                 [--api-key KEY]

With --api-key, every /api/ request needs `Authorization: Bearer KEY` and is
answered 401 otherwise (the page then asks for the key).

Routes, in the shapes of docs/API.md (errors: {"error": {"code", "message",
"status"}}):
    POST /api/ask                {"question", "session"?} -> answer + "session"
                                 ("session": false: asked on its own)
    GET  /api/ask?question=&session=                       (the same)
    GET  /api/suggestions?q=     {"suggestions": [...]}
    GET  /api/examples           {"examples": [...]}
    POST /api/feedback           {...} -> 201 {"ok": true, "id"}
    GET  /api/summary?period=    the report of `ria summary --json`
    GET  /api/versions           {"versions": [...]}
    GET  /api/quality?version=N  the ingest report (reports/N.json)
    GET  /api/quality/quarantine?version=N&limit=&offset=
                                 {"columns", "rows", "total", "reasons"}
    GET  /api/schema             {"version", "rows", "columns", "metrics", "dimensions"}
    POST /api/tasks?kind=ingest[&name=FILE.csv]   CSV body -> 202 the task object
    GET  /api/tasks/ID           the task object
    GET  /api/tasks/ID/events    Server-Sent Events: progress, done
"""
import argparse
import csv
import glob
import importlib.machinery
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))


def load_embed():
    """Imports scripts/embed-assets (no .py suffix) for asset_list()."""
    path = os.path.join(ROOT, "scripts", "embed-assets")
    loader = importlib.machinery.SourceFileLoader("embed_assets", path)
    spec = importlib.util.spec_from_loader("embed_assets", loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod


EMBED = load_embed()

sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))
import checklib  # noqa: E402  (found through the path above)

# the fifty states by code (without DC)
STATE_NAMES = {code: name for code, name in checklib.STATE_NAMES.items() if code != "DC"}


class Api:
    """State shared by the request handlers: sessions, tasks, feedback."""

    def __init__(self, ria, store, api_key, delay):
        self.ria = ria
        self.store = store
        self.api_key = api_key
        self.delay = delay
        self.lock = threading.Lock()
        self.write_lock = threading.Lock()
        self.sessions = {}  # id -> [question, ...]
        self.past = []  # questions asked, newest first
        self.tasks = {}  # id -> task dict
        self.feedback = []
        self.tmp = tempfile.mkdtemp(prefix="ria-mock-")

    # -- the store's files --------------------------------------------------

    def log_entries(self):
        out = []
        for p in sorted(glob.glob(os.path.join(self.store, "log", "*.json"))):
            with open(p) as f:
                out.append(json.load(f))
        return out

    def model(self):
        with open(os.path.join(self.store, "model.json")) as f:
            return json.load(f)

    # -- ria ------------------------------------------------------------------

    def run(self, args, stdin=None):
        return subprocess.run(
            [self.ria] + args + ["--store", self.store],
            input=stdin, capture_output=True, text=True, timeout=120,
        )

    def ask(self, question, session):
        """Answers in the conversation `session` (a new one when unknown or
        empty); session False asks the question on its own."""
        question = " ".join(question.split()).lstrip(":")
        alone = session is False
        with self.lock:
            if alone:
                history = []
            else:
                if not isinstance(session, str) or session not in self.sessions:
                    session = "s-" + uuid.uuid4().hex[:12]
                    self.sessions[session] = []
                history = list(self.sessions[session])
        hist_file = os.path.join(self.tmp, "history")
        p = self.run(["chat", "--json", "--history", hist_file],
                     stdin="\n".join(history + [question]) + "\n")
        answers = []
        dec = json.JSONDecoder()
        text = p.stdout
        i = 0
        while True:
            while i < len(text) and text[i].isspace():
                i += 1
            if i >= len(text):
                break
            try:
                obj, i = dec.raw_decode(text, i)
            except ValueError:
                nl = text.find("\n", i)
                if nl < 0:
                    break
                i = nl + 1
                continue
            answers.append(obj)
        if not answers:
            raise RuntimeError((p.stderr or "ria chat printed nothing").strip())
        answer = answers[-1]
        with self.lock:
            if not alone:
                self.sessions[session].append(question)
                answer["session"] = session
            low = question.lower()
            self.past = [q for q in self.past if q.lower() != low]
            if answer.get("status") == "answered":
                self.past.insert(0, question)
                del self.past[200:]
        return answer

    def summary(self, period):
        args = ["summary", "--json"] + ([period] if period else [])
        p = self.run(args)
        try:
            return json.loads(p.stdout)
        except ValueError:
            raise RuntimeError((p.stderr or "ria summary failed").strip())

    # -- vocabulary for suggestions and examples ---------------------------

    def vocabulary(self):
        m = self.model()
        words = []
        for name, met in m.get("metrics", {}).items():
            words += met.get("words", []) or [name.replace("_", " ")]
        dims = []
        for name, col in m.get("columns", {}).items():
            if col.get("use") == "dimension":
                dims.append(name.replace("_", " "))
                for v in col.get("values", [])[:200]:
                    words.append(v)
                    if col.get("role") == "state" and v in STATE_NAMES:
                        words.append(STATE_NAMES[v])
        words += ["by " + d for d in dims]
        words += ["last month", "last quarter", "last year", "this year", "year to date",
                  "the last 12 months", "monthly", "weekly", "quarterly", "top 5", "bottom 3",
                  "compared with the same period last year"]
        return words, dims

    def suggestions(self, q):
        q = q or ""
        low = q.lower().strip()
        out = []
        seen = set()

        def add(s):
            k = s.lower()
            if k not in seen and k != low:
                seen.add(k)
                out.append(s)

        with self.lock:
            past = list(self.past)
        for p in past:
            if low and p.lower().startswith(low):
                add(p)
        words, _dims = self.vocabulary()
        m = re.search(r"(\S*)$", q)
        last = m.group(1).lower() if m else ""
        head = q[: len(q) - len(last)]
        prev = q[: len(q) - len(last)].split()
        if prev and prev[-1].lower() == "by":
            words = _dims
        if last:
            for w in words:
                if w.lower().startswith(last) and w.lower() != last:
                    add(head + w)
        if not low:
            for p in past[:5]:
                add(p)
        return out[:8]

    def examples(self):
        m = self.model()
        cols = m.get("columns", {})

        def values(role):
            for c in cols.values():
                if c.get("role") == role and c.get("values"):
                    return [v for v in c["values"] if v not in ("Unknown", "")]
            return []

        cats = values("category") or ["Electronics"]
        p = self.run(["sql", "--format", "csv",
                      "SELECT category, sum(amount) AS r FROM sales GROUP BY 1 ORDER BY 2 DESC LIMIT 1"])
        top = p.stdout.splitlines()[1:2]
        if top and top[0].split(",")[0] in cats:
            cats = [top[0].split(",")[0]] + cats
        states = values("state") or ["CA"]
        channels = values("channel")
        entries = self.log_entries()
        year = time.gmtime().tm_year
        if entries:
            # the latest complete year is a safe choice for examples
            p = self.run(["sql", "--format", "csv", "SELECT max(order_date) FROM sales"])
            mm = re.search(r"(\d{4})-\d\d-\d\d", p.stdout)
            if mm:
                year = int(mm.group(1))
        state = "CA" if "CA" in states else states[0]
        ex = [
            "What were %s sales in %s in Q1 %d?" % (cats[0], STATE_NAMES.get(state, state), year),
            "Top 5 states by revenue last quarter",
            "Monthly revenue in %d" % year,
            "Revenue by category in %d" % year,
        ]
        if channels:
            ex.append("Share of revenue by channel in %d" % year)
        ex += ["YoY revenue growth in %d" % year, "Which categories are trending up?"]
        return ex

    # -- data ---------------------------------------------------------------

    def versions(self):
        out = []
        for e in self.log_entries():
            out.append({
                "version": e.get("version"),
                "time": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(e.get("time", 0))),
                "operation": e.get("operation"),
                "rows_added": e.get("rows_added"),
                "rows_removed": e.get("rows_removed"),
                "live_rows": e.get("live_rows"),
                "summary": e.get("summary", ""),
            })
        out.reverse()  # newest first
        return {"versions": out}

    def latest_version(self):
        entries = self.log_entries()
        return entries[-1]["version"] if entries else 0

    def quality(self, version):
        v = int(version) if version else self.latest_version()
        entry = next((e for e in self.log_entries() if e.get("version") == v), None)
        if entry is None:
            return None
        p = os.path.join(self.store, "reports", "%d.json" % v)
        rep = {}
        if os.path.isfile(p):
            with open(p) as f:
                rep = json.load(f)
        rep["version"] = v
        rep["operation"] = entry.get("operation")
        return rep

    def quarantine(self, version, limit, offset):
        v = int(version) if version else self.latest_version()
        p = os.path.join(self.store, "quarantine", "%d.csv" % v)
        if not os.path.isfile(p):
            return {"version": v, "columns": [], "rows": [], "total": 0, "reasons": {}}
        with open(p, newline="", encoding="utf-8", errors="replace") as f:
            rows = list(csv.reader(f))
        cols, rows = (rows[0], rows[1:]) if rows else ([], [])
        reasons = {}
        ri = cols.index("rule") if "rule" in cols else -1
        for r in rows:
            if 0 <= ri < len(r):
                reasons[r[ri]] = reasons.get(r[ri], 0) + 1
        return {"version": v, "columns": cols, "rows": rows[offset : offset + limit],
                "total": len(rows), "reasons": reasons}

    def schema(self):
        entries = self.log_entries()
        last = entries[-1] if entries else {}
        m = self.model()
        metrics = [k.replace("_", " ") for k in m.get("metrics", {})]
        dims = [{"name": k, "count": c.get("distinct"), "values": c.get("values", [])[:50]}
                for k, c in m.get("columns", {}).items()
                if c.get("use") == "dimension" and (c.get("distinct") or 0) <= 1000]
        cols = [{"name": c.get("name"), "label": c.get("label"), "type": c.get("type"), "role": c.get("role")}
                for c in last.get("columns", [])]
        return {"version": last.get("version", 0), "rows": last.get("live_rows", 0),
                "columns": cols, "dimensions": dims, "metrics": metrics, "model": m}

    # -- tasks ----------------------------------------------------------------

    def start_ingest(self, path):
        tid = "t-" + uuid.uuid4().hex[:12]
        task = {"id": tid, "kind": "ingest", "state": "queued", "progress": 0.0,
                "message": "waiting to start", "created": time.time(), "seq": 0}
        with self.lock:
            self.tasks[tid] = task
        threading.Thread(target=self._ingest, args=(tid, path), daemon=True).start()
        return task

    def _update(self, tid, **kw):
        with self.lock:
            t = self.tasks[tid]
            t.update(kw)
            t["seq"] += 1

    def _ingest(self, tid, path):
        with self.write_lock:
            self._update(tid, state="running", progress=0.0, message="reading " + os.path.basename(path))
            if self.delay:
                time.sleep(self.delay)
            proc = subprocess.Popen(
                [self.ria, "ingest", "--store", self.store, "--json", "--progress", path],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            err = []
            buf = b""
            while True:
                ch = proc.stderr.read(1)
                if not ch:
                    break
                if ch in (b"\r", b"\n"):
                    line = buf.decode("utf-8", "replace")
                    buf = b""
                    m = re.search(r"(\d+)%\s+(.*?)\s*(?:ETA|$)", line)
                    if m:
                        self._update(tid, progress=min(0.99, int(m.group(1)) / 100.0),
                                     message=m.group(2).strip() or "loading")
                    elif line.strip():
                        err.append(re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", line).strip())
                else:
                    buf += ch
            out = proc.stdout.read().decode("utf-8", "replace")
            rc = proc.wait()
        try:
            os.unlink(path)
        except OSError:
            pass
        if rc != 0:
            msg = next((e for e in reversed(err) if e), "ingest failed (exit %d)" % rc)
            self._update(tid, state="failed", message=msg, error=msg, finished=time.time())
            return
        try:
            report = json.loads(out)
        except ValueError:
            report = {"summary": out.strip()}
        self._update(tid, state="done", progress=1.0, message=report.get("summary", "done"),
                     result=report, finished=time.time())

    def task(self, tid):
        with self.lock:
            t = self.tasks.get(tid)
            return dict(t) if t else None


def public_task(t):
    return {k: v for k, v in t.items() if k != "seq"}


class Handler(BaseHTTPRequestHandler):
    server_version = "ria-mock/0.1"
    api = None  # set by main

    def log_message(self, fmt, *args):
        if os.environ.get("RIA_MOCK_LOG"):
            sys.stderr.write("mock: " + (fmt % args) + "\n")

    # -- responses ------------------------------------------------------------

    def send_json(self, obj, status=200):
        body = json.dumps(obj).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def send_error_json(self, status, message, code="error"):
        self.send_json({"error": {"code": code, "message": message, "status": status}}, status)

    def read_body(self, cap=512 * 1024 * 1024):
        n = int(self.headers.get("Content-Length") or 0)
        if n > cap:
            raise ValueError("request body too large")
        return self.rfile.read(n) if n else b""

    def authorized(self):
        key = self.api.api_key
        if not key:
            return True
        if self.headers.get("Authorization", "") == "Bearer " + key:
            return True
        self.send_response(401)
        body = json.dumps({"error": {"code": "unauthorized", "status": 401,
                                     "message": "an API key is required (Authorization: Bearer KEY)"}}).encode()
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("WWW-Authenticate", 'Bearer realm="ria"')
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        return False

    # -- dispatch -------------------------------------------------------------

    def do_GET(self):
        self.dispatch("GET")

    def do_POST(self):
        self.dispatch("POST")

    def dispatch(self, method):
        url = urlparse(self.path)
        qs = {k: v[-1] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        path = url.path
        try:
            if not path.startswith("/api/"):
                return self.static(path) if method == "GET" else self.send_error_json(405, "method not allowed")
            if not self.authorized():
                return
            if self.api.delay and path in ("/api/ask", "/api/summary"):
                time.sleep(self.api.delay)
            route = (method, path)
            if route == ("POST", "/api/ask") or route == ("GET", "/api/ask"):
                if method == "POST":
                    try:
                        req = json.loads(self.read_body() or b"{}")
                    except ValueError:
                        return self.send_error_json(400, "the body is not JSON")
                else:
                    req = {"question": qs.get("question", qs.get("q", "")), "session": qs.get("session")}
                q = (req.get("question") or "").strip() if isinstance(req.get("question"), str) else ""
                if not q:
                    return self.send_error_json(400, "question is empty", "bad_request")
                return self.send_json(self.api.ask(q, req.get("session")))
            if route == ("GET", "/api/suggestions"):
                return self.send_json({"suggestions": self.api.suggestions(qs.get("q", ""))})
            if route == ("GET", "/api/examples"):
                return self.send_json({"examples": self.api.examples()})
            if route == ("POST", "/api/feedback"):
                try:
                    fb = json.loads(self.read_body() or b"{}")
                except ValueError:
                    return self.send_error_json(400, "the body is not JSON")
                if fb.get("rating") not in ("up", "down"):
                    return self.send_error_json(400, "rating must be up or down")
                fid = "fb-%d" % (len(self.api.feedback) + 1)
                fb["id"] = fid
                self.api.feedback.append(fb)
                if os.environ.get("RIA_MOCK_FEEDBACK"):
                    with open(os.environ["RIA_MOCK_FEEDBACK"], "a") as f:
                        f.write(json.dumps(fb) + "\n")
                return self.send_json({"ok": True, "id": fid}, 201)
            if route == ("GET", "/api/summary"):
                return self.send_json(self.api.summary(qs.get("period", "").strip()))
            if route == ("GET", "/api/versions"):
                return self.send_json(self.api.versions())
            if route == ("GET", "/api/quality"):
                rep = self.api.quality(qs.get("version"))
                if rep is None:
                    return self.send_error_json(404, "no report for that version")
                return self.send_json(rep)
            if route == ("GET", "/api/quality/quarantine"):
                limit = max(1, min(1000, int(qs.get("limit") or 100)))
                offset = max(0, int(qs.get("offset") or 0))
                return self.send_json(self.api.quarantine(qs.get("version"), limit, offset))
            if route == ("GET", "/api/schema"):
                return self.send_json(self.api.schema())
            if route == ("POST", "/api/tasks"):
                if qs.get("kind") != "ingest":
                    return self.send_error_json(400, "unknown task kind")
                body = self.read_body()
                if not body.strip():
                    return self.send_error_json(400, "the file is empty")
                name = os.path.basename(qs.get("name") or "upload.csv") or "upload.csv"
                d = tempfile.mkdtemp(dir=self.api.tmp)
                p = os.path.join(d, name)
                with open(p, "wb") as f:
                    f.write(body)
                t = self.api.start_ingest(p)
                return self.send_json(public_task(t), 202)
            m = re.fullmatch(r"/api/tasks/([\w-]+)(/events)?", path)
            if m and method == "GET":
                t = self.api.task(m.group(1))
                if t is None:
                    return self.send_error_json(404, "no such task")
                if m.group(2):
                    return self.events(m.group(1))
                return self.send_json(public_task(t))
            return self.send_error_json(404, "no such route: %s %s" % (method, path))
        except subprocess.TimeoutExpired:
            return self.send_error_json(504, "ria took too long")
        except (RuntimeError, ValueError) as e:
            return self.send_error_json(500, str(e))

    def static(self, path):
        if path == "/":
            path = "/index.html"
        try:
            assets = EMBED.asset_list()
        except EMBED.AssetError as e:
            return self.send_error_json(500, str(e))
        for p, ctype, data in assets:
            if p == path:
                self.send_response(200)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Cache-Control", "no-cache")
                self.end_headers()
                self.wfile.write(data)
                return
        self.send_error_json(404, "not found: " + path)

    def events(self, tid):
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        seen = -1
        deadline = time.time() + 600
        try:
            while time.time() < deadline:
                t = self.api.task(tid)
                if t["seq"] != seen:
                    seen = t["seq"]
                    if t["state"] in ("done", "failed"):
                        self.wfile.write(("event: done\ndata: %s\n\n" % json.dumps(public_task(t))).encode())
                        self.wfile.flush()
                        return
                    data = {"state": t["state"], "progress": t["progress"], "message": t["message"]}
                    self.wfile.write(("event: progress\ndata: %s\n\n" % json.dumps(data)).encode())
                    self.wfile.flush()
                time.sleep(0.05)
        except (BrokenPipeError, ConnectionResetError):
            pass


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--store", required=True)
    ap.add_argument("--port", type=int, default=8080)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--ria", default=os.path.join(ROOT, "ria"))
    ap.add_argument("--api-key", default=os.environ.get("RIA_MOCK_API_KEY", ""))
    ap.add_argument("--delay", type=float, default=0.0, help="seconds added to asks (to see loading states)")
    args = ap.parse_args()
    Handler.api = Api(os.path.abspath(args.ria), os.path.abspath(args.store), args.api_key, args.delay)
    srv = ThreadingHTTPServer((args.host, args.port), Handler)
    srv.daemon_threads = True
    sys.stderr.write("mock server on http://%s:%d (store %s)\n" % (args.host, srv.server_port, args.store))
    sys.stderr.flush()
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        shutil.rmtree(Handler.api.tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
