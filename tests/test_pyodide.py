"""Pyodide smoke test: the workbook's ``main.py`` unpacks the package it carries inside real Pyodide (npm
``pyodide``, run by node, offline), and the pure-Python core gives there exactly what it gives on CPython.

What runs here and what cannot: Pyodide's runtime and standard library ship in the npm package, so
``main.py``'s installer and the core modules that need only the standard library (money, schema, settings)
run for real. The register is a column table of plain lists (no pandas), so reading a CSV register,
validation, the summary and the Refresh plan run in Pyodide too (the second probe). xlwings (and pandas,
which xlwings imports) are not in the npm package, so the entry points themselves are not imported here:
``tests/test_lite.py`` runs them on CPython through Lite's call path.
"""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from savings_tracker import samples
from savings_tracker.readers import read_register
from savings_tracker.workbook import build_workbook
from savings_tracker.workbook import lite

ROOT = Path(__file__).resolve().parents[1]
PYODIDE = ROOT / ".cache" / "pyodide" / "node_modules" / "pyodide"

#: The probe: the same on CPython and in Pyodide; prints one JSON line.
PROBE = r'''
import json, sys
from decimal import Decimal
from savings_tracker.core import money, schema
from savings_tracker.core.settings import Settings

cases = ["£1,234", "(100)", "−50", "1.2m", "-", "", "12.5k", "£0.5m", "1,000.49", "TBC", "#REF!", "1e308", "=1+1"]
parsed = {}
for unit in ("£000", "£m", "£"):
    for c in cases:
        try:
            parsed[f"{unit}|{c}"] = str(money.parse_money(c, unit))
        except Exception as exc:
            parsed[f"{unit}|{c}"] = type(exc).__name__ + ": " + str(exc)
s = Settings.from_rows([["Setting", "Value"], ["unit", "£m"], ["sign", "positive"], ["green_at", "95%"],
                        ["period", "October 2017"]], origin="probe")
out = {
    "platform": sys.platform,
    "python": list(sys.version_info[:2]),
    "package_file": __import__("savings_tracker").__file__,
    "parsed": parsed,
    "same": [money.same(Decimal("1.2344"), Decimal("1.2341"), 3), money.same(Decimal("1.2346"), Decimal("1.234"), 3)],
    "fmt": [money.fmt(Decimal("-1234.5"), 0), money.fmt(Decimal("0.0004"), 3), money.fmt(None, 2)],
    "total": str(money.total(["1.1", None, Decimal("2.2"), "x"])) if hasattr(money, "total") else None,
    "settings": [s.unit, s.sign, s.precision, s.saving_sign, str(s.green_at), s.period],
    "columns": [c.key for c in schema.columns_for("tracker", 0)],
    "headers": [c.header_for(s, "tracker") for c in schema.columns_for("tracker", 0)],
}
print("PROBE " + json.dumps(out, sort_keys=True))
'''


@pytest.fixture(scope="module")
def main_source(tmp_path_factory):
    path = build_workbook(tmp_path_factory.mktemp("pyo") / "Savings_Tracker.xlsm",
                          read_register(samples.path(samples.ALL["tracker"])))
    return lite.read_properties(path)["main.py"]


def installer(main_source: str) -> str:
    """main.py up to (and with) its ``_install_package()``, without the entry-point import (that needs
    xlwings and pandas)."""
    head, sep, _ = main_source.partition("\n_install_package()\n")
    assert sep, "main.py no longer calls _install_package()"
    return head + sep


def probe_result(text: str) -> dict:
    line = next(l for l in text.splitlines() if l.startswith("PROBE "))
    return json.loads(line[len("PROBE "):])


def test_the_core_runs_in_pyodide_from_the_package_main_py_carries(tmp_path, main_source):
    node = shutil.which("node")
    assert node, "node is missing: scripts/bootstrap installs it"
    assert (PYODIDE / "pyodide.mjs").is_file(), f"{PYODIDE} is missing: run scripts/bootstrap"
    script = tmp_path / "probe.py"
    script.write_text(installer(main_source) + PROBE)
    done = subprocess.run([node, str(ROOT / "tests" / "pyodide" / "run_core.mjs"), str(PYODIDE), str(script)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    in_pyodide = probe_result(done.stdout)
    assert in_pyodide["platform"] == "emscripten"
    assert in_pyodide["python"][0] == 3 and in_pyodide["python"][1] >= 12
    assert "/savings_tracker/" in in_pyodide["package_file"] and lite.package_zip()   # from main.py's zip

    # the same probe on CPython, from the same main.py (its own unpacked copy)
    import os
    import sys

    env = dict(os.environ, SAVINGS_TRACKER_LITE_HOME=str(tmp_path / "home"))
    cpy = subprocess.run([sys.executable, "-I", str(script)], capture_output=True, text=True, timeout=120, env=env)
    assert cpy.returncode == 0, cpy.stderr[-3000:]
    on_cpython = probe_result(cpy.stdout)
    assert str(tmp_path / "home") in on_cpython["package_file"]
    for key in ("parsed", "same", "fmt", "total", "settings", "columns", "headers"):
        assert in_pyodide[key] == on_cpython[key], key
    assert in_pyodide["parsed"]["£000|(100)"] == "-100" and in_pyodide["parsed"]["£000|TBC"].startswith("MoneyError")


#: The second probe: a CSV register read, validated, summarised and planned, in Pyodide and on CPython.
REGISTER_PROBE = r'''
import json, sys
from pathlib import Path
from savings_tracker import plans
from savings_tracker.core import calc, validate
from savings_tracker.readers import read_register

folder = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/register-probe")
folder.mkdir(parents=True, exist_ok=True)
for name, text in FILES.items():
    (folder / name).write_text(text, encoding="utf-8")
reg = read_register(folder / "tracker.csv")
findings, summary = validate.validate_and_summarise(reg)
plan = plans.validate_plan(reg, findings)
out = {
    "lines": len(reg),
    "counts": validate.counts(findings),
    "findings": [[f.code, f.cell, f.reference] for f in findings],
    "totals": {k: str(v) for k, v in summary.totals.items()},
    "rag_amounts": {k: str(v) for k, v in summary.rag_amounts.items()},
    "groups": [[g.name, g.lines, str(g.totals.get("forecast_total"))] for g in summary.groups],
    "suggested": calc.suggested_rags(reg).tolist(),
    "marks": len(plan.marks),
    "pandas": "pandas" in sys.modules,
}
print("PROBE " + json.dumps(out, sort_keys=True))
'''


def test_the_register_validation_and_summary_run_in_pyodide(tmp_path, main_source):
    """The sample tracker (CSV and its settings) read, validated and summarised in Pyodide gives exactly what
    CPython gives, without pandas."""
    import os
    import sys

    node = shutil.which("node")
    assert node and (PYODIDE / "pyodide.mjs").is_file(), "node or Pyodide is missing: run scripts/bootstrap"
    csv_path = samples.path(samples.ALL["tracker"])
    files = {"tracker.csv": csv_path.read_text(encoding="utf-8"),
             "tracker.settings.json": csv_path.with_suffix(".settings.json").read_text(encoding="utf-8")}
    script = tmp_path / "register_probe.py"
    script.write_text(installer(main_source) + f"FILES = {files!r}\n" + REGISTER_PROBE)
    done = subprocess.run([node, str(ROOT / "tests" / "pyodide" / "run_core.mjs"), str(PYODIDE), str(script)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    in_pyodide = probe_result(done.stdout)
    env = dict(os.environ, SAVINGS_TRACKER_LITE_HOME=str(tmp_path / "home"))
    cpy = subprocess.run([sys.executable, "-I", str(script), str(tmp_path / "files")], capture_output=True,
                         text=True, timeout=120, env=env)
    assert cpy.returncode == 0, cpy.stderr[-3000:]
    on_cpython = probe_result(cpy.stdout)
    assert in_pyodide == on_cpython
    assert in_pyodide["lines"] == 67 and in_pyodide["pandas"] is False
    assert in_pyodide["counts"]["errors"] == 1 and in_pyodide["totals"]["plan_total"] == "-20538"
