"""The cluster test (issue 15): mixed load through nginx onto two `serve` processes on one
PostgreSQL with a streaming replica, one server killed with SIGKILL half-way through.

    python3 cluster_test.py CLUSTER_DIR MAILDIR

CLUSTER_DIR is what `scripts/cluster start` printed (its `env` file names the parts); the
servers send e-mail to the SMTP server writing into MAILDIR (scripts/lib/smtp.sh). Standard
library only. It passes when:

- both servers took requests before the kill, and the survivor all of them after it;
- every write answered 2xx is there afterwards, read back through nginx; the only failed
  requests are POSTs the killed process held when it died (nginx never replays a POST);
- a browser session (cookie and CSRF token from the sign-in form) keeps working after the
  kill: a page and a form post;
- each item's webhook (to a receiver here) and e-mail (to the PO) arrive exactly once. The one
  exception is told, not hidden: a job the killed process had sent in the instant before it
  died, whose outcome it could not record, is sent again once its lease runs out (at least
  once, like any sender that can die; the webhook's X-Throughline-Delivery lets a receiver
  drop the copy). Only a copy whose first arrived within a second of the kill counts so;
- once the replica has replayed the primary's last WAL position, the reports (alignment,
  velocity, roadmap, documents) that a server reads from the replica equal, byte for byte,
  those of a server reading the primary only; and the replica did serve them.
"""

import concurrent.futures
import email
import email.policy
import hashlib
import hmac
import http.client
import http.server
import json
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse

LOAD_SECONDS = float(os.environ.get("CLUSTER_LOAD_SECONDS", "20"))
THREADS = int(os.environ.get("CLUSTER_THREADS", "4"))
# Each client's pause between rounds: a steady mixed load, not a flood (every item created also
# makes a webhook and an e-mail, which must all arrive within the test's bounds).
PAUSE = 0.05
# The longest lease of a job (src/mail/outbox.rs LEASE), and the worker's pass interval.
LEASE_SECONDS = 40
PASSWORD = "cluster-password-1"
SECRET = "cluster-webhook-secret"
WS, PRODUCT = "cluster", "CLU"


def fail(msg):
    sys.exit(f"cluster test FAILED: {msg}")


def read_env(dir_):
    env = {}
    with open(os.path.join(dir_, "env")) as f:
        for line in f:
            for word in shlex.split(line):
                k, _, v = word.partition("=")
                env[k] = v
    return env


class Http:
    """One request per connection: nothing is kept between requests, as a load balancer's
    clients do not share connections."""

    def __init__(self, base):
        u = urllib.parse.urlsplit(base)
        self.host, self.port = u.hostname, u.port

    def call(self, method, path, token=None, body=None, headers=None, form=None):
        h = dict(headers or {})
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            h["Content-Type"] = "application/json"
        if form is not None:
            data = urllib.parse.urlencode(form).encode()
            h["Content-Type"] = "application/x-www-form-urlencoded"
        if token:
            h["Authorization"] = f"Bearer {token}"
        conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
        try:
            conn.request(method, path, body=data, headers=h)
            r = conn.getresponse()
            return r.status, r.headers, r.read()
        finally:
            conn.close()

    def json(self, method, path, token, body=None, expect=(200,)):
        status, _, raw = self.call(method, path, token, body)
        if status not in expect:
            fail(f"{method} {path}: {status} {raw[:300]!r}")
        return json.loads(raw) if raw else None


# ---------------------------------------------------------------- receivers


class Webhooks:
    """Records each delivery: its id, event, item key and arrival time; checks the signature."""

    def __init__(self):
        self.got = []
        self.bad = []
        self.lock = threading.Lock()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                want = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
                with outer.lock:
                    if self.headers.get("X-Hub-Signature-256") != want:
                        outer.bad.append(self.headers.get("X-Throughline-Delivery"))
                    payload = json.loads(body)
                    outer.got.append((self.headers.get("X-Throughline-Delivery"),
                                      payload.get("event"),
                                      payload.get("data", {}).get("key"), time.time()))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def items(self):
        with self.lock:
            return [g for g in self.got if g[1] == "item.created"]


def mails(maildir, to):
    """(item key, arrival time) of each message to `to`, from the subject ("… added CLU-7 …");
    the sink names its files by arrival time in nanoseconds."""
    out = []
    if not os.path.isdir(maildir):
        return out
    for name in os.listdir(maildir):
        # A dot file is a message still being written; it is renamed into place when whole.
        if not name.endswith(".eml") or name.startswith("."):
            continue
        with open(os.path.join(maildir, name), "rb") as f:
            m = email.message_from_binary_file(f, policy=email.policy.default)
        if to not in (m["X-Envelope-To"] or ""):
            continue
        key = re.search(rf"\b{PRODUCT}-\d+\b", str(m["Subject"] or ""))
        if key:
            out.append((key.group(0), int(name.split("-")[0]) / 1e9))
    return out


# ---------------------------------------------------------------- setup


def cli(env, *args):
    """The binary against the primary, as an operator runs it."""
    e = {k: v for k, v in os.environ.items() if not k.startswith(("THROUGHLINE_", "DATABASE_"))}
    e.update(DATABASE_URL=env["PRIMARY_URL"], THROUGHLINE_PASSWORD=PASSWORD)
    r = subprocess.run([env["THROUGHLINE_BIN"], *args], env=e, capture_output=True, text=True)
    if r.returncode != 0:
        fail(f"throughline {' '.join(args)}: {r.stderr.strip()}")
    return r.stdout.strip()


def sign_in(nginx, email_):
    """The sign-in form, as a browser posts it: the session cookie and the page's CSRF token."""
    status, headers, _ = nginx.call("POST", "/login",
                                    form={"csrf": "cluster", "email": email_, "password": PASSWORD},
                                    headers={"Cookie": "tl_login=cluster"})
    if status != 303:
        fail(f"signing in answered {status}")
    for c in headers.get_all("Set-Cookie") or []:
        m = re.match(r"tl_session=([^;]+)", c)
        if m and m.group(1):
            return "tl_session=" + m.group(1)
    fail("signing in set no session cookie")


def session_page(nginx, cookie):
    """The inbox page through the session; answers its CSRF token, or None."""
    status, _, raw = nginx.call("GET", "/inbox", headers={"Cookie": cookie})
    m = re.search(rb'<meta name="csrf-token" content="([^"]+)"', raw)
    return (m.group(1).decode() if status == 200 and m else None), status


def setup(env, nginx, hooks):
    cli(env, "user", "add", "--email", "owner@example.com", "--name", "Owner")
    cli(env, "user", "add", "--email", "po@example.com", "--name", "Olive")
    owner = cli(env, "token", "create", "--email", "owner@example.com", "--name", "cluster")
    po = cli(env, "token", "create", "--email", "po@example.com", "--name", "cluster")
    nginx.json("POST", "/api/v1/workspaces", owner, {"slug": WS, "name": "Cluster"}, (201,))
    nginx.json("POST", f"/api/v1/workspaces/{WS}/products", owner,
               {"key": PRODUCT, "name": "Cluster"}, (201,))
    inv = nginx.json("POST", f"/api/v1/workspaces/{WS}/members", owner,
                     {"email": "po@example.com"}, (201, 202))
    nginx.json("POST", "/api/v1/invitations/accept", po,
               {"token": inv["link"].rsplit("/", 1)[1]}, (200,))
    nginx.json("PUT", f"/api/v1/workspaces/{WS}/products/{PRODUCT}/roles/po@example.com", owner,
               {"roles": ["po"]}, (200, 204))
    nginx.json("PUT", f"/api/v1/workspaces/{WS}/settings/private-webhooks", owner,
               {"allow": True}, (204,))
    nginx.json("POST", f"/api/v1/workspaces/{WS}/webhooks", owner,
               {"url": hooks.url, "events": ["item.created"], "secret": SECRET}, (201,))
    return owner


# ---------------------------------------------------------------- load

def quarter():
    t = time.gmtime()
    return f"{t.tm_year}-Q{(t.tm_mon - 1) // 3 + 1}"


REPORTS = [
    ("alignment", f"/api/v1/workspaces/{WS}/products/{PRODUCT}/alignment?quarter={quarter()}", {}),
    ("velocity", f"/api/v1/workspaces/{WS}/products/{PRODUCT}/reports", {}),
    ("roadmap", f"/api/v1/workspaces/{WS}/roadmap", {}),
    ("plan document", f"/api/v1/workspaces/{WS}/products/{PRODUCT}/documents/plan",
     {"Accept": "text/markdown"}),
    ("brief document", f"/api/v1/workspaces/{WS}/products/{PRODUCT}/documents/brief",
     {"Accept": "text/markdown"}),
]


class Load:
    def __init__(self, nginx, token, cookie):
        self.nginx, self.token, self.cookie = nginx, token, cookie
        self.acked = {}  # key -> title
        self.failed = []  # (time, method, path, status or error)
        self.unread = []  # acked keys a read right after did not find
        self.counts = {}
        self.lock = threading.Lock()
        self.stop = threading.Event()

    def count(self, what):
        with self.lock:
            self.counts[what] = self.counts.get(what, 0) + 1

    def request(self, method, path, **kw):
        try:
            return self.nginx.call(method, path, **kw)
        except OSError as e:
            return repr(e), None, b""

    def worker(self, t):
        # No points: estimating is the developers' (the owner is PM and PO).
        item = {"kind": "story", "persona": "Admin", "goal": "export the audit log",
                "benefit": "auditors can check changes",
                "criteria": ["Given an admin When they export Then a CSV downloads"]}
        n = 0
        while not self.stop.is_set():
            n += 1
            title = f"Load {t}-{n}"
            path = f"/api/v1/workspaces/{WS}/products/{PRODUCT}/items"
            status, _, raw = self.request("POST", path, token=self.token, body={**item, "title": title})
            self.count("create")
            if status == 201:
                key = json.loads(raw)["key"]
                with self.lock:
                    self.acked[key] = title
                # Read it back at once: likely from the other process, on the primary.
                s, _, _ = self.request("GET", f"/api/v1/workspaces/{WS}/items/{key}", token=self.token)
                self.count("read own write")
                if s != 200:
                    with self.lock:
                        self.unread.append((key, s))
            else:
                with self.lock:
                    self.failed.append((time.time(), "POST", path, status))
            if n % 4 == 0:
                name, rpath, headers = REPORTS[(n // 4 + t) % len(REPORTS)]
                s, _, _ = self.request("GET", rpath, token=self.token, headers=headers)
                self.count(name)
                if s != 200:
                    with self.lock:
                        self.failed.append((time.time(), "GET", rpath, s))
            if n % 5 == 0:
                s, _, _ = self.request("GET", "/inbox", headers={"Cookie": self.cookie})
                self.count("session page")
                if s != 200:
                    with self.lock:
                        self.failed.append((time.time(), "GET", "/inbox", s))
            time.sleep(PAUSE)


# ---------------------------------------------------------------- checks


def psql(env, url, sql):
    r = subprocess.run([os.path.join(env["PG_BIN"], "psql"), "-X", "-At", url, "-c", sql],
                       capture_output=True, text=True)
    if r.returncode != 0:
        fail(f"psql {sql!r}: {r.stderr.strip()}")
    return r.stdout.strip()


def all_items(nginx, token):
    keys, cursor = set(), None
    while True:
        q = "limit=500" + (f"&cursor={urllib.parse.quote(cursor)}" if cursor else "")
        page = nginx.json("GET", f"/api/v1/workspaces/{WS}/products/{PRODUCT}/items?{q}", token)
        keys.update(i["key"] for i in page["items"])
        cursor = page.get("next_cursor")
        if not cursor:
            return keys


def once(arrivals, killed_at):
    """Keys that arrived more than once: those a dying process may have sent (first copy within
    a second of the kill), and the others."""
    by_key = {}
    for key, at in arrivals:
        by_key.setdefault(key, []).append(at)
    excused, wrong = {}, {}
    for key, times in by_key.items():
        if len(times) > 1:
            times.sort()
            # The receiver notes a copy when it has it whole, which may be just after the kill.
            if len(times) == 2 and abs(times[0] - killed_at) <= 1.0:
                excused[key] = times
            else:
                wrong[key] = times
    return set(by_key), excused, wrong


def same(a, b):
    """Whether two answers say the same: JSON as values (a map's keys may come in any order),
    anything else byte for byte."""
    if "json" in (a[1].get("Content-Type") or ""):
        return json.loads(a[2]) == json.loads(b[2])
    return a[2] == b[2]


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def primary_only_server(env, dir_):
    """A server reading the primary only (no replica), on the side, to compare reports with."""
    port = free_port()
    e = {k: v for k, v in os.environ.items() if not k.startswith(("THROUGHLINE_", "DATABASE_"))}
    e.update(DATABASE_URL=env["PRIMARY_URL"], THROUGHLINE_LISTEN=f"127.0.0.1:{port}",
             THROUGHLINE_DATA_DIR=os.path.join(dir_, "data-primary-only"),
             THROUGHLINE_BACKUP_EVERY="off")
    log = open(os.path.join(dir_, "server-primary-only.log"), "w")
    p = subprocess.Popen([env["THROUGHLINE_BIN"], "serve"], env=e, stdout=log, stderr=log)
    http_ = Http(f"http://127.0.0.1:{port}")
    for _ in range(300):
        try:
            if http_.call("GET", "/healthz")[0] == 200:
                return p, http_
        except OSError:
            pass
        if p.poll() is not None:
            break
        time.sleep(0.1)
    p.kill()
    fail("the primary-only server did not start; see server-primary-only.log")


def upstream_counts(dir_, killed_at):
    """Requests per server from nginx's log, before and after the kill."""
    before, after = {}, {}
    with open(os.path.join(dir_, "nginx-access.log")) as f:
        for line in f:
            parts = line.split()
            if len(parts) < 3:
                continue
            # A request moved on from a dead server names both: "A, B"; B answered.
            at, upstream = float(parts[0]), parts[-5] if "," in parts[1] else parts[1]
            side = before if at < killed_at else after
            side[upstream] = side.get(upstream, 0) + 1
    return before, after


def main():
    dir_, maildir = sys.argv[1], sys.argv[2]
    env = read_env(dir_)
    nginx = Http(env["CLUSTER_URL"])
    servers = env["SERVER_URLS"].split()
    pids = [int(p) for p in env["SERVER_PIDS"].split()]
    if len(servers) < 2:
        fail("the cluster needs two servers")
    started = time.time()
    hooks = Webhooks()
    token = setup(env, nginx, hooks)
    cookie = sign_in(nginx, "po@example.com")
    if session_page(nginx, cookie)[0] is None:
        fail("the session's inbox page did not answer before the load")
    print(f"set up in {time.time() - started:.1f} s: workspace {WS}, product {PRODUCT}, "
          f"a webhook to {hooks.url}, the PO signed in through nginx")

    load = Load(nginx, token, cookie)
    threads = [threading.Thread(target=load.worker, args=(t,)) for t in range(THREADS)]
    load_started = time.time()
    for t in threads:
        t.start()
    time.sleep(LOAD_SECONDS / 2)
    victim = pids[0]
    os.kill(victim, signal.SIGKILL)
    killed_at = time.time()
    print(f"killed server 1 ({servers[0]}, pid {victim}) with SIGKILL after "
          f"{killed_at - load_started:.1f} s of load")
    time.sleep(LOAD_SECONDS / 2)
    load.stop.set()
    for t in threads:
        t.join()
    load_s = time.time() - load_started
    total = sum(load.counts.values())
    print(f"load: {total} requests from {THREADS} threads in {load_s:.1f} s "
          f"({total / load_s:.0f}/s through nginx, debug build): "
          + ", ".join(f"{k} {v}" for k, v in sorted(load.counts.items())))
    failures = []

    # The session goes on, on the surviving server: a page and a form post with its token.
    csrf, status = session_page(nginx, cookie)
    if csrf is None:
        failures.append(f"the session's page answered {status} after the kill")
    else:
        s, h, _ = nginx.call("POST", "/inbox/read-all", form={"csrf": csrf},
                             headers={"Cookie": cookie})
        if s != 303 or h.get("Location") != "/inbox":
            failures.append(f"the session's form post answered {s} after the kill")

    # Failed requests: only POSTs in flight on the killed process, so at most one a thread.
    for at, method, path, status in load.failed:
        if method != "POST" or not (killed_at - 0.5 <= at <= killed_at + 5):
            failures.append(f"{method} {path} answered {status} "
                            f"{at - killed_at:+.1f} s from the kill")
    if len(load.failed) > THREADS:
        failures.append(f"{len(load.failed)} requests failed, more than the {THREADS} in flight")
    if load.unread:
        failures.append(f"{len(load.unread)} items answered 201 were not read back at once: "
                        f"{load.unread[:5]}")
    print(f"failed requests: {len(load.failed)} (POSTs the killed process held: "
          f"{[s for _, _, _, s in load.failed][:20]})")

    # Every acknowledged write is there, with its title.
    def missing(pair):
        key, title = pair
        s, _, raw = nginx.call("GET", f"/api/v1/workspaces/{WS}/items/{key}", token)
        return None if s == 200 and json.loads(raw)["title"] == title else (key, s)

    with concurrent.futures.ThreadPoolExecutor(THREADS) as pool:
        lost = [m for m in pool.map(missing, sorted(load.acked.items())) if m]
    if lost:
        failures.append(f"{len(lost)} acknowledged writes are missing: {lost[:5]}")
    items = all_items(nginx, token)
    print(f"acknowledged writes: {len(load.acked)}, all read back: {not lost}; "
          f"items in the product: {len(items)} (in-flight creates that committed "
          f"unanswered: {len(items - set(load.acked))})")

    # Deliveries: every item's webhook and e-mail, waited for past the killed process's leases.
    deadline = max(killed_at + LEASE_SECONDS, time.time()) + 30
    while True:
        hook_keys = {k for _, _, k, _ in hooks.items()}
        mail_keys = {k for k, _ in mails(maildir, "po@example.com")}
        done = items <= hook_keys and items <= mail_keys
        if (done and time.time() > killed_at + LEASE_SECONDS + 5) or time.time() > deadline:
            break
        time.sleep(0.5)
    got = hooks.items()
    ids = {}
    for d, _, key, at in got:
        ids.setdefault(d, []).append(key)
    hook_seen, hook_excused, hook_wrong = once([(k, at) for _, _, k, at in got], killed_at)
    mail_seen, mail_excused, mail_wrong = once(mails(maildir, "po@example.com"), killed_at)
    if hooks.bad:
        failures.append(f"{len(hooks.bad)} webhooks had a wrong signature")
    for what, seen, excused, wrong in (("webhook", hook_seen, hook_excused, hook_wrong),
                                       ("e-mail", mail_seen, mail_excused, mail_wrong)):
        if items - seen:
            failures.append(f"{len(items - seen)} items got no {what}: {sorted(items - seen)[:5]}")
        if seen - items:
            failures.append(f"{what}s for items that do not exist: {sorted(seen - items)[:5]}")
        if wrong:
            failures.append(f"{what}s sent more than once: {dict(list(wrong.items())[:5])}")
        print(f"{what}s: {len(seen)} items, each once"
              + (f" but {len(excused)}, sent by the killed server as it died and again after "
                 f"its lease: {sorted(excused)}" if excused else ""))
    resent = [d for d, keys in ids.items() if len(keys) > 1]
    if resent:
        print(f"  (webhook delivery ids received twice, which a receiver drops: {resent})")

    # Requests per server, from nginx's log.
    before, after = upstream_counts(dir_, killed_at)
    print(f"requests per server: before the kill {before}; after it {after}")
    up = [u.split("//")[1] for u in servers]
    if not all(before.get(u, 0) > 0 for u in up):
        failures.append(f"not every server took requests before the kill: {before}")
    if after.get(up[1], 0) == 0:
        failures.append("the surviving server took no requests after the kill")

    # The replica catches up, then its reports equal the primary's.
    lsn = psql(env, env["PRIMARY_URL"], "SELECT pg_current_wal_lsn()")
    t0 = time.time()
    while psql(env, env["REPLICA_URL"],
               f"SELECT pg_last_wal_replay_lsn() >= '{lsn}'::pg_lsn") != "t":
        if time.time() - t0 > 30:
            fail(f"the replica did not replay up to {lsn} within 30 s")
        time.sleep(0.05)
    print(f"the replica replayed the primary's WAL position {lsn} "
          f"{(time.time() - t0) * 1000:.0f} ms after it was read")
    # Read from the replica's `postgres` database, so that these queries are not counted.
    commits = "SELECT sum(xact_commit) FROM pg_stat_database WHERE datname = 'throughline'"
    stats_url = env["REPLICA_URL"].rsplit("/", 1)[0] + "/postgres"
    on_replica = int(psql(env, stats_url, commits) or 0)
    survivor = Http(servers[1])
    proc, primary_only = primary_only_server(env, dir_)
    try:
        for name, path, headers in REPORTS:
            a = survivor.call("GET", path, token, headers=headers)
            b = primary_only.call("GET", path, token, headers=headers)
            if a[0] != 200 or b[0] != 200:
                failures.append(f"{name}: {a[0]} from the replica, {b[0]} from the primary")
            elif same(a, b) is False:
                failures.append(f"{name}: the replica's answer differs from the primary's")
            else:
                print(f"{name}: the replica's answer equals the primary's "
                      f"({len(a[2])} bytes, sha256 {hashlib.sha256(a[2]).hexdigest()[:12]})")
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    # PostgreSQL counts a backend's commits when it goes idle, within a second or so.
    time.sleep(2)
    served = int(psql(env, stats_url, commits) or 0) - on_replica
    print(f"transactions on the replica while the reports were read: {served}")
    if served <= 0:
        failures.append("the replica served none of the reports' reads")

    print(f"cluster test: {time.time() - started:.0f} s in all")
    if failures:
        fail("; ".join(f[:300] for f in failures[:8])
             + (f" (and {len(failures) - 8} more)" if len(failures) > 8 else ""))
    print("cluster test: passed")


if __name__ == "__main__":
    main()
