"""Bring your own tracker (issue 11): reading and importing a 10,000-line council tracker with a two-row header.

    python benchmarks/import_bench.py [--lines 10000] [--repeat 3]

Prints, in one run:
  * read: ``read_register`` of the council's .xlsx (title rows, two-row header with merged group cells over the
    quarters, service-area grouping, an owner column): goal <= 1 s;
  * before: today's build of the same size: ``build_workbook`` of the synthetic register of ``run.py`` (what
    ``build-workbook --data`` did before the import existed), run from the code of ``--before DIR`` (default
    ../main/python: the main branch) when it exists, else from this tree;
  * after: ``savings-tracker import`` of the council's file (read + build with the register's own columns,
    Checks at the workbook's cells): goal no slower than before.
Each step runs in a fresh Python process; its time is the best of ``--repeat`` runs (one run for the builds).
The inputs are made before the clock starts.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "python"))
if os.environ.get("BENCH_CODE"):          # the 'before' step: today's code
    sys.path.insert(0, os.environ["BENCH_CODE"])
sys.path.insert(0, str(ROOT / "tests"))


def step(name: str, work: Path, n: int, repeat: int) -> float:
    if name == "read":
        from savings_tracker.readers import read_register
        src = work / "council.xlsx"
        best = None
        for _ in range(repeat):
            t = time.perf_counter()
            reg = read_register(src)
            best = min(best or 1e9, time.perf_counter() - t)
        assert len(reg) == n, len(reg)
        return best
    if name == "before":
        from savings_tracker.readers import read_register
        from savings_tracker.workbook.builder import build_workbook
        reg = read_register(work / "synthetic.csv")
        t = time.perf_counter()
        build_workbook(work / "before.xlsm", reg)
        return time.perf_counter() - t
    if name == "after":
        from savings_tracker.cli import main
        t = time.perf_counter()
        code = main(["import", str(work / "council.xlsx"), "--out", str(work / "after.xlsm")])
        assert code == 0, code
        return time.perf_counter() - t
    raise ValueError(name)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--before", default=str(ROOT.parent / "main" / "python"),
                    help="package folder (python/) of the code to time the 'before' build with")
    ap.add_argument("--step", help=argparse.SUPPRESS)
    ap.add_argument("--work", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.step:
        print(json.dumps(step(args.step, Path(args.work), args.lines, args.repeat)))
        return 0
    import councils
    import synthetic

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        councils.big_two_row(work / "council.xlsx", args.lines)
        synthetic.write_csv(work / "synthetic.csv", args.lines)
        out = {}
        before_code = Path(args.before)
        for name in ("read", "before", "after"):
            env = dict(os.environ)
            if name == "before" and (before_code / "savings_tracker").is_dir():
                env["BENCH_CODE"] = str(before_code)
            done = subprocess.run([sys.executable, __file__, "--step", name, "--work", str(work), "--lines",
                                   str(args.lines), "--repeat", str(args.repeat)], capture_output=True, text=True,
                                  env=env)
            if done.returncode:
                print(done.stderr, file=sys.stderr)
                return 1
            out[name] = json.loads(done.stdout.strip().splitlines()[-1])
    n = f"{args.lines:,}"
    print(f"read a {n}-line council tracker (two-row header), read_register: {out['read']:.3f} s  (goal <= 1 s: "
          f"{'met' if out['read'] <= 1 else 'NOT met'})")
    print(f"before: today's build of {n} lines (build_workbook of the synthetic register, code in "
          f"{args.before if Path(args.before, 'savings_tracker').is_dir() else 'this tree'}): {out['before']:.3f} s")
    print(f"after:  savings-tracker import of the {n}-line council tracker: {out['after']:.3f} s  (goal <= before: "
          f"{'met' if out['after'] <= out['before'] else 'NOT met'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
