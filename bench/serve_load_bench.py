#!/usr/bin/env python3
"""Load test of `hashtriage serve` on loopback: 50 concurrent clients over a case of 100,000 subjects.

Starts a throwaway PostgreSQL (tests/postgres/test-server), builds a case of N subjects (one generated
referral per made-up person, ingested into an embedded case and moved into PostgreSQL with `case
export`), adds 40 investigators and 10 supervisors, starts `serve`, and runs C clients for S seconds
(bench/serve_load_client: C++ threads, each signed in as one person, one keep-alive connection each)
mixing queue pages (50%), subject views (35%) and reviews (15%; an investigator first takes the
subject; a review reads the subject's version, then posts a "keep" decision with a band). Prints
p50/p99/max latency per request type (measured by the client around each timed request) and the
throughput. Clients, server and PostgreSQL share the machine's cores. Targets (issue "Team mode"):
queue page p99 < 200 ms, review p99 < 100 ms. Usage:
  bench/serve_load_bench.py [--binary build/release/hashtriage] [--subjects 100000] [--clients 50]
                            [--seconds 60] [--think-ms 500,0] [--work DIR]
"""
import argparse
import http.client
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PASSWORD = "load test password"


def generate(path, n):
    with open(path, "w") as f:
        for i in range(n):
            f.write(json.dumps({"reportId": f"LOAD-{i}",
                                "incidentSummary": {"incidentType": "Apparent Child Pornography",
                                                    "incidentDateTime": f"2026-11-{1 + i % 28:02d}T06:00:00Z"},
                                "reportedPerson": {"espService": "examplechat", "espIdentifier": f"load-{i}",
                                                   "email": [f"load.person{i}@example.org"]},
                                "files": []}) + "\n")


class Client:
    def __init__(self, host, port, name):
        self.name = name
        self.conn = http.client.HTTPConnection(host, port, timeout=120)
        self.cookie = ""
        self.csrf = ""
        status, body = self.call("POST", "/api/v1/session", {"name": name, "password": PASSWORD})
        if status != 200:
            raise SystemExit(f"sign-in of {name} failed: {status} {body}")
        self.csrf = body["csrf_token"]

    def call(self, method, path, body=None):
        headers = {"Content-Type": "application/json"}
        if self.cookie:
            headers["Cookie"] = self.cookie
        if self.csrf and method != "GET":
            headers["X-CSRF-Token"] = self.csrf
        self.conn.request(method, path, None if body is None else json.dumps(body), headers)
        r = self.conn.getresponse()
        text = r.read()
        cookie = r.getheader("Set-Cookie")
        if cookie:
            self.cookie = cookie.split(";")[0]
        return r.status, json.loads(text) if text else None


def run_clients(client_binary, host, port, names, seconds, subjects, seed, think_ms, work):
    """Runs bench/serve_load_client (C++ threads, one per person); returns its JSON report."""
    password_file = os.path.join(work, "password")
    with open(password_file, "w") as f:
        f.write(PASSWORD + "\n")
    p = subprocess.run([client_binary, "--host", host, "--port", str(port), "--names", ",".join(names),
                        "--password-file", password_file, "--seconds", str(seconds), "--subjects", str(subjects),
                        "--seed", str(seed), "--think-ms", str(think_ms)], capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit(f"serve_load_client failed ({p.returncode}): {p.stderr[-2000:]}")
    return json.loads(p.stdout)


def run_phase(client_binary, host, port, names, args, think_ms, work):
    report = run_clients(client_binary, host, port, names, args.seconds, args.subjects, args.seed, think_ms,
                         work)
    requests = report["requests"]
    total = sum(r["count"] for r in requests.values())
    pacing = f"think time exponential, mean {think_ms:g} ms" if think_ms > 0 else "no think time: saturation"
    print(f"{args.clients} clients ({pacing}) for {report['elapsed_s']:.1f} s on loopback, serve --threads 64 "
          f"--connections 16, {os.cpu_count()} cores shared by clients, server and PostgreSQL:")
    print(f"{'request':<14} {'count':>7} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    for key in ("queue page", "subject view", "review"):
        r = requests[key]
        print(f"{key:<14} {r['count']:>7} {r['p50_ms']:>8.1f} {r['p99_ms']:>8.1f} {r['max_ms']:>8.1f}")
    print(f"throughput: {total / report['elapsed_s']:.0f} timed requests/s; request outcomes: {report['outcomes']}")
    for e in report["errors"]:
        print(f"error: {e}")
    qp99 = requests["queue page"]["p99_ms"]
    rp99 = requests["review"]["p99_ms"]
    print(f"TARGETS ({pacing}) queue page p99 {qp99:.0f} ms (< 200: {'met' if qp99 < 200 else 'NOT met'}), "
          f"review p99 {rp99:.0f} ms (< 100: {'met' if rp99 < 100 else 'NOT met'})")



def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default="build/release/hashtriage")
    ap.add_argument("--subjects", type=int, default=100_000)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("--work", default="")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--think-ms", default="500,0",
                    help="phases, one per value: mean think time between a client's requests (exponential, ms); "
                         "0: back to back (saturation)")
    args = ap.parse_args()
    binary = os.path.abspath(os.path.join(ROOT, args.binary))
    client_binary = os.path.join(os.path.dirname(binary), "bench", "serve_load_client")
    work = args.work or tempfile.mkdtemp(prefix="serve-load-")
    os.makedirs(work, exist_ok=True)
    server_dir = os.path.join(work, "postgres")
    script = os.path.join(ROOT, "tests/postgres/test-server")
    subprocess.run([script, "start", server_dir], check=True, stdout=subprocess.DEVNULL)
    serve = None
    try:
        url = open(os.path.join(server_dir, "url")).read().strip()
        db = url + "/serve_load"
        subprocess.run(["psql", "-X", "-q", url + "/postgres", "-c", "CREATE DATABASE serve_load"], check=True)
        subprocess.run([binary, "db", "migrate", "--case", db], check=True, stdout=subprocess.DEVNULL)
        referrals = os.path.join(work, "referrals.jsonl")
        generate(referrals, args.subjects)
        local = os.path.join(work, "case")
        t = time.monotonic()
        subprocess.run([binary, "intake", referrals, "--case", local, "--now", "2026-11-29T08:00:00Z"], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        intake_s = time.monotonic() - t
        t = time.monotonic()
        subprocess.run([binary, "case", "export", "--case", local, "--to", db], check=True, stdout=subprocess.DEVNULL)
        export_s = time.monotonic() - t
        print(f"case: {args.subjects} subjects (one referral each): intake into RocksDB {intake_s:.1f} s, "
              f"moved into PostgreSQL {export_s:.1f} s")
        names = []
        for k in range(args.clients):
            name = f"sup{k}" if k % 5 == 0 else f"inv{k}"
            role = "supervisor" if k % 5 == 0 else "investigator"
            subprocess.run([binary, "user", "add", name, "--role", role, "--case", db], input=PASSWORD + "\n",
                           check=True, text=True, stdout=subprocess.DEVNULL)
            names.append(name)
        log = open(os.path.join(work, "serve.log"), "w")
        serve = subprocess.Popen([binary, "serve", "--case", db, "--listen", "127.0.0.1:0", "--threads", "64",
                                  "--connections", "16", "--sign-ins-per-minute", "1000"],
                                 stdout=subprocess.PIPE, stderr=log, text=True)
        line = serve.stdout.readline()
        m = re.search(r"listening on http://([0-9.]+):(\d+)", line)
        if not m:
            raise SystemExit(f"serve did not start: {line}")
        host, port = m.group(1), int(m.group(2))
        # First page: builds the server's queue view (not counted).
        t = time.monotonic()
        Client(host, port, names[0]).call("GET", "/api/v1/queue?limit=50")
        print(f"first queue page (builds the view of {args.subjects} subjects): {time.monotonic() - t:.2f} s")
        for think_ms in [float(x) for x in args.think_ms.split(",")]:
            run_phase(client_binary, host, port, names, args, think_ms, work)
    finally:
        if serve:
            serve.terminate()
            serve.wait()
        subprocess.run([script, "stop", server_dir], stdout=subprocess.DEVNULL)


if __name__ == "__main__":
    main()
