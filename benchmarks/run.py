"""Benchmarks: one table of timings and peak memory at 100, 1,000 and 10,000 lines.

    python benchmarks/run.py [--sizes 100,1000,10000] [--repeat 3] [--only NAME,...] [--no-libreoffice]

Rows: validate + summary (core, from a register in memory); workbook build (.xlsm); headless reading of the
built workbook with openpyxl (read-only, values) and with python-calamine (``readers.grids.load``), and the
tool's whole reader (``read_register``: calamine + interpretation); each appendix format of the tracker; the
headless ``refresh`` and ``snapshot`` commands on a closed copy of the workbook (a month-end batch run); and
LibreOffice opening and recalculating the same workbook.

Every step runs in a fresh Python process, so its memory figure is that process's peak resident set (ru_maxrss:
everything, C libraries included, and the ~70-120 MB of Python, pandas and the libraries imported), which is
what a user's machine must have free for that step (for LibreOffice, its own process's peak). Time is the best of ``--repeat`` runs inside that process
(one run for LibreOffice, the 10,000-line build, PDFs of 1,000 lines or more, and the headless commands,
which change their file). Inputs
(the synthetic register, the workbook) are made before the clock starts.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "python"))

import synthetic  # noqa: E402

GOALS = "goals at 10,000 lines: validate + summary < 0.5 s; calamine read >= 5x faster than openpyxl; peak < 300 MB"
APPENDIX_FORMATS = ("html", "docx", "pdf")


# ---- the steps (each runs in its own process) ------------------------------------------------------------------
def _register(work: Path, n: int):
    from savings_tracker.readers import read_register
    return read_register(work / f"reg{n}.csv")


def _xlsm(work: Path, n: int) -> Path:
    return work / f"Savings_Tracker_{n}.xlsm"


def step_core(work, n):
    from savings_tracker.core.validate import validate_and_summarise
    reg = _register(work, n)
    return lambda: validate_and_summarise(reg)


def step_build(work, n):
    from savings_tracker.workbook.builder import build_workbook
    reg = _register(work, n)
    return lambda: build_workbook(_xlsm(work, n), reg)


def step_openpyxl(work, n):
    import openpyxl

    def read():
        wb = openpyxl.load_workbook(_xlsm(work, n), read_only=True, data_only=True)
        rows = sum(1 for ws in wb.worksheets for _ in ws.iter_rows(values_only=True))
        wb.close()
        return rows
    return read


def step_calamine(work, n):
    from savings_tracker.readers import grids
    return lambda: grids.load(_xlsm(work, n))


def step_read_register(work, n):
    from savings_tracker.readers import read_register
    return lambda: read_register(_xlsm(work, n))


def _appendix(fmt):
    def step(work, n):
        from savings_tracker.documents import render_appendix
        reg = _register(work, n)
        return lambda: render_appendix(reg, "tracker", fmt, work / f"appendix{n}.{fmt}")
    return step


def _headless(*args):
    def step(work, n):
        import shutil

        from savings_tracker import cli
        copy = work / f"headless{n}.xlsm"
        shutil.copy(_xlsm(work, n), copy)
        return lambda: cli.main([args[0], str(copy), *args[1:], "--backups", "0"])
    return step


def step_libreoffice(work, n):
    from savings_tracker import libreoffice as lo
    lo.find_soffice()
    return lambda: lo.recalculate(_xlsm(work, n), ["Summary"], timeout=900)


#: name -> (row label, step, repeat the timing?)
STEPS = {
    "core": ("validate + summary (core)", step_core, True),
    "build": ("workbook build (.xlsm)", step_build, True),
    "openpyxl": ("read cells: openpyxl (read-only, values, all sheets)", step_openpyxl, True),
    "calamine": ("read cells: python-calamine (readers.grids.load)", step_calamine, True),
    "read_register": ("read register: read_register (calamine + interpretation)", step_read_register, True),
    **{f"appendix_{f}": (f"appendix tracker .{f}", _appendix(f), True) for f in APPENDIX_FORMATS},
    "refresh": ("headless refresh FILE (closed .xlsm, atomic write)", _headless("refresh"), False),
    "snapshot": ("headless snapshot FILE --period (closed .xlsm)", _headless("snapshot", "--period", "Bench"), False),
    "libreoffice": ("LibreOffice open + recalculate (same .xlsm)", step_libreoffice, False),
}


def run_step(name: str, work: Path, n: int, repeat: int) -> dict:
    """In this (fresh) process: set the step up, time it, report seconds and the process's peak RSS."""
    import contextlib
    import io

    _, make, repeatable = STEPS[name]
    fn = make(work, n)
    best = None
    once = not repeatable or (name == "build" and n >= 10_000) or (name == "appendix_pdf" and n >= 1_000)
    for _ in range(1 if once else repeat):
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            t = time.perf_counter()
            fn()
            dt = time.perf_counter() - t
        best = dt if best is None else min(best, dt)
    peak = max(resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    return {"seconds": best, "rss_mb": peak / 1024}    # children: LibreOffice runs in processes of its own


def in_child(name: str, work: Path, n: int, repeat: int) -> dict:
    proc = subprocess.run([sys.executable, __file__, "--step", name, "--work", str(work), "--lines", str(n),
                           "--repeat", str(repeat)], capture_output=True, text=True, timeout=3600)
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
        return {"error": tail[0]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


# ---- the table -------------------------------------------------------------------------------------------------
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


def versions() -> str:
    from importlib.metadata import PackageNotFoundError, version
    out = []
    for pkg in ("python-calamine", "openpyxl", "XlsxWriter", "lxml", "weasyprint", "docxtpl", "pandas"):
        try:
            out.append(f"{pkg} {version(pkg)}")
        except PackageNotFoundError:
            pass
    try:
        from savings_tracker import libreoffice as lo
        text = subprocess.run([lo.find_soffice(), "--version"], capture_output=True, text=True, timeout=60).stdout
        out.append(" ".join(text.split()[:2]))
    except Exception:      # no LibreOffice: its row says so
        pass
    return ", ".join(out)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="100,1000,10000")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--only", default="", help=f"comma-separated steps: {', '.join(STEPS)}")
    ap.add_argument("--no-libreoffice", action="store_true")
    ap.add_argument("--step", help=argparse.SUPPRESS)
    ap.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--lines", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.step:                                     # a child: one step, one JSON line
        print(json.dumps(run_step(args.step, args.work, args.lines, args.repeat)))
        return 0
    sizes = [int(s) for s in args.sizes.split(",")]
    names = [s for s in (args.only.split(",") if args.only else STEPS) if s]
    unknown = set(names) - set(STEPS)
    if unknown:
        ap.error(f"unknown step(s) {', '.join(sorted(unknown))}; choose from {', '.join(STEPS)}")
    if args.no_libreoffice and "libreoffice" in names:
        names.remove("libreoffice")
    if any(n in names for n in ("openpyxl", "calamine", "read_register", "refresh", "snapshot", "libreoffice")) \
            and "build" not in names:
        names.insert(0, "build")                      # they read the workbook the build step writes
    work = Path(tempfile.mkdtemp(prefix="st-bench-"))
    table: dict[str, dict[int, str]] = {}
    results: dict[tuple[str, int], dict] = {}
    for n in sizes:
        synthetic.write_csv(work / f"reg{n}.csv", n)
        for name in names:
            r = results[(name, n)] = in_child(name, work, n, args.repeat)
            cell = f"error: {r['error'][:40]}" if "error" in r else f"{r['seconds']:.3f} ({r['rss_mb']:.0f} MB)"
            table.setdefault(STEPS[name][0], {})[n] = cell
            print(f"  {n:>6,} lines  {STEPS[name][0]:<58} {cell}", file=sys.stderr)
        if ("openpyxl", n) in results and ("calamine", n) in results and \
                "seconds" in results[("openpyxl", n)] and "seconds" in results[("calamine", n)]:
            ratio = results[("openpyxl", n)]["seconds"] / results[("calamine", n)]["seconds"]
            table.setdefault("  calamine speed-up over openpyxl", {})[n] = f"{ratio:.1f}x"
    width = max(len(r) for r in table)
    cw = 18
    head = f"| {'seconds (peak RSS of the step)':<{width}} | " + " | ".join(f"{n:>{cw},} lines"[-cw:] for n in sizes) + " |"
    lines = [head, "|" + "-" * (width + 2) + "|" + "|".join("-" * (cw + 2) for _ in sizes) + "|"]
    for row, vals in table.items():
        lines.append(f"| {row:<{width}} | " + " | ".join(f"{vals.get(n, '-'):>{cw}}" for n in sizes) + " |")
    print("\n".join(lines))
    print(f"\nMachine: {machine()}\nVersions: {versions()}")
    big = sizes[-1]
    core = results.get(("core", big), {})
    cal, op = results.get(("calamine", big), {}), results.get(("openpyxl", big), {})
    peaks = {STEPS[k][0]: r["rss_mb"] for (k, n), r in results.items() if n == big and "rss_mb" in r}
    over = {k: v for k, v in peaks.items() if v >= 300}
    report = [GOALS, f"At {big:,} lines:"]
    if "seconds" in core:
        report.append(f"  validate + summary {core['seconds']:.3f} s ({'met' if core['seconds'] < 0.5 else 'MISSED'})")
    if "seconds" in cal and "seconds" in op:
        ratio = op["seconds"] / cal["seconds"]
        report.append(f"  calamine {ratio:.1f}x openpyxl ({'met' if ratio >= 5 else 'MISSED'})")
    if peaks:
        report.append(f"  largest step peak RSS {max(peaks.values()):.0f} MB ("
                      + ("met by every step" if not over else
                         "over 300 MB: " + "; ".join(f"{k} {v:.0f} MB" for k, v in over.items())) + ")")
    print("\n".join(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
