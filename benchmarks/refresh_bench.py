"""Headless ``savings-tracker refresh`` as whole processes, this tree against an earlier commit in one run
(issue 12 goals: the 67-line sample workbook in 0.5 s or less, a 10,000-line workbook in 2.5 s or less).

    python benchmarks/refresh_bench.py [--before 2de9467] [--repeat 7] [--sizes 67,10000] [--work DIR]

Each run is a fresh process (``python -m savings_tracker.cli refresh --backups 0 COPY`` with PYTHONPATH set to
the tree's ``python/``) on a fresh copy of the workbook; the runs of the two trees alternate, so both see the
same machine load. The 67-line workbook is the committed ``workbook/Savings_Tracker.xlsm``; the 10,000-line one
is built from ``synthetic.py`` (kept in ``--work`` for the next run). Bytecode is cached as on an installed
machine (PYTHONDONTWRITEBYTECODE is unset, one cache folder per tree, written by a warm-up run). Figures: the
minimum (the machine at its quietest) and the median of the runs' wall time, and the least CPU time (user +
system) of a run, which other processes on the machine disturb less; seconds.
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOALS = {67: 0.5, 10_000: 2.5}


def workbook(work: Path, n: int) -> Path:
    if n == 67:
        return ROOT / "workbook" / "Savings_Tracker.xlsm"
    path = work / f"tracker_{n}.xlsm"
    if not path.exists():
        sys.path.insert(0, str(ROOT / "benchmarks"))
        import synthetic
        from savings_tracker.readers import read_register
        from savings_tracker.workbook.builder import build_workbook
        build_workbook(path, read_register(synthetic.write_csv(work / f"reg{n}.csv", n)))
    return path


def _cpu() -> float:
    use = resource.getrusage(resource.RUSAGE_CHILDREN)
    return use.ru_utime + use.ru_stime


def run_once(tree: Path, cache: Path, book: Path, copy: Path) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one refresh process."""
    shutil.copy(book, copy)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(PYTHONPATH=str(tree / "python"), PYTHONPYCACHEPREFIX=str(cache))
    cpu, start = _cpu(), time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "savings_tracker.cli", "refresh", "--backups", "0", str(copy)],
                          capture_output=True, text=True, env=env, cwd=tree)
    took, used = time.perf_counter() - start, _cpu() - cpu
    if done.returncode not in (0, 1):
        raise SystemExit(f"{tree}: refresh failed ({done.returncode}): {done.stderr.strip()[-400:]}")
    return took, used


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--before", default="2de9467", help="the commit to compare with (default: before issue 12's "
                                                        "speed round)")
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--sizes", default="67,10000")
    ap.add_argument("--work", help="folder for the built workbooks (kept)")
    a = ap.parse_args()
    work = Path(a.work or tempfile.mkdtemp(prefix="st-refresh-"))
    work.mkdir(parents=True, exist_ok=True)
    before = Path(tempfile.mkdtemp(prefix="st-before-"))
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(before), a.before], check=True)
    trees = {f"before ({a.before})": before, "this tree": ROOT}
    caches = {label: Path(tempfile.mkdtemp(prefix="st-pyc-")) for label in trees}
    try:
        print(f"savings-tracker refresh --backups 0 WORKBOOK: whole processes, {a.repeat} runs of each tree "
              f"(alternating) after a warm-up; load average {os.getloadavg()[0]:.1f} at the start")
        print(f"{'lines':>6}  {'tree':<22} {'min s':>7} {'median s':>9} {'min CPU s':>10}  goal (wall)")
        for n in (int(x) for x in a.sizes.split(",")):
            book = workbook(work, n)
            times: dict[str, list[tuple[float, float]]] = {label: [] for label in trees}
            for label, tree in trees.items():                       # warm-up: bytecode written
                run_once(tree, caches[label], book, work / "copy.xlsm")
            for _ in range(a.repeat):
                for label, tree in trees.items():
                    times[label].append(run_once(tree, caches[label], book, work / "copy.xlsm"))
            for label, runs in times.items():
                wall, cpu = [w for w, _ in runs], [c for _, c in runs]
                met = "met" if min(wall) <= GOALS.get(n, float("inf")) else "not met"
                print(f"{n:>6}  {label:<22} {min(wall):7.3f} {statistics.median(wall):9.3f} {min(cpu):10.3f}  "
                      f"{GOALS.get(n, '-')} s: {met if label == 'this tree' else '-'}")
        print(f"load average {os.getloadavg()[0]:.1f} at the end")
    finally:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(before)], check=False)
        for c in caches.values():
            shutil.rmtree(c, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
