"""Benchmarks: one table of timings at 100, 1,000 and 10,000 lines.

    python benchmarks/run.py [--sizes 100,1000,10000] [--no-libreoffice] [--markdown]

Rows: validate + summary (core, from a register in memory), workbook build (.xlsm), headless read of the
built workbook with openpyxl (read-only, values) and with python-calamine (``readers.read_register``, the
tool's reader, including interpretation), each appendix format, and LibreOffice opening and recalculating the
same workbook. Each figure is the best of ``--repeat`` runs (LibreOffice: one run); peak memory is the largest
tracemalloc peak of any step at that size (Python allocations) and the process's max RSS at the end.
"""
from __future__ import annotations

import argparse
import gc
import os
import platform
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "python"))

import synthetic  # noqa: E402

GOALS = "goals at 10,000 lines: validate + summary < 0.5 s; calamine read >= 5x faster than openpyxl; peak < 300 MB"


def timed(fn, repeat=1, trace=True):
    """Best wall time of ``repeat`` untraced runs, then (``trace``) one run under tracemalloc for the peak
    (tracemalloc slows Python code several times, so it never times anything)."""
    best, peak, result = None, 0, None
    for _ in range(repeat):
        gc.collect()
        t = time.perf_counter()
        result = fn()
        dt = time.perf_counter() - t
        best = dt if best is None else min(best, dt)
    if trace:
        gc.collect()
        tracemalloc.start()
        fn()
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return best, peak, result


def openpyxl_read(path):
    import openpyxl
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    rows = 0
    for ws in wb.worksheets:
        for _ in ws.iter_rows(values_only=True):
            rows += 1
    wb.close()
    return rows


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = ""
    try:
        kb = int(next(l for l in Path("/proc/meminfo").read_text().splitlines() if l.startswith("MemTotal")).split()[1])
        ram = f"{kb / 1024 / 1024:.1f} GB RAM"
    except (OSError, StopIteration):
        pass
    return (f"{os.cpu_count()} CPUs ({cpu}), {ram}, Python {platform.python_version()}, "
            f"{platform.system()} {platform.release()}")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="100,1000,10000")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-libreoffice", action="store_true")
    ap.add_argument("--no-appendix", action="store_true")
    args = ap.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]

    from savings_tracker import calc
    from savings_tracker.readers import read_register
    from savings_tracker.validate import validate
    from savings_tracker.workbook.builder import build_workbook

    try:
        from savings_tracker.appendix import FORMATS, render_appendix
    except ImportError:
        FORMATS, render_appendix = (), None
    lo = None
    if not args.no_libreoffice:
        try:
            from savings_tracker.engines import libreoffice as lo
            lo.find_soffice()
        except Exception:
            lo = None

    table: dict[str, dict[int, str]] = {}
    peaks: dict[int, int] = {}
    ratios: dict[int, float] = {}
    core_peaks: dict[int, int] = {}
    tmp = Path(tempfile.mkdtemp(prefix="st-bench-"))

    def put(row, n, seconds, peak=0):
        cell = "-" if seconds is None else f"{seconds:.3f}"
        if seconds is not None and peak:
            cell += f" ({peak / 1e6:.0f} MB)"
        table.setdefault(row, {})[n] = cell
        peaks[n] = max(peaks.get(n, 0), peak)
        if row.startswith("validate"):
            core_peaks[n] = peak

    for n in sizes:
        csv_path = synthetic.write_csv(tmp / f"reg{n}.csv", n)
        reg = read_register(csv_path)
        assert len(reg) == n, (len(reg), n)

        def core():
            findings = validate(reg)
            return findings, calc.summarise(reg)
        t, p, _ = timed(core, args.repeat)
        put("validate + summary (core)", n, t, p)

        xlsm = tmp / f"Savings_Tracker_{n}.xlsm"
        t, p, _ = timed(lambda: build_workbook(xlsm, reg), 1 if n >= 10000 else args.repeat)
        put("workbook build (.xlsm)", n, t, p)

        from savings_tracker.readers import grids
        t_op, p, _ = timed(lambda: openpyxl_read(xlsm), 1 if n >= 10000 else args.repeat)
        put("read cells: openpyxl (read-only, values, all sheets)", n, t_op, p)
        t_cal, p, _ = timed(lambda: grids.load(xlsm), args.repeat)
        put("read cells: python-calamine (readers.grids.load)", n, t_cal, p)
        ratios[n] = t_op / t_cal
        table.setdefault("  calamine speed-up over openpyxl", {})[n] = f"{ratios[n]:.1f}x"
        t_reg, p, back = timed(lambda: read_register(xlsm), args.repeat)
        assert len(back) == n
        put("read register: read_register (calamine + interpretation)", n, t_reg, p)

        if render_appendix is not None and not args.no_appendix:
            for fmt in FORMATS:
                out = tmp / f"appendix{n}.{fmt}"
                if fmt == "pdf" and n > 100:       # WeasyPrint: minutes per thousand lines
                    put(f"appendix tracker .{fmt}", n, None)
                    continue
                t, p, _ = timed(lambda: render_appendix(reg, "tracker", fmt, out), 1)
                put(f"appendix tracker .{fmt}", n, t, p)

        if lo is not None:
            try:
                t, _, _ = timed(lambda: lo.recalculate(xlsm, ["Summary"], timeout=900), 1, trace=False)
            except Exception as exc:  # report, do not fail the table
                print(f"LibreOffice at {n} lines: {exc}", file=sys.stderr)
                t = None
            put("LibreOffice open + recalculate (same .xlsm)", n, t)
        else:
            put("LibreOffice open + recalculate (same .xlsm)", n, None)

    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    width = max(len(r) for r in table)
    cw = 18
    head = f"| {'seconds (peak traced memory)':<{width}} | " + " | ".join(f"{n:>{cw},} lines"[-cw:] for n in sizes) + " |"
    lines = [head, "|" + "-" * (width + 2) + "|" + "|".join("-" * (cw + 2) for _ in sizes) + "|"]
    for row, vals in table.items():
        lines.append(f"| {row:<{width}} | " + " | ".join(f"{vals.get(n, '-'):>{cw}}" for n in sizes) + " |")
    lines.append(f"| {'max RSS of the whole benchmark process (MB)':<{width}} | " + " | ".join(
        f"{rss:>{cw}.0f}" if n == sizes[-1] else f"{'':>{cw}}" for n in sizes) + " |")
    print("\n".join(lines))
    print(f"\nMachine: {machine()}")
    big = sizes[-1]
    core_t = float(table["validate + summary (core)"][big].split()[0])
    print(f"{GOALS}\nAt {big:,} lines: validate + summary {core_t:.3f} s "
          f"({'met' if core_t < 0.5 else 'MISSED'}); calamine {ratios[big]:.1f}x openpyxl "
          f"({'met' if ratios[big] >= 5 else 'MISSED'}); core peak {core_peaks[big] / 1e6:.0f} MB, largest step "
          f"{peaks[big] / 1e6:.0f} MB traced ({'met' if peaks[big] < 300e6 else 'MISSED'}), process max RSS {rss:.0f} MB")


if __name__ == "__main__":
    main()
