"""A new column is one declaration in the schema: with no other edit, the workbook builder, the readers,
validation and the documents follow it (issue 10). Two columns are declared in a copy of the schema: a text
column ("Savings owner") and one with allowed values and synonyms ("Recurring / one-off")."""
from __future__ import annotations

import csv
import importlib.util
import zipfile
from pathlib import Path

import openpyxl
import pytest
from docx import Document

from savings_tracker import samples
from savings_tracker.core import schema
from savings_tracker.core.validate import validate
from savings_tracker.documents.render import render_appendix
from savings_tracker.readers import read_register
from savings_tracker.workbook import build_workbook

ROOT = Path(__file__).resolve().parents[1]

OWNER = schema.Column("owner", "Savings owner", schema.TEXT, ("tracker",), width=18,
                      synonyms=("lead officer", "owner"), help="Officer accountable for the saving.")
RECURRENCE = schema.Column(
    "recurrence", "Recurring / one-off", schema.CHOICE, ("tracker",), width=12,
    choices=schema.Choices(("Recurring", "One-off"),
                           (("recurrent", "Recurring"), ("ongoing", "Recurring"), ("one off", "One-off"),
                            ("oneoff", "One-off"), ("one-off saving", "One-off")),
                           "recurrence-invalid", "Recurring or One-off (one off, ongoing accepted)"))


@pytest.fixture
def extended_schema():
    cols = list(schema.COLUMNS)
    at = [c.key for c in cols].index("committee") + 1
    before = schema.declare((*cols[:at], OWNER, RECURRENCE, *cols[at:]))
    yield
    schema.declare(before)


def _with_columns(tmp_path: Path) -> Path:
    """The sample tracker with the two new columns filled in as a council would type them."""
    src = samples.path(samples.ALL["tracker"])
    rows = list(csv.reader(src.open(encoding="utf-8")))
    header = rows[0] + ["Savings owner", "Recurring / one-off"]
    body = []
    spellings = ["Recurring", "one off", "ONGOING", "Maybe"]
    for n, r in enumerate(rows[1:]):
        body.append(r + [f"Officer {n + 1}", spellings[n % len(spellings)] if n < 8 else "Recurring"])
    out = tmp_path / "tracker_with_owner.csv"
    with out.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([header, *body])
    settings = src.with_name(src.stem + ".settings.json")
    out.with_name(out.stem + ".settings.json").write_text(settings.read_text(encoding="utf-8"), encoding="utf-8")
    return out


def test_reader_normalises_and_validation_reports_outside_the_list(extended_schema, tmp_path):
    reg = read_register(_with_columns(tmp_path))
    assert list(reg.lines["recurrence"][:4]) == ["Recurring", "One-off", "Recurring", "Maybe"]
    assert reg.lines["owner"][0] == "Officer 1"
    bad = [f for f in validate(reg) if f.code == "recurrence-invalid"]
    assert len(bad) == 2                       # lines 4 and 8 say "Maybe"
    col = reg.source.columns["recurrence"]
    assert bad[0].cell == f"{chr(65 + col)}{reg.lines['_row'][3]}"
    assert "'Maybe' is not allowed; accepted: Recurring or One-off" in bad[0].message
    # the column's header is recognised from the schema's synonyms too
    assert schema.match_header("Lead Officer") == ("owner", "")


def test_workbook_has_the_header_and_the_dropdown(extended_schema, tmp_path):
    reg = read_register(_with_columns(tmp_path))
    out = build_workbook(tmp_path / "wb.xlsm", reg)
    wb = openpyxl.load_workbook(out)
    ws = wb["Tracker"]
    table = ws.tables[schema.TABLE_NAMES["tracker"]]
    first, _ = table.ref.split(":")
    header_row = int("".join(ch for ch in first if ch.isdigit()))
    header = [c.value for c in ws[header_row]]
    assert "Savings owner" in header and "Recurring / one-off" in header
    assert [c["name"] if isinstance(c, dict) else c.name for c in table.tableColumns][:len(header)] \
        == [h for h in header if h is not None]
    letter = openpyxl.utils.get_column_letter(header.index("Recurring / one-off") + 1)
    lists = [dv for dv in ws.data_validations.dataValidation if dv.type == "list" and letter in str(dv.sqref)]
    assert lists and lists[0].formula1 == '"Recurring,One-off"'
    back = read_register(out)
    assert list(back.lines["owner"][:2]) == ["Officer 1", "Officer 2"]


def _make_word_templates(out: Path) -> None:
    spec = importlib.util.spec_from_file_location("make_docx_templates", ROOT / "scripts" / "make_docx_templates.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    assert mod.main(["--out", str(out)]) == 0


def _docx_text(path: Path) -> str:
    doc = Document(str(path))
    return "\n".join(c.text for t in doc.tables for row in t.rows for c in row.cells) + \
        "\n".join(p.text for p in doc.paragraphs)


def test_documents_of_registers_with_and_without_the_columns(extended_schema, tmp_path):
    templates = tmp_path / "templates"
    templates.mkdir()
    _make_word_templates(templates)          # Word templates regenerated from the extended schema
    with_cols = read_register(_with_columns(tmp_path))
    without = read_register(samples.path(samples.ALL["tracker"]))
    for name, reg in (("with", with_cols), ("without", without)):
        html = render_appendix(reg, "tracker", "html", tmp_path / f"{name}.html").read_text(encoding="utf-8")
        docx = render_appendix(reg, "tracker", "docx", tmp_path / f"{name}.docx", templates_dir=templates)
        text = _docx_text(docx)
        assert "A/R.6.101" in html and "A/R.6.101" in text
        if name == "with":
            assert "Savings owner" in html and "Officer 1" in html and "One-off" in html
            assert "Savings owner" in text and "Officer 1" in text and "One-off" in text
        else:
            assert "Officer 1" not in html and "Officer 1" not in text
            assert zipfile.is_zipfile(docx)
