#!/usr/bin/env python3
"""Intake benchmark: generated referrals through the real `hashtriage intake`.

Generates a day of referrals (CyberTipline-like JSON Lines and P2P monitoring CSV) for a population of
people who each use one to three accounts sharing an email or phone, some behind carrier-NAT addresses,
with some file hashes in a generated known-image index (made-up MD5s: nothing real). Then times:
  day 1    N referrals into an empty case
  again    the same files again (idempotent: nothing stored)
  day 2    N/10 new referrals, many for people already known (incremental linking: time should
           follow the size of the new day, not of the case)
and prints referrals/s, subjects, merges. Usage:
  bench/intake_bench.py [--binary build/release/hashtriage] [--referrals 100000] [--work DIR] [--case LOCATION]
--case puts the case elsewhere than WORK/case: another directory, or a migrated (empty) PostgreSQL database.
"""
import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time


def person_accounts(rng, person):
    """One to three accounts of one person; they share the person's email or phone."""
    email = f"person{person}@example.org"
    phone = f"+447700{person:06d}"
    accounts = []
    for k in range(rng.choice([1, 1, 2, 3])):
        service = rng.choice(["examplechat", "photoshare", "videoapp", "forumsite"])
        acct = {"service": service, "id": f"{person}-{k}"}
        r = rng.random()
        if k == 0 or r < 0.4:
            acct["email"] = email
        elif r < 0.8:
            acct["phone"] = phone
        else:  # both: joins the person's email and phone subjects (a merge when both exist)
            acct["email"], acct["phone"] = email, phone
        accounts.append(acct)
    return accounts


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default="build/release/hashtriage")
    ap.add_argument("--referrals", type=int, default=100_000)
    ap.add_argument("--work", default="")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--case", default="", help="case location (default WORK/case, re-created)")
    args = ap.parse_args()
    binary = os.path.abspath(args.binary)
    work = args.work or tempfile.mkdtemp(prefix="intake-bench-")
    os.makedirs(work, exist_ok=True)
    rng = random.Random(args.seed)
    n = args.referrals
    people = max(1, n // 3)
    accounts = {p: person_accounts(rng, p) for p in range(people)}
    known = [f"{rng.getrandbits(128):032x}" for _ in range(10_000)]
    nat_ips = [f"100.64.{i // 256}.{i % 256}" for i in range(200)]  # carrier NAT: many people each

    def report(rid, person, day):
        acct = rng.choice(accounts[person])
        ip = rng.choice(nat_ips) if rng.random() < 0.3 else f"198.51.{person % 256}.{(person // 256) % 256}"
        t = f"2026-11-{day:02d}T{rng.randrange(24):02d}:{rng.randrange(60):02d}:00Z"
        files = []
        for _ in range(rng.choice([1, 1, 2, 3])):
            md5 = rng.choice(known) if rng.random() < 0.2 else f"{rng.getrandbits(128):032x}"
            files.append({"originalFileName": f"{md5[:8]}.jpg", "originalFileHash": [{"hashType": "MD5", "value": md5}]})
        person_json = {"espService": acct["service"], "espIdentifier": acct["id"], "screenName": f"user_{acct['id']}"}
        for key in ("email", "phone"):
            if key in acct:
                person_json[key] = [acct[key]]
        return {"reportId": rid, "incidentSummary": {"incidentType": "Apparent Child Pornography", "incidentDateTime": t,
                                                     "escalateToHighPriority": rng.random() < 0.02},
                "reportedPerson": person_json,
                "ipCaptureEvent": [{"ipAddress": ip, "eventName": "Upload", "dateTime": t, "port": 443}],
                "files": files}

    def write_day(day, count, prefix):
        cyber = os.path.join(work, f"day{day}-cybertip.jsonl")
        p2p = os.path.join(work, f"day{day}-p2p.csv")
        n_p2p = count // 4
        with open(cyber, "w") as f:
            for i in range(count - n_p2p):
                f.write(json.dumps(report(f"{prefix}{i}", rng.randrange(people), day)) + "\n")
        with open(p2p, "w") as f:
            f.write("observed_at,network,client_guid,ip,port,file_name,md5,sha1,file_size\n")
            for i in range(n_p2p):
                person = rng.randrange(people)
                md5 = rng.choice(known) if rng.random() < 0.5 else f"{rng.getrandbits(128):032x}"
                f.write(f"2026-11-{day:02d}T{i % 24:02d}:{i % 60:02d}:{i % 59:02d}Z,BitTorrent,{person:032x},"
                        f"203.0.{person % 256}.{(person // 256) % 256},6881,f{i}.jpg,{md5},,{1000 + i}\n")
        return [cyber, p2p]

    day1 = write_day(20, n, "D1-")
    day2 = write_day(21, max(1, n // 10), "D2-")
    index_dir = os.path.join(work, "index")
    case_dir = args.case or os.path.join(work, "case")
    if not args.case:
        shutil.rmtree(case_dir, ignore_errors=True)
    shutil.rmtree(index_dir, ignore_errors=True)
    md5list = os.path.join(work, "known.md5")
    with open(md5list, "w") as f:
        for i, h in enumerate(known):
            f.write(f"{h}  known-{i}.jpg\n")
    subprocess.run([binary, "index", "import", "--index", index_dir, "--set", "bench-known", "--format", "md5sum",
                    "--category", "A", md5list], check=True, stdout=subprocess.DEVNULL)

    def intake(files, now):
        start = time.perf_counter()
        p = subprocess.run([binary, "intake", "--case", case_dir, "--index", index_dir, "--now", now, "--json", *files],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        elapsed = time.perf_counter() - start
        if p.returncode not in (0, 1):
            sys.exit(f"intake failed ({p.returncode}): {p.stderr[-2000:]}")
        return elapsed, json.loads(p.stdout)["summary"]

    rows = []
    for label, files, now in (("day 1", day1, "2026-11-21T06:00:00Z"), ("again", day1, "2026-11-21T07:00:00Z"),
                              ("day 2", day2, "2026-11-22T06:00:00Z")):
        records = sum(sum(1 for _ in open(f)) for f in files) - (1 if files[1].endswith(".csv") else 0)
        elapsed, s = intake(files, now)
        rows.append((label, records, elapsed, s))
    subjects = json.loads(subprocess.run([binary, "subject", "list", "--json", "--case", case_dir], check=True,
                                         stdout=subprocess.PIPE, text=True).stdout)["subjects"]
    print(f"work dir: {work}; case: {case_dir}")
    print(f"{'run':<7} {'records':>8} {'seconds':>8} {'records/s':>10} {'stored':>8} {'skipped':>8} {'new subj':>8} "
          f"{'merges':>7} {'hits':>6} {'poss.links':>10}")
    for label, records, elapsed, s in rows:
        print(f"{label:<7} {records:>8} {elapsed:>8.2f} {records / elapsed:>10.0f} {s['referrals_stored']:>8} "
              f"{s['already_ingested']:>8} {s['new_subjects']:>8} {s['merges']:>7} {s['files_with_known_images']:>6} "
              f"{s['possible_links']:>10}")
    print(f"subjects after both days: {len(subjects)} (people generated: {people}; P2P clients are separate people)")


if __name__ == "__main__":
    main()
