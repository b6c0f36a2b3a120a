"""A corpus of workbooks re-saved by LibreOffice, as users' own saves (plain; with edits; sorted; a row
inserted above the table and the sheet renamed; saved as .xlsx without macros): every command works on each
and keeps every part of the file it does not own (issue 12)."""
import json
import re
import zipfile

import pytest

from savings_tracker import cli
from savings_tracker import libreoffice as lo
from savings_tracker.core import calc
from savings_tracker.readers import grids, read_register

from test_resaved import COMMITTED

CORPUS = {
    "plain": ("xlsm", []),
    "edits": ("xlsm", [{"do": "set", "sheet": "Tracker", "cell": "K12", "value": -10},
                       {"do": "set", "sheet": "Tracker", "cell": "U12", "value": "Updated by the budget holder"}]),
    "sorted": ("xlsm", [{"do": "sort", "sheet": "Tracker", "range": "A7:V73", "column": 1}]),
    "moved": ("xlsm", [{"do": "insert_rows", "sheet": "Tracker", "row": 1, "count": 1},
                       {"do": "set", "sheet": "Tracker", "cell": "A1", "value": "Our notes above the table"},
                       {"do": "rename", "sheet": "Tracker", "to": "Savings 2017-18"}]),
    "xlsx": ("xlsx", []),
}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("corpus")
    return {name: lo.resave(COMMITTED, folder / f"{name}.{ext}", edits).read_bytes()
            for name, (ext, edits) in CORPUS.items()}


def run(capsys, *args):
    code = cli.main(list(map(str, args)))
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err
    return code, out.out, out.err


def parts(path):
    with zipfile.ZipFile(path) as zf:
        return {i.filename: zf.read(i) for i in zf.infolist()}


@pytest.mark.parametrize("name", list(CORPUS))
def test_every_command_on_a_workbook_saved_by_libreoffice(corpus, name, tmp_path, capsys):
    ext = CORPUS[name][0]
    path = tmp_path / f"Savings_Tracker.{ext}"
    path.write_bytes(corpus[name])
    before = parts(path)
    reg = read_register(path)
    assert len(reg) == 67 and reg.source.table == "Savings"
    sheet = reg.source.sheet
    assert sheet == ("Savings 2017-18" if name == "moved" else "Tracker")
    # validate and summary: the saved figures are the core's (LibreOffice recalculated them)
    code, out, _ = run(capsys, "validate", path, "--format", "json")
    found = json.loads(out)["findings"]
    # (the edits change the forecast: the seed's published header totals on Settings no longer match, rightly)
    assert not [f for f in found if f["code"].endswith("-mismatch") and f["reference"] != "published totals"], found
    assert bool([f for f in found if f["reference"] == "published totals"]) == (name == "edits")
    assert not [f for f in found if f["code"] == "results-derived"]
    code, out, _ = run(capsys, "summary", path, "--format", "json")
    assert json.loads(out)["register"]["lines"] == 67
    # refresh: written, nothing restored, every part kept
    code, out, err = run(capsys, "refresh", path, "--backups", "0")
    assert code in (0, 1) and "Wrote" in out and "restored" not in out, out + err
    after = parts(path)
    assert list(after) == list(before), "parts added, removed or reordered"
    changed = {k for k in before if before[k] != after[k]}
    assert all(re.match(r"xl/(worksheets/sheet\d+\.xml|workbook\.xml|styles\.xml|tables/table\d+\.xml)$", k)
               for k in changed), changed
    if "xl/vbaProject.bin" in before:
        assert after["xl/vbaProject.bin"] == before["xl/vbaProject.bin"]
    rows = grids.load(path).grids[sheet].rows
    total = next(r for r in rows if r and r[0] == "Total")
    want = calc.summarise(read_register(path)).totals
    head = next(r for r in rows if r and r[0] == "Reference")
    assert total[head.index("Forecast Saving")] == float(want["forecast_total"])
    if name == "edits":
        line = next(r for r in rows if r and r[0] == "A/R.6.113")
        assert line[head.index("Forecast Saving")] == -30 and line[head.index("Forecast Commentary")].startswith("Updated")
    if name == "moved":
        assert rows[0][0] == "Our notes above the table"
    checks = grids.load(path).grids["Checks"].rows
    assert all(r[1] in (sheet, "Settings: published_totals") for r in checks[1:] if r and r[0])
    # the Checks table (LibreOffice keeps it, with its filter) covers every finding, and only Checks is resized
    found = sum(1 for r in checks[1:] if r and r[0])
    tables = {k: v.decode() for k, v in after.items() if k.startswith("xl/tables/")}
    checks_table = next(v for v in tables.values() if 'name="Checks"' in v)
    assert f'ref="A1:G{found + 1}"' in checks_table and f'<autoFilter ref="A1:G{found + 1}"' in checks_table
    assert all('name="Checks"' in tables[k] for k in changed if k.startswith("xl/tables/"))
    # snapshot and appendix
    code, out, err = run(capsys, "snapshot", path, "--period", "October 2017", "--backups", "0")
    assert code == 0, out + err
    history = grids.load(path).grids["History"].rows
    assert len([r for r in history[1:] if r and r[0] == "October 2017"]) == 67
    html = tmp_path / "appendix.html"
    code, out, err = run(capsys, "appendix", path, "--format", "html", "--out", html)
    assert code in (0, 1) and "A/R.6.113" in html.read_text(), out + err    # 1: a DRAFT (the register has errors)
