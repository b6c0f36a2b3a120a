"""Time each button as xlwings Lite calls it (``tests/litecall.py``: ``custom_scripts_call`` on the book built
from the workbook's payload) beside the macro route (``excel.buttons`` through the remote engine), at 100, 1,000 and
10,000 lines, with the number of actions each returns (Lite gets one fill action per run of marked cells
instead of a colour matrix, and formulas as values).

    python benchmarks/lite_bench.py [--sizes 100 1000 10000]

The Lite times are CPython's; Pyodide (WebAssembly) is slower by a factor only Excel can measure.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))

SCRIPTS = ("validate", "refresh", "snapshot")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="*", default=[100, 1000, 10000])
    args = ap.parse_args(argv)
    import xlremote
    from xl_bench import build

    from savings_tracker.excel import buttons as xl

    with tempfile.TemporaryDirectory(prefix="lite-bench-") as tmp:
        tmp = Path(tmp)
        print(f"{'lines':>7} {'button':<9} {'macro s':>8} {'actions':>8} {'Lite s':>8} {'actions':>8}")
        for n in args.sizes:
            path = build(n, tmp)
            req = tmp / "req.json"
            req.write_text(json.dumps({"home": str(tmp / "home"), "workbook": str(path),
                                       "calls": [{"kind": "script", "name": s} for s in SCRIPTS]}))
            subprocess.run([sys.executable, str(ROOT / "tests" / "litecall.py"), str(req), str(tmp / "res.json")],
                           check=True, timeout=3600)
            lite = json.loads((tmp / "res.json").read_text())["calls"]
            for name, call in zip(SCRIPTS, lite):
                book = xlremote.open_remote_book(path)
                t0 = time.perf_counter()
                getattr(xl, name)(book)
                macro_s = time.perf_counter() - t0
                macro_actions = len(book.json()["actions"])
                xlremote._clear_engine_cache()
                print(f"{n:>7} {name:<9} {macro_s:>8.2f} {macro_actions:>8} {call['seconds']:>8.2f} "
                      f"{len(call['actions']):>8}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
