#!/usr/bin/env python3
"""One subject's size must not make intake superlinear.

Times the real `hashtriage intake` in one run on two generated files of N provider reports each:
  unrelated  N reports of N different people (one account, one e-mail each)
  shared     N reports of N different service accounts that all give one e-mail address (one person,
             as an abuser of a shared address would look) — the subject grows to N accounts
and then one more report added to each case (the cost of touching a large subject). Prints the wall
times and the ratio shared / unrelated (the issue's bound: within 2x). Each measure is the median of
--repeat runs into fresh cases. Hashes are made-up; no index (matching is not what is measured).
Usage: bench/intake_shared_bench.py [--binary build/release/hashtriage] [--referrals 10000] [--repeat 3]
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time


def report(i, account, emails):
    return {"reportId": f"R{i}",
            "incidentSummary": {"incidentType": "Child Pornography (possession, manufacture, and distribution)",
                                "incidentDateTime": "2026-11-20T08:00:00Z"},
            "reportedPerson": {"espService": "examplechat", "espIdentifier": account, "email": emails},
            "files": [{"originalFileName": f"f{i}.jpg",
                       "originalFileHash": [{"hashType": "MD5", "value": f"{i:032x}"}]}]}


def write(path, reports):
    with open(path, "w") as f:
        for r in reports:
            f.write(json.dumps(r) + "\n")


def timed_intake(binary, case, path, now):
    start = time.monotonic()
    r = subprocess.run([binary, "intake", "--case", case, "--index", case + "-no-index", "--now", now, "--by", "bench",
                        path], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed = time.monotonic() - start
    if r.returncode != 0:
        sys.exit(f"intake failed ({r.returncode}): {r.stderr[-2000:]}")
    return elapsed


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default="build/release/hashtriage")
    ap.add_argument("--referrals", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    binary = os.path.abspath(args.binary)
    n = args.referrals
    work = tempfile.mkdtemp(prefix="intake-shared-")
    try:
        write(f"{work}/unrelated.jsonl", [report(i, f"u{i}", [f"person{i}@example.org"]) for i in range(n)])
        write(f"{work}/shared.jsonl", [report(i, f"s{i}", ["one.person@example.org"]) for i in range(n)])
        write(f"{work}/unrelated-next.jsonl", [report(n, f"u{n}", [f"person{n}@example.org"])])
        write(f"{work}/shared-next.jsonl", [report(n, f"s{n}", ["one.person@example.org"])])
        times = {"unrelated": [], "shared": [], "unrelated-next": [], "shared-next": []}
        for k in range(args.repeat):
            for kind in ("unrelated", "shared"):  # alternate so load drifts hit both alike
                case = f"{work}/case-{kind}-{k}"
                times[kind].append(timed_intake(binary, case, f"{work}/{kind}.jsonl", "2026-11-20T09:00:00Z"))
                times[kind + "-next"].append(timed_intake(binary, case, f"{work}/{kind}-next.jsonl", "2026-11-21T09:00:00Z"))
        med = {k: statistics.median(v) for k, v in times.items()}
        print(f"intake of {n} referrals, wall seconds, median of {args.repeat} (same run, same binary):")
        print(f"  unrelated (N people)          {med['unrelated']:8.2f} s  ({n / med['unrelated']:.0f} referrals/s)")
        print(f"  sharing one e-mail (1 person) {med['shared']:8.2f} s  ({n / med['shared']:.0f} referrals/s)")
        print(f"  ratio shared / unrelated      {med['shared'] / med['unrelated']:8.2f}x  (bound: 2x)")
        print(f"  one more referral into each:  unrelated {med['unrelated-next']:.2f} s, shared {med['shared-next']:.2f} s")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
