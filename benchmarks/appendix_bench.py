"""Time to write each appendix format for a 500-line register.

    python benchmarks/appendix_bench.py [--lines 500] [--out DIR]

The register is synthetic: the bundled seed 003 tracker lines repeated with new references and amounts
scaled line by line, so it has the same committees, text lengths and HTML commentary as the real paper.
"""
from __future__ import annotations

import argparse
import dataclasses
import tempfile
import time
from decimal import Decimal
from pathlib import Path

import pandas as pd

from savings_tracker.core import schema
from savings_tracker.documents import SAMPLES, render_appendix
from savings_tracker.documents.demo import SAMPLES_DIR
from savings_tracker.readers import read_register


def synthetic(lines: int = 500):
    reg = read_register(SAMPLES_DIR / SAMPLES["tracker"])
    base = reg.lines.reset_index(drop=True)
    money = [k for k in schema.money_keys("tracker") if k in base.columns]
    rows = []
    for n in range(lines):
        row = base.iloc[n % len(base)].to_dict()
        factor = Decimal(100 + (n * 37) % 61 - 30) / 100
        for k in money:
            if isinstance(row[k], Decimal):
                row[k] = (row[k] * factor).quantize(Decimal(1))
        row["reference"] = f"{row['reference']}-{n // len(base) + 1}"
        row["_row"] = n + 2
        rows.append(row)
    return dataclasses.replace(reg, lines=pd.DataFrame(rows, columns=base.columns), published=[])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lines", type=int, default=500)
    ap.add_argument("--out", type=Path)
    args = ap.parse_args(argv)
    reg = synthetic(args.lines)
    with tempfile.TemporaryDirectory() as tmp:
        out = args.out or Path(tmp)
        out.mkdir(parents=True, exist_ok=True)
        print(f"tracker appendix, {len(reg)} lines")
        for fmt in ("html", "docx", "pdf"):
            t = time.perf_counter()
            path = render_appendix(reg, "tracker", fmt, out / f"bench.{fmt}")
            print(f"  {fmt:5s} {time.perf_counter() - t:7.2f} s  {path.stat().st_size / 1024:8.0f} KiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
