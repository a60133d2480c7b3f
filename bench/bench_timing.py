"""Timing of child processes for the end-to-end bench scripts: wall and CPU seconds (user + system of the
child) of one run, and the best of several."""
import resource
import subprocess
import time


def timed(cmd):
    """(wall seconds, CPU seconds of the child) of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def best(cmd_for, runs=3):
    """The smallest wall and the smallest CPU time over `runs` runs of cmd_for(i)."""
    results = [timed(cmd_for(i)) for i in range(runs)]
    return min(r[0] for r in results), min(r[1] for r in results)
