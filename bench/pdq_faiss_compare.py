#!/usr/bin/python3
"""PDQ radius search: hashtriage's MihIndex vs FAISS IndexBinaryMultiHash(256, 16, 16), nflip=1.

That FAISS index is the one Meta's Hasher-Matcher-Actioner uses for PDQ. Both sides get the same
random hashes (fixed seed) with planted near neighbours of the queries at distances 0..40, run on one
core, in the same run; the script checks that both return the same number of matches and prints
queries/s and the ratio. FAISS (Debian python3-faiss) is used here only, never by hashtriage itself.

  bench/pdq_faiss_compare.py --bench build/release/bench/index_bench --sizes 1000000 10000000
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

try:
    import faiss
except ImportError:
    sys.exit("pdq_faiss_compare: needs Debian's python3-faiss (run with /usr/bin/python3)")


def make_corpus(n, queries, planted, seed):
    rng = np.random.default_rng(seed)
    hashes = rng.integers(0, 256, size=(n, 32), dtype=np.uint8)
    q = rng.integers(0, 256, size=(queries, 32), dtype=np.uint8)
    bits = np.unpackbits(q, axis=1)
    for i in range(planted):
        b = bits[i % queries].copy()
        flip = rng.choice(256, size=i % 41, replace=False)
        b[flip] ^= 1
        hashes[rng.integers(n)] = np.packbits(b)
    return hashes, q


def time_faiss(hashes, queries, threshold):
    faiss.omp_set_num_threads(1)
    t0 = time.perf_counter()
    index = faiss.IndexBinaryMultiHash(256, 16, 16)
    index.nflip = 1
    index.add(hashes)
    build = time.perf_counter() - t0
    index.range_search(queries[:64], threshold + 1)  # warm up; FAISS radius is exclusive
    matches = 0
    t0 = time.perf_counter()
    c0 = time.thread_time()
    for start in range(0, len(queries), 8):
        lims, _, _ = index.range_search(queries[start:start + 8], threshold + 1)
        matches += int(lims[-1])
    cpu = time.thread_time() - c0
    secs = time.perf_counter() - t0
    return {"queries_per_s": len(queries) / secs, "queries_per_cpu_s": len(queries) / cpu, "matches": matches,
            "seconds": secs, "build_seconds": build}


def time_hashtriage(bench, directory, threshold):
    out = subprocess.run(["taskset", "-c", "0", bench, "--pdq-corpus", directory, "--threshold", str(threshold)],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bench", default="build/release/bench/index_bench")
    ap.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    ap.add_argument("--queries", type=int, default=2048)
    ap.add_argument("--planted", type=int, default=20_000)
    ap.add_argument("--threshold", type=int, default=31)
    ap.add_argument("--seed", type=int, default=20240601)
    args = ap.parse_args()
    if args.threshold > 31:
        sys.exit("FAISS MultiHash(16 x 16 bits, nflip=1) is only exact up to t=31")
    os.sched_setaffinity(0, {0})  # one core for FAISS too
    for n in args.sizes:
        hashes, queries = make_corpus(n, args.queries, args.planted, args.seed)
        with tempfile.TemporaryDirectory(prefix="pdq-corpus-") as d:
            hashes.tofile(os.path.join(d, "hashes.u8"))
            queries.tofile(os.path.join(d, "queries.u8"))
            ours = time_hashtriage(args.bench, d, args.threshold)
        theirs = time_faiss(hashes, queries, args.threshold)
        agree = "same matches" if ours["matches"] == theirs["matches"] else "MATCH COUNTS DIFFER"
        print(f"n={n:>10,} t={args.threshold} queries={args.queries}: hashtriage {ours['queries_per_s']:9.1f} q/s "
              f"({ours['queries_per_cpu_s']:.1f} per CPU-s; {ours['tables']} x {ours['bits']} bits, "
              f"{ours['candidates_per_query']:.0f} candidates/query), FAISS MultiHash(256,16,16) nflip=1 "
              f"{theirs['queries_per_s']:7.1f} q/s ({theirs['queries_per_cpu_s']:.1f} per CPU-s); ratio "
              f"{ours['queries_per_s'] / theirs['queries_per_s']:.1f}x wall, "
              f"{ours['queries_per_cpu_s'] / theirs['queries_per_cpu_s']:.1f}x CPU; {agree} ({ours['matches']})",
              flush=True)
        if ours["matches"] != theirs["matches"]:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
