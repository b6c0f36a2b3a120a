"""xlwings Lite: the workbook's ``main.py`` runs the buttons and the worksheet functions as Lite calls them,
and they give the same workbook as the macro route.

Lite's call path is reproduced on CPython by ``tests/litecall.py`` (a fresh process: ``XLWINGS_ON_SERVER``,
the package only from the copy inside ``main.py``, python-calamine/typst/WeasyPrint blocked, scripts through
``xlwings.server.custom_scripts_call`` on ``xw.Book(json=payload)``); the actions it returns are replayed
onto a copy of the workbook by ``tests/xlremote.py``, like the macro route's.
"""
from __future__ import annotations

import datetime as dt
import html
import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from lxml import etree

import xlremote  # noqa: F401  (licence key for the remote engine, test process only)

from savings_tracker import cells, samples
from savings_tracker.excel import buttons as xl
from savings_tracker.excel import entry_points
from savings_tracker.readers import read_register
from savings_tracker.workbook import build_workbook
from savings_tracker.workbook import lite

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
COMMITTED = ROOT / "workbook" / "Savings_Tracker.xlsm"

#: The actions xlwings' open-source Office.js client applies (xlwings/xlwings-server,
#: xlwings_server/static/js/custom-scripts/index.js, the ``registerCallback`` list at commit 8862003,
#: August 2026), the client family xlwings Lite's add-in belongs to. The Lite path may return only these.
LITE_APPLIES = frozenset({
    "setValues", "rangeClearContents", "rangeClearFormats", "rangeClear", "addSheet", "setSheetName",
    "setAutofit", "setRangeColor", "activateSheet", "addHyperlink", "setNumberFormat", "setPictureName",
    "setPictureHeight", "setPictureWidth", "deletePicture", "addPicture", "updatePicture", "alert",
    "setRangeName", "namesAdd", "nameDelete", "runMacro", "rangeDelete", "rangeInsert", "rangeSelect",
    "addTable", "setTableName", "resizeTable", "showAutofilterTable", "showHeadersTable", "showTotalsTable",
    "setTableStyle", "copyRange", "copyFromRange", "sheetDelete", "sheetClear", "sheetClearFormats",
    "sheetClearContents", "rangeGroup", "rangeUngroup", "freezePaneAtRange", "freezePaneUnfreeze",
    "rangeAdjustIndent", "setFontProperty"})
#: What the Lite path must never use: no status bar or alert (messages go to a cell), no colour matrix.
NOT_ON_LITE = {"alert", "setRangeColors", "setFormula"}


@pytest.fixture(scope="module")
def sample_reg():
    return read_register(samples.path(samples.ALL["tracker"]))


@pytest.fixture(scope="module")
def built(tmp_path_factory, sample_reg):
    return build_workbook(tmp_path_factory.mktemp("lite") / "Savings_Tracker.xlsm", sample_reg)


def lite_call(tmp_path, workbook, calls) -> dict:
    req = tmp_path / f"req-{len(list(tmp_path.glob('req-*')))}.json"
    res = req.with_name(req.name.replace("req-", "res-"))
    req.write_text(json.dumps({"home": str(tmp_path / "lite-home"), "workbook": str(workbook), "calls": calls}))
    done = subprocess.run([sys.executable, str(HERE / "litecall.py"), str(req), str(res)], capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(res.read_text())


def run_lite(tmp_path, workbook, script: str, out: Path, main_from=None) -> tuple[list[dict], dict]:
    """Run ``script`` on ``workbook``'s contents with the ``main.py`` of ``main_from`` (default: the same
    workbook; the openpyxl replay of earlier steps does not keep the web extension parts, Excel does)."""
    r = lite_call(tmp_path, main_from or workbook, [{"kind": "script", "name": script, "workbook": str(workbook)}])
    call = r["calls"][0]
    assert "error" not in call, call
    actions = call["actions"]
    assert {a["func"] for a in actions} <= LITE_APPLIES, {a["func"] for a in actions} - LITE_APPLIES
    assert not {a["func"] for a in actions} & NOT_ON_LITE
    assert xlremote.apply_actions(actions, workbook, out) == []
    return actions, r


def run_macro(workbook, fn, out: Path):
    return xlremote.run_macro(workbook, fn, out_path=out)


STAMP = re.compile(r"\d{2} \w{3} \d{4} \d{2}:\d{2}")


def state(path, skip=()) -> dict:
    """Every cell (value or formula) and fill of every sheet, the tables' ranges; timestamps masked."""
    wb = openpyxl.load_workbook(path)
    out = {}
    try:
        for ws in wb.worksheets:
            cells = {}
            for row in ws.iter_rows():
                for c in row:
                    if (ws.title, c.coordinate) in skip:
                        continue
                    v = c.value
                    if isinstance(v, dt.datetime):
                        v = "<datetime>"
                    elif isinstance(v, str):
                        v = STAMP.sub("<stamp>", v)
                    fill = c.fill.fgColor.rgb if c.fill is not None and c.fill.fill_type == "solid" else None
                    if v is not None or fill:
                        cells[c.coordinate] = (v, fill)
            out[ws.title] = {"cells": cells, "tables": {n: ref for n, ref in ws.tables.items()}}
        return out
    finally:
        wb.close()


def message_cell(path) -> str:
    wb = openpyxl.load_workbook(path)
    try:
        return wb["Tracker"][entry_points.LITE_MESSAGE_CELL].value
    finally:
        wb.close()


LITE_SKIP = {("Tracker", entry_points.LITE_MESSAGE_CELL)}


def oneline(text: str) -> str:
    return " ".join(text.split())


# ---- the Lite path imports only what Lite has ------------------------------------------------------------------
def test_main_py_runs_the_package_it_carries_without_calamine_typst_or_weasyprint(tmp_path, built):
    r = lite_call(tmp_path, built, [{"kind": "script", "name": "validate"}])
    assert "error" not in r["calls"][0]
    assert r["blocked_loaded"] == []
    home = str(tmp_path / "lite-home")
    assert r["modules"] and all(f.startswith(home) for f in r["modules"].values() if f), r["modules"]
    assert "savings_tracker.readers.grids" in r["modules"] and "savings_tracker.plans.refresh" in r["modules"]
    # every script and function Lite registers, and each sheet button's reference
    meta = {m["function_name"]: m for m in r["scripts_meta"]}
    assert set(meta) == set(entry_points.SCRIPTS)
    for script, shape, _ in entry_points.LITE_BUTTONS:
        assert meta[script]["button"] == f"[{shape}]Tracker!{entry_points.LITE_BUTTON_CELLS[script]}"
    assert meta["replace_snapshot"]["button"] is None
    assert sorted(r["functions_meta"]) == sorted(entry_points.FUNCTIONS)


# ---- the same workbook as the macro route ---------------------------------------------------------------
@pytest.mark.parametrize("script", ["validate", "refresh", "snapshot"])
def test_each_script_gives_the_macro_routes_workbook(tmp_path, built, script):
    lite_out, macro_out = tmp_path / "lite.xlsm", tmp_path / "macro.xlsm"
    actions, r = run_lite(tmp_path, built, script, lite_out)
    macro = run_macro(built, getattr(xl, script), macro_out)
    assert state(lite_out, LITE_SKIP) == state(macro_out, LITE_SKIP)
    # the macro route's alert is Lite's message: in the cell beside the buttons and in the task pane
    alert = macro.alerts[0]["prompt"]
    assert message_cell(lite_out) == oneline(alert) or message_cell(lite_out) == "Problem: " + oneline(alert)
    assert alert.splitlines()[0] in r["printed"]
    assert actions and not {a["func"] for a in actions} & NOT_ON_LITE


def test_month_end_sequence_on_a_councils_own_workbook(tmp_path, built):
    """A workbook a council has made its own (a sheet of theirs, more committees than the Summary has rows
    for): validate, refresh, snapshot, and snapshot again, under Lite and through the macros, step by step."""
    from savings_tracker.xlsx.apply import patch_workbook
    from test_headless import add_user_sheet

    own = tmp_path / "own.xlsm"
    shutil.copy(built, own)
    add_user_sheet(own)
    reg = read_register(own)
    col = cells.letters(reg.source.columns["committee"] + 1)
    rows = [int(r) for r in reg.lines["_row"]][-6:]
    grown = tmp_path / "grown.xlsm"
    patch_workbook(own, grown, {"Tracker": {f"{col}{r}": ("Public Health", "Economy", "Housing")[i % 3]
                                            for i, r in enumerate(rows)}})
    lite_book = macro_book = grown
    for step, (script, fn) in enumerate([("validate", xl.validate), ("refresh", xl.refresh),
                                         ("snapshot", xl.snapshot), ("snapshot", xl.snapshot)]):
        lite_next, macro_next = tmp_path / f"lite{step}.xlsm", tmp_path / f"macro{step}.xlsm"
        actions, _ = run_lite(tmp_path, lite_book, script, lite_next, main_from=built)
        macro = run_macro(macro_book, fn, macro_next)
        assert state(lite_next, LITE_SKIP) == state(macro_next, LITE_SKIP), f"step {step}: {script}"
        assert oneline(macro.alerts[0]["prompt"]) in message_cell(lite_next)
        if script == "refresh":
            assert "rangeInsert" in {a["func"] for a in actions}       # Summary rows inserted, as Excel's Insert
        lite_book, macro_book = lite_next, macro_next
    assert message_cell(lite_book).startswith("Problem: History already holds a snapshot")
    wb = openpyxl.load_workbook(lite_book)
    assert "My notes" in wb.sheetnames and wb["My notes"]["A1"].value == "My notes"


def test_an_imported_council_tracker_in_millions_with_savings_positive(tmp_path, write_tracker):
    """A council's own register imported with `savings-tracker build-workbook --data` (£m, savings positive,
    committees of its own, a total that does not add up, an unknown RAG): each button, step by step, gives the
    same workbook under Lite as through the macros."""
    from conftest import tracker_line
    from savings_tracker import cli

    lines = []
    for i in range(12):
        q = [f"{0.1 * (i % 4 + 1):.3f}"] * 4
        lines.append(tracker_line(reference=f"PH/{i:03d}", title=f"Saving {i}", committee=("Public Health",
                     "Place", "Corporate")[i % 3], plan_q1=q[0], plan_q2=q[1], plan_q3=q[2], plan_q4=q[3],
                     plan_total=f"{0.4 * (i % 4 + 1):.3f}", forecast_q1=q[0], forecast_q2=q[1], forecast_q3=q[2],
                     forecast_q4="0.050", forecast_total=f"{0.3 * (i % 4 + 1) + 0.05:.3f}",
                     variance=f"{0.05 - 0.1 * (i % 4 + 1):.3f}", rag=("Green", "Amber", "Red", "Purple")[i % 4]))
    lines[3]["plan_total"] = "9.999"                  # does not add up: a finding and a mark
    csv_path = write_tracker(lines, settings={"unit": "£m", "sign": "positive", "organisation": "Anytown Council"})
    book = tmp_path / "imported.xlsm"
    assert cli.main(["build-workbook", "--data", str(csv_path), "--out", str(book)]) == 0
    lite_book = macro_book = book
    for step, script in enumerate(("validate", "refresh", "snapshot")):
        lite_next, macro_next = tmp_path / f"lite{step}.xlsm", tmp_path / f"macro{step}.xlsm"
        actions, _ = run_lite(tmp_path, lite_book, script, lite_next, main_from=book)
        macro = run_macro(macro_book, getattr(xl, script), macro_next)
        assert state(lite_next, LITE_SKIP) == state(macro_next, LITE_SKIP), f"step {step}: {script}"
        assert oneline(macro.alerts[0]["prompt"]) in message_cell(lite_next)
        if script == "validate":
            assert "setRangeColor" in {a["func"] for a in actions}            # the marks, as fills
        lite_book, macro_book = lite_next, macro_next
    assert message_cell(lite_book).startswith("Recorded the October 2017 snapshot of 12 lines")


def test_a_problem_is_a_message_and_nothing_else_changes(tmp_path, built):
    # the Savings table renamed: the button refuses and says how to fix it
    renamed = tmp_path / "renamed.xlsm"
    wb = openpyxl.load_workbook(built, keep_vba=True)
    t = wb["Tracker"].tables["Savings"]
    t.displayName = t.name = "MyTable"
    wb["Tracker"].tables["MyTable"] = wb["Tracker"].tables.pop("Savings")
    wb.save(renamed)
    out = tmp_path / "out.xlsm"
    actions, r = run_lite(tmp_path, renamed, "validate", out, main_from=built)
    assert {a["func"] for a in actions} == {"setValues"} and len(actions) == 1     # the message only
    assert message_cell(out).startswith("Problem: There is no Excel Table named 'Savings'")
    assert "Nothing was changed" in message_cell(out) and "Traceback" not in r["printed"]
    assert state(out, LITE_SKIP) == state(renamed, LITE_SKIP)


def test_appendix_writes_html_and_word_into_lites_file_area_and_refuses_pdf(tmp_path, built):
    data = tmp_path / "data"
    for fmt, ext in (("html", ".html"), ("docx", ".docx"), ("pdf", None)):
        book = tmp_path / f"{fmt}.xlsm"
        wb = openpyxl.load_workbook(built, keep_vba=True)
        dn = wb.defined_names[xl.APPENDIX_NAMES["format"]]
        sheet, cell = list(dn.destinations)[0]
        wb[sheet][cell.replace("$", "")] = fmt
        wb.save(book)
        res = _lite_with_data(tmp_path, built, book, data)
        out = tmp_path / f"{fmt}-out.xlsm"
        assert xlremote.apply_actions(res["calls"][0]["actions"], book, out) == []
        msg = message_cell(out)
        if ext:
            files = sorted(data.glob(f"*{ext}"))
            assert files and msg.startswith("Appendix written: ") and "menu > Files" in msg
            if ext == ".docx":     # a real Word document with the register's lines in its table
                import docx
                doc = docx.Document(str(files[0]))
                text = "\n".join(c.text for t in doc.tables for r in t.rows for c in r.cells)
            else:
                text = files[0].read_text(encoding="utf-8")
                assert "<table" in text
            assert "A/R.6.001" in text and "Reablement" in text
        else:
            assert msg.startswith("Problem: A PDF appendix needs Excel with Python")


def _lite_with_data(tmp_path, main_from, book, data: Path) -> dict:
    """litecall with Lite's /data folder pointed at ``data`` (the machine's own /data is left alone)."""
    import os

    env = dict(os.environ, SAVINGS_TRACKER_LITE_DATA=str(data))
    req = tmp_path / "req-data.json"
    res = tmp_path / "res-data.json"
    req.write_text(json.dumps({"home": str(tmp_path / "lite-home"), "workbook": str(main_from),
                               "calls": [{"kind": "script", "name": "appendix", "workbook": str(book)}]}))
    done = subprocess.run([sys.executable, str(HERE / "litecall.py"), str(req), str(res)], capture_output=True,
                          text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    r = json.loads(res.read_text())
    assert "error" not in r["calls"][0] and r["blocked_loaded"] == []
    return r


# ---- the worksheet functions under Lite ------------------------------------------------------------------
def test_custom_functions_under_lite_give_what_the_udfs_give(tmp_path, built):
    from savings_tracker.excel import udfs

    wb = openpyxl.load_workbook(built, data_only=True)
    t = wb["Tracker"].tables["Savings"]
    table = [[c.value if c.value is not None else None for c in row] for row in wb["Tracker"][t.ref]][:-1]
    wb.close()
    table = [[v for v in row] for row in table]
    plan, fc = [[100, 50], [None, 10]], [[90, 60], [5, 10]]
    calls = [{"kind": "func", "name": "SAVINGS_VARIANCE", "args": [plan, fc]},
             {"kind": "func", "name": "SAVINGS_RAG", "args": [plan, fc, None, None, None, None]},
             {"kind": "func", "name": "SAVINGS_CHECK", "args": [table, None, None]},
             {"kind": "func", "name": "SAVINGS_SUMMARY", "args": [table, None, None]}]
    r = lite_call(tmp_path, built, calls)
    got = [c.get("value", c.get("error")) for c in r["calls"]]
    assert got[0] == udfs.SAVINGS_VARIANCE(plan, fc)
    assert got[1] == udfs.SAVINGS_RAG(plan, fc)
    assert got[2] == udfs.SAVINGS_CHECK(table)
    assert got[3] == [[("" if v is None else v) for v in row] for row in udfs.SAVINGS_SUMMARY(table)] or \
        got[3] == udfs.SAVINGS_SUMMARY(table)
    assert any(row[0] for row in got[2])          # the sample has findings: one text per line


# ---- the parts the builder writes ------------------------------------------------------------------------------
def parts_of(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def test_main_py_decodes_compiles_and_is_what_the_builder_generates(built):
    for path in (built, COMMITTED):
        props = lite.read_properties(path)
        assert list(props) == ["main.py", "pyodideVersion", "addinVersion", "requirements.txt"], path
        compile(props["main.py"], "main.py", "exec")
        assert props["main.py"] == lite.main_py(), f"{path.name}: rebuild with savings-tracker build-workbook"
        assert props["requirements.txt"] == lite.requirements_txt()
        assert props["pyodideVersion"] == lite.PYODIDE_VERSION
    # the carried package is the source, byte for byte
    import base64
    import hashlib
    import io

    src = lite.read_properties(built)["main.py"]
    ns: dict = {}
    exec(compile(src.split("def _install_package")[0], "main.py", "exec"), ns)
    data = base64.b64decode(ns["PACKAGE_ZIP"])
    assert hashlib.sha256(data).hexdigest() == ns["PACKAGE_SHA256"]
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        names = z.namelist()
        assert "savings_tracker/excel/entry_points.py" in names and "savings_tracker/templates/tracker.html.j2" in names
        assert not [n for n in names if re.search(r"^savings_tracker/(cli|libreoffice|workbook)/", n)]
        assert [n for n in names if "/xlsx/" in n] == ["savings_tracker/xlsx/__init__.py",
                                                       "savings_tracker/xlsx/zipguard.py"]
        for n in names:
            assert z.read(n) == (lite.PACKAGE_ROOT / n.split("/", 1)[1]).read_bytes(), n


def test_requirements_are_packages_pyodide_loads():
    """Each requirement is a Pyodide build (its lock file, from the npm package the smoke test runs) or has a
    pure-Python wheel (py3-none-any, fetched by scripts/bootstrap from PyPI)."""
    lock = json.loads((ROOT / ".cache" / "pyodide" / "node_modules" / "pyodide" / "pyodide-lock.json").read_text())
    built_in = set(lock["packages"])
    wheels = {re.sub(r"[-_.]+", "-", w.name.split("-")[0]).lower(): w.name
              for w in (ROOT / ".cache" / "lite-wheels").glob("*-none-any.whl")}
    for req, where in lite.REQUIREMENTS:
        name = re.split(r"[<>=!~ ;\[]", req)[0].lower()
        if where == "Pyodide build":
            assert name in built_in, f"{name} is not built in Pyodide {lock['info']}"
        else:
            assert name in wheels, f"{name}: no pure-Python wheel (run scripts/bootstrap)"
            assert "-py3-none-any" in wheels[name] or "py2.py3-none-any" in wheels[name]
    for forbidden in ("python-calamine", "typst", "weasyprint", "openpyxl", "xlsxwriter"):
        assert forbidden not in lite.requirements_txt().lower()


def test_parts_relationships_and_content_types_parse(built):
    for path in (built, COMMITTED):
        parts = parts_of(path)
        for name in lite.LITE_PARTS:
            etree.fromstring(parts[name])
        rels = etree.fromstring(parts["_rels/.rels"])
        tp = [r for r in rels if r.get("Type") == lite.REL_TASKPANES]
        assert len(tp) == 1 and tp[0].get("Target") == lite.TASKPANES_PART
        assert len({r.get("Id") for r in rels}) == len(rels)
        ct = etree.fromstring(parts["[Content_Types].xml"])
        overrides = {o.get("PartName"): o.get("ContentType") for o in ct}
        assert overrides["/" + lite.TASKPANES_PART] == lite.CT_TASKPANES
        assert overrides["/" + lite.WEBEXTENSION_PART] == lite.CT_WEBEXTENSION
        assert overrides["/xl/workbook.xml"] == "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
        assert "xl/vbaProject.bin" in parts                     # beside the VBA project
        tpr = etree.fromstring(parts[lite.TASKPANES_RELS])
        assert [(r.get("Type"), r.get("Target")) for r in tpr] == [(lite.REL_WEBEXTENSION, "webextension1.xml")]
        we = etree.fromstring(parts[lite.WEBEXTENSION_PART])
        ref = we.find(f"{{{lite.WE_NS}}}reference")
        assert ref.get("id").upper() == lite.ADDIN_ID and ref.get("storeType") == "OMEX"
        # each property value is JSON inside an XML attribute, as Lite writes it
        raw = re.findall(r'<we:property name="([^"]+)" value="([^"]*)"/>', parts[lite.WEBEXTENSION_PART].decode())
        assert [n for n, _ in raw] == list(lite.read_properties(path))
        assert all(json.loads(html.unescape(v)) is not None for _, v in raw)


def tracker_drawing(parts) -> str:
    sheet = lite._sheet_part(parts, "Tracker")
    folder, base = sheet.rsplit("/", 1)
    rels = etree.fromstring(parts[f"{folder}/_rels/{base}.rels"])
    target = next(r.get("Target") for r in rels if r.get("Type") == lite.REL_DRAWING)
    return "xl/drawings/" + target.rsplit("/", 1)[1]


def test_lite_buttons_are_named_shapes_linked_to_the_cell_behind_them(built):
    parts = parts_of(built)
    ns = {"xdr": "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing",
          "a": "http://schemas.openxmlformats.org/drawingml/2006/main"}
    rid = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    name = tracker_drawing(parts)
    assert name != "xl/drawings/drawing1.xml"          # the Summary chart's drawing keeps its name
    drawing = etree.fromstring(parts[name])
    rels = {r.get("Id"): r.get("Target") for r in etree.fromstring(parts[name.replace("drawings/", "drawings/_rels/") + ".rels"])}
    found = {}
    for anchor in drawing.findall("xdr:oneCellAnchor", ns):
        pr = anchor.find(".//xdr:cNvPr", ns)
        link = pr.find("a:hlinkClick", ns)
        frm = anchor.find("xdr:from", ns)
        col, row = int(frm.find("xdr:col", ns).text), int(frm.find("xdr:row", ns).text)
        found[pr.get("name")] = (rels[link.get(rid)], col, row, "".join(t.text for t in anchor.iter(f"{{{ns['a']}}}t")), anchor)
    lefts = []
    for script, shape, caption in entry_points.LITE_BUTTONS:
        cell = entry_points.LITE_BUTTON_CELLS[script]
        target, col, row, text, anchor = found[shape]
        r, c = cells.cell(cell)
        assert target == f"#'Tracker'!{cell}" and (col, row) == (c - 1, r - 1), shape  # the cell under its corner
        assert text == caption
        lefts.append(col)
    assert len(found) == len(entry_points.LITE_BUTTONS) and lefts == sorted(lefts)
    # beside the VBA buttons, which stay
    vml = parts["xl/drawings/vmlDrawing1.vml"].decode()
    assert all(macro in vml for macro in ("ValidateEntries", "RefreshSummary", "TakeSnapshot"))
    ct = etree.fromstring(parts["[Content_Types].xml"])
    assert {o.get("PartName"): o.get("ContentType") for o in ct}["/" + name] == lite.DRAWING_CT


def test_headless_refresh_and_snapshot_keep_the_lite_parts_byte_for_byte(tmp_path, built):
    from savings_tracker import cli

    book = tmp_path / "book.xlsm"
    shutil.copy(built, book)
    before = parts_of(book)
    assert cli.main(["refresh", str(book), "--backups", "0"]) in (0, 1)
    assert cli.main(["snapshot", str(book), "--period", "November 2017", "--backups", "0"]) in (0, 1)
    after = parts_of(book)
    drawing = tracker_drawing(before)
    for name in (*lite.LITE_PARTS, "_rels/.rels", drawing, drawing.replace("drawings/", "drawings/_rels/") + ".rels"):
        assert after[name] == before[name], name
    ct = etree.fromstring(after["[Content_Types].xml"])
    assert {o.get("PartName") for o in ct} >= {"/" + lite.TASKPANES_PART, "/" + lite.WEBEXTENSION_PART}


def test_the_build_is_reproducible(tmp_path, sample_reg, built):
    again = build_workbook(tmp_path / "again.xlsm", sample_reg)
    assert again.read_bytes() == built.read_bytes()


# ---- savings-tracker doctor -------------------------------------------------------------------------------------
def with_properties(src, dst, **changes):
    """A copy of ``src`` whose add-in properties are changed (as an edit in the Lite editor would)."""
    props = lite.read_properties(src)
    props.update(changes)
    with zipfile.ZipFile(src) as z:
        files = [(i, z.read(i.filename)) for i in z.infolist()]
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in files:
            z.writestr(info, lite.webextension_xml(props) if info.filename == lite.WEBEXTENSION_PART else data)
    return dst


def without_lite(src, dst):
    with zipfile.ZipFile(src) as z:
        files = [(i, z.read(i.filename)) for i in z.infolist() if not i.filename.startswith("xl/webextensions/")]
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in files:
            z.writestr(info, data)
    return dst


def doctor(capsys, path):
    from savings_tracker import cli

    code = cli.main(["doctor", str(path)])
    out = capsys.readouterr().out
    assert "Traceback" not in out
    return code, out


def test_doctor_reports_the_runtimes_and_checks_the_lite_parts(tmp_path, built, capsys):
    code, out = doctor(capsys, built)
    assert "OK  Savings_Tracker.xlsm is set up for: Excel with local Python" in out and "and xlwings Lite" in out
    assert "OK  main.py compiles and is this version's code" in out
    assert "OK  requirements.txt names only packages Pyodide loads" in out
    assert "OK  xlwings Lite parts, relationships and content types are in place" in out

    edited = with_properties(built, tmp_path / "edited.xlsm", **{"main.py": lite.main_py() + "\nx = 1\n"})
    code, out = doctor(capsys, edited)
    assert code == 1 and "FIX main.py compiles but is not this version's code" in out

    broken = with_properties(built, tmp_path / "broken.xlsm", **{"main.py": "def (:\n"})
    code, out = doctor(capsys, broken)
    assert code == 1 and "FIX main.py does not compile (line 1" in out

    calamine = with_properties(built, tmp_path / "reqs.xlsm", **{"requirements.txt": lite.requirements_txt() + "python-calamine\n"})
    code, out = doctor(capsys, calamine)
    assert code == 1 and "FIX requirements.txt names python-calamine" in out

    old = without_lite(built, tmp_path / "old.xlsm")
    code, out = doctor(capsys, old)
    assert code == 1 and "set up for: Excel with local Python (the VBA buttons, RunPython)\n" in out
    assert "FIX no xlwings Lite parts" in out


def test_the_lite_modules_set_no_licence_and_import_no_pro_code():
    for name in ("excel/entry_points.py", "excel/buttons.py", "excel/writer.py", "workbook/lite.py"):
        text = (ROOT / "python" / "savings_tracker" / name).read_text(encoding="utf-8")
        assert "xlwings.pro" not in text and "XLWINGS_LICENSE_KEY" not in text and "_xlremote" not in text
        assert not re.search(r"^\s*(import|from)\s+(python_calamine|weasyprint|typst)\b", text, re.M)


def test_validate_under_lite_resizes_the_checks_table_so_its_filter_covers_every_finding(tmp_path, built):
    """Lite's client applies resizeTable (Office.js Table.resize) but refuses to move a sheet's AutoFilter:
    Checks is a table, resized to the findings as on the macro route."""
    src = tmp_path / "purple.xlsm"
    wb = openpyxl.load_workbook(built, keep_vba=True)
    ws = wb["Tracker"]
    top = openpyxl.utils.range_boundaries(ws.tables["Savings"].ref)[1]
    rag = next(c for c in ws[top] if c.value == "RAG").column
    for r in range(top + 1, top + 21):
        ws.cell(r, rag, "Purple")
    wb.save(src)
    lite_out, macro_out = tmp_path / "lite.xlsm", tmp_path / "macro.xlsm"
    actions, _ = run_lite(tmp_path, src, "validate", lite_out, main_from=built)
    run_macro(src, xl.validate, macro_out)
    assert "resizeTable" in {a["func"] for a in actions}
    got = openpyxl.load_workbook(lite_out)["Checks"]
    n = sum(1 for r in got.iter_rows(min_row=2, max_col=1, values_only=True) if r[0])
    assert n > 20
    assert got.tables["Checks"].ref == got.tables["Checks"].autoFilter.ref == f"A1:G{n + 1}"
    assert state(lite_out, LITE_SKIP) == state(macro_out, LITE_SKIP)


def test_refresh_under_lite_formats_a_summary_lifecycle_table_the_workbook_did_not_have(tmp_path, built):
    """The lifecycle table's cells of a Summary without it take the chart data table's formats through
    copyRange (Office.js Range.copyFrom), an action Lite applies, as on the macro route."""
    from openpyxl.styles.cell_style import StyleArray
    from test_workbook_lifecycle import lifecycle_cells, looks
    old = tmp_path / "old.xlsm"
    wb = openpyxl.load_workbook(built, keep_vba=True)
    where = lifecycle_cells(wb["Summary"])
    for ref in where:
        wb["Summary"][ref].value = None
        wb["Summary"][ref]._style = StyleArray()
    wb.save(old)
    out = tmp_path / "lite.xlsm"
    actions, _ = run_lite(tmp_path, old, "refresh", out, main_from=built)
    assert "copyRange" in {a["func"] for a in actions}
    want, got = openpyxl.load_workbook(built)["Summary"], openpyxl.load_workbook(out)["Summary"]
    assert [(r, looks(got[r])) for r in where] == [(r, looks(want[r])) for r in where]
