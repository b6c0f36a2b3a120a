"""Time each button (savings_tracker.excel.buttons) through xlwings' remote engine at 100, 1,000 and 10,000 lines.

    python benchmarks/xl_bench.py [--sizes 100 1000 10000]

Workbooks are built with the product's builder from a synthetic register: the seed-003 sample's lines
repeated and perturbed (amounts scaled, references made unique, RAG set to the suggested one so the
register is clean). Times include building the payload from the file (openpyxl) separately from the call.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))


def synthetic_register(n: int, clean: bool = True):
    """``n`` tracker lines made from the sample's lines, repeated and perturbed."""
    import copy

    from savings_tracker.core import calc
    from savings_tracker.core.table import Table
    from savings_tracker import samples
    from savings_tracker.readers import read_register

    base = read_register(samples.path(samples.ALL["tracker"]))
    s = base.settings
    committees = s.committees or ["Adults", "Children"]
    s.committees = list(committees)
    src = base.lines.records()
    recs = []
    for k in range(n):
        row = dict(src[k % len(src)])
        f = Decimal(1) + Decimal(k % 7) / 10
        for q in range(1, 5):
            for pre in ("plan", "forecast"):
                v = row.get(f"{pre}_q{q}")
                v = v if isinstance(v, Decimal) else Decimal(0)
                row[f"{pre}_q{q}"] = -abs(v * f).quantize(Decimal(1)) if clean else (v * f).quantize(Decimal(1))
        if clean:
            for q in range(1, 5):   # never forecast more than planned: no surprises, no sign warnings
                if row[f"forecast_q{q}"] < row[f"plan_q{q}"]:
                    row[f"forecast_q{q}"] = row[f"plan_q{q}"]
        row["plan_total"] = sum((row[f"plan_q{q}"] for q in range(1, 5)), Decimal(0))
        row["forecast_total"] = sum((row[f"forecast_q{q}"] for q in range(1, 5)), Decimal(0))
        row["variance"] = row["forecast_total"] - row["plan_total"]
        row["reference"] = f"S/{k + 1:05d}"
        row["title"] = (row.get("title") or "Saving")[:80] or "Saving"
        row["committee"] = committees[k % len(committees)]
        row["complete"] = "No"
        row["direction"] = "↔"
        for key in ("description", "commentary", "partners"):
            if isinstance(row.get(key), str):
                row[key] = row[key].replace("<", "(").replace(">", ")")
        row["_row"] = k + 2
        recs.append(row)
    reg = copy.copy(base)
    reg.lines = Table.from_records(recs, base.lines.columns)
    reg.read_findings = []
    reg.published = []
    reg.raw = {}
    s.published_totals = {}
    if clean:
        reg.lines["rag"] = list(calc.suggested_rags(reg))
    return reg


def build(n: int, folder: Path, clean: bool = True) -> Path:
    from savings_tracker.workbook import build_workbook

    return build_workbook(folder / f"tracker_{n}.xlsm", synthetic_register(n, clean))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="*", default=[100, 1000, 10000])
    args = ap.parse_args(argv)
    import xlremote

    from savings_tracker.excel import buttons as xl

    with tempfile.TemporaryDirectory(prefix="xl-bench-") as tmp:
        tmp = Path(tmp)
        print(f"{'lines':>7} {'function':<10} {'payload s':>10} {'call s':>8} {'apply s':>8} {'actions':>8}")
        for n in args.sizes:
            path = build(n, tmp)
            for name in ("validate", "refresh", "snapshot"):
                fn = getattr(xl, name)
                t0 = time.perf_counter()
                book = xlremote.open_remote_book(path)
                t1 = time.perf_counter()
                fn(book)
                t2 = time.perf_counter()
                actions = book.json()["actions"]
                xlremote._clear_engine_cache()
                xlremote.apply_actions(actions, path, tmp / f"out_{name}_{n}.xlsm")
                t3 = time.perf_counter()
                print(f"{n:>7} {name:<10} {t1 - t0:>10.2f} {t2 - t1:>8.2f} {t3 - t2:>8.2f} {len(actions):>8}",
                      flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
