#!/usr/bin/env python3
"""Video hashing speed: video_bench.py WORK_DIR [SECONDS [META_VPDQ_HASH_VIDEO]]

Makes a 1280x720 H.264 video (yuv420p, 30 fps, x264 preset medium, CRF 23) of SECONDS seconds (default 120)
with ffmpeg: the shared benign photos as a slideshow, each photo slowly zoomed (zoompan) so every frame
differs, as in camera footage. Then, page cache warm, best of 3 each, one thread:
- the baseline: the ffmpeg program decoding the video alone (`ffmpeg -threads 1 -i V -f null -`);
- `hashtriage hash --vpdq` (decode + one frame per second to RGB + PDQ, as vPDQ does);
- `hashtriage scan --no-index --threads 1` of a directory holding the video (digests + frame hashes + case).
CPU seconds are user + system of the child process. "x real time per core" = video seconds / CPU seconds.
With a build of Meta's vpdq-hash-video (facebook/ThreatExchange vpdq/cpp; its PyPI package is not
reachable from this machine): the video and re-encodes of it in other containers, codecs and sizes (among
them a 340x256 one, a width libswscale's fast paths handle unevenly) are hashed by both at one frame per
second, every sampled frame compared: same frame numbers and timestamps, and the PDQ distance.
Prints one JSON object and RATIO lines.
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


def make_video(work, seconds):
    video = os.path.join(work, "v720.mp4")
    photos = sorted(p for p in glob.glob(os.path.join(PHOTOS, "scratch", "*.jpg")))
    per = 6
    count = max(1, seconds // per)
    listing = os.path.join(work, "list.txt")
    with open(listing, "w") as f:
        for i in range(count):
            f.write(f"file '{photos[i % len(photos)]}'\nduration {per}\n")
        f.write(f"file '{photos[(count - 1) % len(photos)]}'\n")
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "concat", "-safe", "0", "-i", listing, "-vf",
                    "scale=1280:720:force_original_aspect_ratio=increase,crop=1280:720,"
                    f"zoompan=z='min(zoom+0.001,1.3)':d={per * 30}:s=1280x720:fps=30,format=yuv420p",
                    "-t", str(seconds), "-r", "30", "-c:v", "libx264", "-preset", "medium", "-crf", "23", video],
                   check=True)
    return video


def main():
    work = sys.argv[1]
    seconds = int(sys.argv[2]) if len(sys.argv) > 2 else 120
    os.makedirs(work, exist_ok=True)
    video = make_video(work, seconds)
    probe = json.loads(subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration:stream=nb_frames",
                                       "-of", "json", video], check=True, capture_output=True, text=True).stdout)
    duration = float(probe["format"]["duration"])
    frames = int(probe["streams"][0]["nb_frames"])
    evidence = os.path.join(work, "evidence")
    shutil.rmtree(evidence, ignore_errors=True)
    os.makedirs(evidence)
    shutil.copyfile(video, os.path.join(evidence, "v720.mp4"))
    timed(["cat", video])  # page cache
    cases = os.path.join(work, "cases")
    shutil.rmtree(cases, ignore_errors=True)

    def scan(i):
        c = os.path.join(cases, f"scan-{i}")
        shutil.rmtree(c, ignore_errors=True)
        return [BIN, "scan", "--no-index", "--threads", "1", "--case", c, evidence]

    decode = best(lambda i: ["ffmpeg", "-v", "error", "-threads", "1", "-i", video, "-f", "null", "-"])
    vpdq = best(lambda i: [BIN, "hash", "--vpdq", video])
    scanned = best(scan)
    hashed = subprocess.run([BIN, "hash", "--vpdq", "--video-collapse-bits", "-1", video], check=True,
                            capture_output=True, text=True).stdout.count("\n")
    print(json.dumps({"video": "1280x720 H.264 30 fps CRF 23", "seconds": round(duration, 2), "frames": frames,
                      "frames_hashed": hashed, "ffmpeg_decode_cpu_s": round(decode[1], 3),
                      "hash_vpdq_cpu_s": round(vpdq[1], 3), "hash_vpdq_wall_s": round(vpdq[0], 3),
                      "scan_cpu_s": round(scanned[1], 3), "scan_wall_s": round(scanned[0], 3)}))
    print(f"ffmpeg decoding alone: {duration / decode[1]:.1f}x real time per core")
    print(f"RATIO hash --vpdq, x real time per core (target >= 20x): {duration / vpdq[1]:.1f}x")
    print(f"RATIO scan of the video (digests + frame hashes + case), x real time per core: {duration / scanned[1]:.1f}x")
    print(f"RATIO hash --vpdq CPU vs ffmpeg decoding alone: {vpdq[1] / decode[1]:.2f}x")
    if len(sys.argv) > 3:
        agreement(work, video, sys.argv[3])


def agreement(work, video, meta):
    encodings = {"mp4": ["-c:v", "copy"], "webm": ["-c:v", "libvpx", "-b:v", "1M", "-deadline", "realtime", "-cpu-used", "8"],
                 "avi": ["-c:v", "mpeg4", "-q:v", "4"], "mov": ["-c:v", "mjpeg", "-q:v", "5", "-vf", "scale=640:360"],
                 "mkv": ["-c:v", "libx264", "-crf", "30", "-vf", "scale=340:256"], "3gp": ["-c:v", "mpeg4", "-vf", "scale=320:240"]}
    total = within = identical = worst = 0
    for ext, args in encodings.items():
        copy = os.path.join(work, "agree." + ext)
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", video, *args, copy], check=True)
        out = os.path.join(work, "meta-" + ext + ".txt")
        subprocess.run([meta, "-i", copy, "-o", out, "-r", "1", "-t", "1"], check=True, stdout=subprocess.DEVNULL)
        theirs = [l.split(",") for l in open(out).read().split()]
        ours = [l.split(",") for l in subprocess.run([BIN, "hash", "--vpdq", "--video-collapse-bits", "-1", copy], check=True,
                                                     capture_output=True, text=True).stdout.split()]
        if [(o[0], o[3]) for o in ours] != [(t[0], t[3]) for t in theirs]:
            print(f"vPDQ agreement {ext}: frame numbers or timestamps differ ({len(ours)} vs {len(theirs)} frames)")
            continue
        d = [bin(int(o[2], 16) ^ int(t[2], 16)).count("1") for o, t in zip(ours, theirs)]
        total += len(d)
        within += sum(x <= 10 for x in d)
        identical += sum(x == 0 for x in d)
        worst = max([worst] + d)
        print(f"vPDQ agreement {ext}: {len(d)} frames, frame numbers and timestamps identical, "
              f"{sum(x == 0 for x in d)} hashes identical, max distance {max(d)}")
    print(f"RATIO frames within 10 bits of Meta's vpdq-hash-video: {within}/{total} ({identical} identical, max {worst} bits)")


if __name__ == "__main__":
    main()
