"""Benchmarks: one table of timings at 100, 1,000 and 10,000 lines.

    python benchmarks/run.py [--sizes 100,1000,10000] [--only core,workbook,read,appendix,libreoffice]
                             [--formats html,pdf,docx] [--repeat 3] [--no-libreoffice] [--no-appendix]

Rows: validate + summary (core, from a register in memory), workbook build (.xlsm), headless read of the
built workbook with openpyxl (read-only, values) and with python-calamine (``readers.read_register``, the
tool's reader, including interpretation), the tracker appendix in each format (HTML, tagged PDF, Word), and
LibreOffice opening and recalculating the same workbook. ``--only appendix`` runs the appendix rows alone.
Each figure is the best of ``--repeat`` runs (one run for LibreOffice, the 10,000-line build and openpyxl
read, and appendices of 1,000 lines or more), then one more run under tracemalloc for its peak (Python
allocations); the table ends with the process's max RSS.
"""
from __future__ import annotations

import argparse
import gc
import importlib
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


def _rss_now() -> int:
    return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def timed_in_child(fn):
    """One run in a forked child: its wall time and how far its resident memory grew above where it started
    (max RSS, so C allocations count too). For steps too slow to run again under tracemalloc, which slows
    WeasyPrint about tenfold."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: run, report, leave without cleaning up the parent's state
        status = 1
        try:
            start = _rss_now()
            t = time.perf_counter()
            fn()
            seconds = time.perf_counter() - t
            grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - start
            os.write(write, f"{seconds} {max(grown, 0)}".encode())
            status = 0
        finally:
            os._exit(status)
    os.close(write)
    with os.fdopen(read) as fh:
        answer = fh.read()
    _, status = os.waitpid(pid, 0)
    if status or not answer:
        raise RuntimeError(f"benchmark child failed (status {status})")
    seconds, grown = answer.split()
    return float(seconds), int(grown)


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


GROUPS = ("core", "workbook", "read", "appendix", "libreoffice")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="100,1000,10000")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--only", default=",".join(GROUPS), help=f"comma-separated rows to run: {', '.join(GROUPS)}")
    ap.add_argument("--formats", default="html,pdf,docx", help="appendix formats to measure")
    ap.add_argument("--pdf-rss-from", type=int, default=10000,
                    help="from this many lines, time the PDF appendix in one forked run and give its peak RSS "
                         "growth instead of a tracemalloc peak (tracemalloc slows WeasyPrint about tenfold)")
    ap.add_argument("--no-libreoffice", action="store_true")
    ap.add_argument("--no-appendix", action="store_true")
    args = ap.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    only = {g.strip() for g in args.only.split(",") if g.strip()}
    unknown = only - set(GROUPS)
    if unknown:
        ap.error(f"--only: unknown {', '.join(sorted(unknown))} (choose from {', '.join(GROUPS)})")
    if args.no_libreoffice:
        only.discard("libreoffice")
    if args.no_appendix:
        only.discard("appendix")
    if {"workbook", "read", "libreoffice"} & only:
        only.add("workbook")  # reading and recalculating need the built workbook

    from savings_tracker import calc
    from savings_tracker.readers import read_register
    from savings_tracker.validate import validate
    from savings_tracker.workbook.builder import build_workbook

    try:
        from savings_tracker.appendix import FORMATS, render_appendix
    except ImportError:
        FORMATS, render_appendix = (), None
    formats = [f for f in args.formats.split(",") if f in FORMATS]
    if "appendix" in only and formats:  # imported before timing, so no run times an import
        for module in ("docxtpl", "weasyprint"):
            importlib.import_module(module)
    lo = None
    if "libreoffice" in only:
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

    def put(row, n, seconds, peak=0, rss=False):
        cell = "-" if seconds is None else f"{seconds:.3f}"
        if seconds is not None and peak:
            cell += f" ({peak / 1e6:,.0f} MB{' RSS' if rss else ''})"
        table.setdefault(row, {})[n] = cell
        peaks[n] = max(peaks.get(n, 0), peak)
        if row.startswith("validate"):
            core_peaks[n] = peak

    for n in sizes:
        csv_path = synthetic.write_csv(tmp / f"reg{n}.csv", n)
        reg = read_register(csv_path)
        assert len(reg) == n, (len(reg), n)

        if "core" in only:
            def core():
                findings = validate(reg)
                return findings, calc.summarise(reg)
            t, p, _ = timed(core, args.repeat)
            put("validate + summary (core)", n, t, p)

        xlsm = tmp / f"Savings_Tracker_{n}.xlsm"
        if "workbook" in only:
            t, p, _ = timed(lambda: build_workbook(xlsm, reg), 1 if n >= 10000 else args.repeat)
            put("workbook build (.xlsm)", n, t, p)

        if "read" in only:
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

        if "appendix" in only and render_appendix is not None:
            for fmt in formats:
                out = tmp / f"appendix{n}.{fmt}"
                step = lambda: render_appendix(reg, "tracker", fmt, out)  # noqa: E731
                rss = fmt == "pdf" and n >= args.pdf_rss_from
                if rss:
                    gc.collect()
                    t, p = timed_in_child(step)
                else:
                    t, p, _ = timed(step, args.repeat if n < 1000 else 1)
                put(f"appendix tracker .{fmt}", n, t, p, rss)
                print(f"appendix tracker .{fmt} at {n:,} lines: {t:.3f} s, peak {p / 1e6:,.0f} MB "
                      f"{'RSS growth' if rss else 'traced'}", file=sys.stderr, flush=True)

        if "libreoffice" in only:
            t = None
            if lo is not None:
                try:
                    t, _, _ = timed(lambda: lo.recalculate(xlsm, ["Summary"], timeout=900), 1, trace=False)
                except Exception as exc:  # report, do not fail the table
                    print(f"LibreOffice at {n} lines: {exc}", file=sys.stderr)
            put("LibreOffice open + recalculate (same .xlsm)", n, t)

    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rss_label = "max RSS of the whole benchmark process (MB)"
    width = max(len(r) for r in [*table, rss_label])
    cw = max([18, *(len(cell) for vals in table.values() for cell in vals.values())])
    head = f"| {'seconds (peak traced memory)':<{width}} | " + " | ".join(f"{n:>{cw},} lines"[-cw:] for n in sizes) + " |"
    lines = [head, "|" + "-" * (width + 2) + "|" + "|".join("-" * (cw + 2) for _ in sizes) + "|"]
    for row, vals in table.items():
        lines.append(f"| {row:<{width}} | " + " | ".join(f"{vals.get(n, '-'):>{cw}}" for n in sizes) + " |")
    lines.append(f"| {rss_label:<{width}} | " + " | ".join(
        f"{rss:>{cw}.0f}" if n == sizes[-1] else f"{'':>{cw}}" for n in sizes) + " |")
    print("\n".join(lines))
    print(f"\nMachine: {machine()}")
    if any("RSS)" in cell for vals in table.values() for cell in vals.values()):
        print("MB RSS: one run in a forked child; how far its max resident set grew above its size at the fork.")
    big = sizes[-1]
    if "core" in only and "read" in only:
        core_t = float(table["validate + summary (core)"][big].split()[0])
        print(f"{GOALS}\nAt {big:,} lines: validate + summary {core_t:.3f} s "
              f"({'met' if core_t < 0.5 else 'MISSED'}); calamine {ratios[big]:.1f}x openpyxl "
              f"({'met' if ratios[big] >= 5 else 'MISSED'}); core peak {core_peaks[big] / 1e6:.0f} MB, largest step "
              f"{peaks[big] / 1e6:.0f} MB traced ({'met' if peaks[big] < 300e6 else 'MISSED'}), process max RSS {rss:.0f} MB")
    else:
        print(f"At {big:,} lines: largest step {peaks.get(big, 0) / 1e6:,.0f} MB, benchmark process max RSS {rss:,.0f} MB")


if __name__ == "__main__":
    main()
