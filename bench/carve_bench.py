#!/usr/bin/env python3
"""Carving throughput: carve_bench.py WORK_DIR [MB]

Builds a FAT32 image of MB megabytes (default 1024) with mkfs.vfat + mtools: a random-data file filling
most of it, deleted (unallocated space that is not zeros), then the shared benign test photos copied and
deleted with their directory slots reused by empty files (so only carving can find them). Then, page
cache warm, best of 3 each: reading the image (`cat`, the baseline), `hashtriage scan --no-index
--no-carve`, and the same scan carving. Carving's cost is the difference between the two scans (same
evidence hashing, same file walk), in CPU seconds (user + sys of the process) and in wall time.
Prints one JSON object per line and RATIO lines.
"""
import glob
import json
import os
import shutil
import subprocess
import sys

from bench_timing import best, timed

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "build/release/hashtriage")
PHOTOS = os.path.join(ROOT, "..", "shared", "testdata", "photos")


def sh(*cmd, **kw):
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kw)


def build_image(work, megabytes):
    img = os.path.join(work, "carve.img")
    if os.path.exists(img):
        os.remove(img)  # mkfs.vfat -C refuses an existing file
    env = dict(os.environ, MTOOLS_SKIP_CHECK="1")
    sh("mkfs.vfat", "-C", "-F", "32", img, str(megabytes * 1024))
    filler = os.path.join(work, "random.bin")
    with open(filler, "wb") as f:
        for _ in range(megabytes * 7 // 8):
            f.write(os.urandom(1 << 20))
    sh("mcopy", "-i", img, filler, "::/random.bin", env=env)
    os.remove(filler)
    sh("mdel", "-i", img, "::/random.bin", env=env)
    photos = sorted(p for p in glob.glob(os.path.join(PHOTOS, "*", "*")) if p.lower().endswith((".jpg", ".png")))
    names = [f"p{i:04d}{os.path.splitext(p)[1].lower()}" for i, p in enumerate(photos)]
    staged = os.path.join(work, "staged")
    shutil.rmtree(staged, ignore_errors=True)
    os.makedirs(staged)
    for p, n in zip(photos, names):
        shutil.copyfile(p, os.path.join(staged, n))
    sh("mcopy", "-i", img, *[os.path.join(staged, n) for n in names], "::/", env=env)
    sh("mdel", "-i", img, *["::/" + n for n in names], env=env)
    empties = [os.path.join(staged, f"e{i:04d}.txt") for i in range(len(names))]
    for e in empties:
        open(e, "wb").close()
    sh("mcopy", "-i", img, *empties, "::/", env=env)
    for e in empties:
        os.remove(e)
    return img, len(photos), staged  # staged: the same photos as a directory


def main():
    work = sys.argv[1]
    megabytes = int(sys.argv[2]) if len(sys.argv) > 2 else 1024
    os.makedirs(work, exist_ok=True)
    img, photos, photo_dir = build_image(work, megabytes)
    size = os.path.getsize(img)
    timed(["cat", img])  # warm the page cache
    cases = os.path.join(work, "cases")

    def scan(flags):
        def cmd(i):
            c = os.path.join(cases, f"{'-'.join(flags) or 'carve'}-{i}")
            shutil.rmtree(c, ignore_errors=True)
            return [BIN, "scan", "--no-index", "--rehash-max-mb", "1", "--case", c, *flags, img]
        return cmd

    def scan_photos(i):
        c = os.path.join(cases, f"photos-{i}")
        shutil.rmtree(c, ignore_errors=True)
        return [BIN, "scan", "--no-index", "--case", c, photo_dir]

    shutil.rmtree(cases, ignore_errors=True)
    read = best(lambda i: ["sh", "-c", f"cat '{img}' > /dev/null"])
    plain = best(scan(["--no-carve"]))
    carve = best(scan([]))
    photos_alone = best(scan_photos)
    last = os.path.join(cases, "carve-2")
    status = json.loads(subprocess.run([BIN, "case", "status", "--json", "--case", last], check=True,
                                       capture_output=True, text=True).stdout)
    counts = status["evidence"][0]
    carve_cpu = max(carve[1] - plain[1], 1e-3)
    # What carving adds beyond hashing and matching the pictures it finds (the same photos scanned as a
    # directory, less that scan's fixed cost: a scan of an empty directory).
    empty_dir = os.path.join(work, "empty")
    os.makedirs(empty_dir, exist_ok=True)
    fixed = best(lambda i: [BIN, "scan", "--no-index", "--case", os.path.join(cases, f"empty-{i}"), empty_dir])
    finding_cpu = max(carve_cpu - (photos_alone[1] - fixed[1]), 1e-3)
    carve_wall = max(carve[0] - plain[0], 1e-3)
    mb = size / 1e6
    print(json.dumps({"image_MB": round(mb), "photos_deleted": photos, "carved": counts.get("carved"),
                      "read_wall_s": round(read[0], 3), "read_cpu_s": round(read[1], 3),
                      "scan_no_carve_wall_s": round(plain[0], 3), "scan_no_carve_cpu_s": round(plain[1], 3),
                      "scan_carve_wall_s": round(carve[0], 3), "scan_carve_cpu_s": round(carve[1], 3),
                      "photos_as_directory_cpu_s": round(photos_alone[1], 3), "empty_scan_cpu_s": round(fixed[1], 3)}))
    print(f"carving: {mb / carve_cpu:,.0f} MB per CPU-second ({carve_cpu:.3f} CPU-s over {mb:,.0f} MB); "
          f"wall added to the scan {carve_wall:.3f} s")
    print(f"reading the image (cat, page cache): {mb / read[1]:,.0f} MB per CPU-second, {mb / read[0]:,.0f} MB/s wall")
    print(f"carving without hashing what it finds: {mb / finding_cpu:,.0f} MB per CPU-second ({finding_cpu:.3f} CPU-s)")
    print(f"RATIO carving vs reading the image, per CPU-second: {read[1] / carve_cpu:.2f}x")
    print(f"RATIO carving (finding only) vs reading the image, per CPU-second: {read[1] / finding_cpu:.2f}x")
    print(f"RATIO carving vs reading the image, wall: {read[0] / carve_wall:.2f}x")
    print(f"carved {counts.get('carved')} of {photos} deleted photos")


if __name__ == "__main__":
    main()
