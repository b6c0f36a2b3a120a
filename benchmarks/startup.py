"""Start-up cost of the command line: ``savings-tracker validate`` of the 67-line sample as a whole process,
for this tree and (``--before REV``) an earlier commit in the same run, so the two figures share a machine state.

    python benchmarks/startup.py [--before 931c15f] [--repeat 15] [--command "validate"] [--file PATH]
    python benchmarks/startup.py --before main --command "refresh --backups 0" --file workbook/Savings_Tracker.xlsm

A command that writes (refresh, snapshot) runs on a copy of ``--file`` made for each tree.

Each process is started fresh (``python -m savings_tracker.cli ...`` with PYTHONPATH set to the tree's
``python/`` folder); the figures are the minimum and median wall time over the runs, after one warm-up run.
``-X importtime`` of the same command shows where the time goes (``--importtime`` prints the largest imports).
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = "python/savings_tracker/samples/tracker_2017-18_october.csv"


def run_once(tree: Path, args: list[str], extra: list[str] | None = None) -> tuple[float, subprocess.CompletedProcess]:
    env = {**os.environ, "PYTHONPATH": str(tree / "python")}
    start = time.perf_counter()
    done = subprocess.run([sys.executable, *(extra or []), "-m", "savings_tracker.cli", *args],
                          capture_output=True, text=True, env=env, cwd=tree)
    return time.perf_counter() - start, done


def timings(tree: Path, args: list[str], repeat: int) -> list[float]:
    first, done = run_once(tree, args)
    if done.returncode not in (0, 1):
        raise SystemExit(f"{tree}: {' '.join(args)} failed ({done.returncode}): {done.stderr.strip()[-300:]}")
    return [run_once(tree, args)[0] for _ in range(repeat)]


def largest_imports(tree: Path, args: list[str], n: int = 12) -> list[str]:
    _, done = run_once(tree, args, ["-X", "importtime"])
    rows = []
    for line in done.stderr.splitlines():
        if line.startswith("import time:") and "|" in line and "cumulative" not in line:
            _, cumulative, name = line.split("|", 2)
            if not name.startswith("   "):          # top-level and first-level imports only
                rows.append((int(cumulative.strip()), name.strip()))
    return [f"{us / 1000:8.1f} ms  {name}" for us, name in sorted(rows, reverse=True)[:n]]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--before", help="an earlier commit to time in the same run (e.g. 931c15f)")
    ap.add_argument("--repeat", type=int, default=15)
    ap.add_argument("--command", default="validate", help="the savings-tracker command to time")
    ap.add_argument("--importtime", action="store_true", help="also print this tree's largest imports")
    ap.add_argument("--file", default=SAMPLE, help="the file the command reads (a copy of it for each tree)")
    a = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="st-file-"))
    copy = work / Path(a.file).name
    copy.write_bytes(Path(ROOT, a.file).read_bytes())
    args = [*a.command.split(), str(copy)]
    trees = [("this tree", ROOT)]
    tmp = None
    if a.before:
        tmp = tempfile.mkdtemp(prefix="st-before-")
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", tmp, a.before], check=True)
        trees.insert(0, (f"before ({a.before})", Path(tmp)))
    try:
        print(f"savings-tracker {' '.join(args)}: whole process, {a.repeat} runs after a warm-up")
        print(f"{'tree':<24} {'min s':>7} {'median s':>9}")
        for label, tree in trees:
            copy.write_bytes(Path(ROOT, a.file).read_bytes())
            t = timings(tree, args, a.repeat)
            print(f"{label:<24} {min(t):7.3f} {statistics.median(t):9.3f}")
        if a.importtime:
            print("largest imports (this tree):")
            print("\n".join(largest_imports(ROOT, args)))
    finally:
        if tmp:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", tmp], check=False)
        for p in work.iterdir():
            p.unlink()
        work.rmdir()
    return 0


if __name__ == "__main__":
    sys.exit(main())
