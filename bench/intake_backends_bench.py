#!/usr/bin/env python3
"""Intake into RocksDB and into PostgreSQL, same referrals, same binary, one invocation.

Starts a throwaway PostgreSQL (tests/postgres/test-server: initdb into a temporary directory, a free
loopback port, fsync off), migrates an empty database, then runs bench/intake_bench.py twice with the
same seed: once into an embedded case directory, once into the database. Prints both tables and the
day-1 rate of PostgreSQL as a fraction of RocksDB's. Usage:
  bench/intake_backends_bench.py [--binary build/release/hashtriage] [--referrals 100000] [--work DIR]
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def day1_rate(output):
    m = re.search(r"^day 1\s+\d+\s+[0-9.]+\s+(\d+)", output, re.M)
    return int(m.group(1)) if m else None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default="build/release/hashtriage")
    ap.add_argument("--referrals", type=int, default=100_000)
    ap.add_argument("--work", default="")
    args = ap.parse_args()
    binary = os.path.abspath(os.path.join(ROOT, args.binary))
    work = args.work or tempfile.mkdtemp(prefix="intake-backends-")
    os.makedirs(work, exist_ok=True)
    server = os.path.join(work, "postgres")
    script = os.path.join(ROOT, "tests/postgres/test-server")
    subprocess.run([script, "start", server], check=True, stdout=subprocess.DEVNULL)
    try:
        url = open(os.path.join(server, "url")).read().strip()
        subprocess.run(["psql", "-X", "-q", url + "/postgres", "-c", "CREATE DATABASE intake_bench"], check=True)
        subprocess.run([binary, "db", "migrate", "--case", url + "/intake_bench"], check=True, stdout=subprocess.DEVNULL)
        outputs = {}
        for name, extra in (("RocksDB", []), ("PostgreSQL", ["--case", url + "/intake_bench"])):
            r = subprocess.run([sys.executable, os.path.join(ROOT, "bench/intake_bench.py"), "--binary", binary,
                                "--referrals", str(args.referrals), "--work", os.path.join(work, name.lower()), *extra],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            if r.returncode != 0:
                sys.exit(f"intake_bench.py into {name} failed:\n{r.stdout[-3000:]}")
            outputs[name] = r.stdout
            print(f"-- {name}")
            print(r.stdout.rstrip())
        rocks, pg = day1_rate(outputs["RocksDB"]), day1_rate(outputs["PostgreSQL"])
        print(f"RATIO day-1 intake rate, PostgreSQL / RocksDB: {pg} / {rocks} referrals/s = {pg / rocks:.2f}x "
              f"(target >= 0.5x)")
    finally:
        subprocess.run([script, "stop", server], stdout=subprocess.DEVNULL)


if __name__ == "__main__":
    main()
