"""Time and peak memory to write each tracker appendix format, compared with a baseline checkout in the same run.

    python benchmarks/appendix_bench.py [--lines 500,10000] [--formats pdf] [--baseline /path/to/main] [--repeat 3]

Every step runs in a fresh process; the time is the best of ``--repeat`` runs in it (one run at 10,000 lines), the
memory the peak resident set of that process and its children together (Python, pandas, Typst's compiler, the
Typst processes a long PDF is compiled in: everything), sampled every 20 ms from /proc. ``--baseline`` names
another checkout of the package (e.g. main before this round) whose ``python/`` folder is imported for the same
steps, so both are timed on the same register, machine and moment. A baseline from before issue 13 makes its PDF
with WeasyPrint (installed from PyPI, ``weasyprint==70.0``, into a folder of its own when the environment has
none; skipped at 10,000 lines: 8.5 minutes and 6 GB).

The register is synthetic: the bundled seed 003 tracker lines repeated with new references and amounts scaled
line by line, so it has the same committees, text lengths and HTML commentary as the real paper.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import subprocess
import sys
import tempfile
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent


def synthetic(lines: int = 500):
    from savings_tracker.core import schema
    from savings_tracker.documents import SAMPLES
    from savings_tracker.documents.demo import SAMPLES_DIR
    from savings_tracker.readers import read_register

    reg = read_register(SAMPLES_DIR / SAMPLES["tracker"])
    try:  # a column table since round 4; a baseline from before keeps its lines in a pandas DataFrame
        from savings_tracker.core.table import Table
        base, make = reg.lines.records(), Table.from_records
    except ImportError:
        import pandas as pd
        base, make = reg.lines.to_dict("records"), lambda rows, columns: pd.DataFrame.from_records(rows, columns=columns)
    money = [k for k in schema.money_keys("tracker") if k in reg.lines]
    rows = []
    for n in range(lines):
        row = dict(base[n % len(base)])
        factor = Decimal(100 + (n * 37) % 61 - 30) / 100
        for k in money:
            if isinstance(row[k], Decimal):
                row[k] = (row[k] * factor).quantize(Decimal(1))
        row["reference"] = f"{row['reference']}-{n // len(base) + 1}"
        row["_row"] = n + 2
        rows.append(row)
    return dataclasses.replace(reg, lines=make(rows, list(reg.lines.columns)), published=[])


def _tree_rss_kib(root: int) -> int:
    """Resident memory of process ``root`` and all its descendants, from /proc (Linux)."""
    parents, rss = {}, {}
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            stat = (d / "stat").read_text()
            status = (d / "status").read_text()
        except OSError:
            continue
        parents[int(d.name)] = int(stat.rsplit(")", 1)[1].split()[1])
        rss[int(d.name)] = next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0)
    tree, todo = set(), [root]
    while todo:
        pid = todo.pop()
        tree.add(pid)
        todo += [c for c, p in parents.items() if p == pid and c not in tree]
    return sum(rss.get(p, 0) for p in tree)


class _PeakSampler:
    """The peak of ``_tree_rss_kib`` of this process, sampled in a thread while the step runs."""

    def __init__(self):
        import os
        import threading

        self.peak, self.stop = 0, threading.Event()
        self.thread = threading.Thread(target=self._run, args=(os.getpid(),), daemon=True)

    def _run(self, pid: int) -> None:
        while not self.stop.wait(0.02):
            self.peak = max(self.peak, _tree_rss_kib(pid))

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()


def _step(fmt: str, lines: int, repeat: int, out: str) -> dict:
    """Run in the child: build the register, write the appendix ``repeat`` times, report the best time (with its
    CPU time, children included), the peak memory of the process tree and the load average at the end."""
    import os
    import time

    from savings_tracker.documents import render_appendix

    reg = synthetic(lines)
    best = cpu = None
    with _PeakSampler() as peak:
        for _ in range(repeat):
            t, c = time.perf_counter(), os.times()
            path = render_appendix(reg, "tracker", fmt, Path(out) / f"bench-{lines}.{fmt}")
            took, c2 = time.perf_counter() - t, os.times()
            used = sum(c2[:4]) - sum(c[:4])  # user + system, of this process and its children (Typst's)
            if best is None or took < best:
                best, cpu = took, used
    pages = 0
    if fmt == "pdf":
        from pypdf import PdfReader

        pages = len(PdfReader(str(path)).pages)
    return {"seconds": best, "cpu": cpu, "rss_mb": peak.peak / 1024, "kib": path.stat().st_size / 1024, "pages": pages,
            "load": os.getloadavg()[0]}


def _uses_weasyprint(source: Path) -> bool:
    return "weasyprint" in (source / "python" / "savings_tracker" / "documents" / "pdf.py").read_text(encoding="utf-8")


def _weasyprint_path(tmp: Path) -> str:
    """A folder with WeasyPrint importable, for the baseline's PDF (nothing, if it is installed already)."""
    probe = subprocess.run([sys.executable, "-c", "import weasyprint"], capture_output=True)
    if probe.returncode == 0:
        return ""
    target = tmp / "weasyprint"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--target", str(target), "weasyprint==70.0"],
                   check=True)
    return str(target)


def run(fmt: str, lines: int, repeat: int, source: Path, extra_path: str = "") -> dict:
    with tempfile.TemporaryDirectory() as out:
        code = ("import json, sys; sys.path[:0] = [p for p in sys.argv[1:3] if p]; sys.path.insert(0, sys.argv[3]);"
                "import appendix_bench as b; print(json.dumps(b._step(sys.argv[4], int(sys.argv[5]), "
                "int(sys.argv[6]), sys.argv[7])))")
        r = subprocess.run([sys.executable, "-c", code, str(source / "python"), extra_path, str(HERE), fmt,
                            str(lines), str(repeat), out], capture_output=True, text=True)
        if r.returncode:
            return {"error": (r.stderr.strip().splitlines() or ["failed"])[-1]}
        return json.loads(r.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lines", default="500,10000")
    ap.add_argument("--baseline", type=Path, help="another checkout, e.g. main before issue 13")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--formats", default="pdf,html,docx")
    args = ap.parse_args(argv)
    this = HERE.parent
    sizes = [int(s) for s in args.lines.split(",")]
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        weasy = bool(args.baseline) and _uses_weasyprint(args.baseline)
        wp = _weasyprint_path(Path(tmp)) if weasy else ""
        for fmt in args.formats.split(","):
            for n in sizes:
                rep = args.repeat if n < 1000 else 1
                results[("this", fmt, n)] = run(fmt, n, rep, this)
                print(f"this     {fmt:4s} {n:6,d} lines: {_cell(results[('this', fmt, n)])}", flush=True)
                if args.baseline and not (weasy and fmt == "pdf" and n > 1000):  # WeasyPrint at 10,000: 8.5 min, 6 GB
                    results[("baseline", fmt, n)] = run(fmt, n, rep, args.baseline, wp)
                    print(f"baseline {fmt:4s} {n:6,d} lines: {_cell(results[('baseline', fmt, n)])}", flush=True)
    print()
    print("| step | " + " | ".join(f"{n:,} lines" for n in sizes) + " |")
    print("|---|" + "---|" * len(sizes))
    for who in ("this", "baseline") if args.baseline else ("this",):
        for fmt in args.formats.split(","):
            label = {"this": {"pdf": "tracker .pdf (Typst)"},
                     "baseline": {"pdf": f"tracker .pdf ({'WeasyPrint' if weasy else 'Typst'}, baseline)"}}
            name = label[who].get(fmt, f"tracker .{fmt}{' (baseline)' if who == 'baseline' else ''}")
            print(f"| {name} | " + " | ".join(_cell(results.get((who, fmt, n))) for n in sizes) + " |")
    if args.baseline:
        for n in sizes:
            a, b = results.get(("this", "pdf", n)), results.get(("baseline", "pdf", n))
            if a and b and "seconds" in a and "seconds" in b:
                print(f"PDF speed-up at {n:,} lines: {b['seconds'] / a['seconds']:.1f}x")
    return 0


def _cell(r) -> str:
    if not r:
        return "-"
    if "error" in r:
        return f"error: {r['error'][:60]}"
    pages = f", {r['pages']} pages" if r.get("pages") else ""
    cpu = f", CPU {r['cpu']:.1f} s, load {r['load']:.1f}" if "cpu" in r else ""
    return f"{r['seconds']:.3f} s ({r['rss_mb']:.0f} MB{pages}{cpu})"


if __name__ == "__main__":
    raise SystemExit(main())
