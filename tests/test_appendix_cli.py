"""``savings-tracker appendix``: drafts and finals, --out that must fit --format, settings an appendix needs
(issue 13). Real registers, real documents read back."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader

from savings_tracker import samples
from savings_tracker.cli import main


def _copy(tmp_path: Path, layout: str, **settings) -> Path:
    src = samples.path(layout)
    dst = tmp_path / src.name
    shutil.copyfile(src, dst)
    side = src.with_name(src.stem + ".settings.json")
    data = json.loads(side.read_text(encoding="utf-8"))
    data.update(settings)
    dst.with_name(dst.stem + ".settings.json").write_text(json.dumps(data), encoding="utf-8")
    return dst


def test_errors_make_a_draft_on_every_page_and_exit_1(tmp_path, capsys):
    reg = samples.path("tracker")  # one validation error (rag-invalid at R49)
    for fmt in ("pdf", "html", "docx"):
        out = tmp_path / f"a.{fmt}"
        assert main(["appendix", str(reg), "--format", fmt, "--out", str(out)]) == 1
        err = capsys.readouterr().err
        assert "DRAFT - 1 error" in err and "validate" in err
    pages = PdfReader(str(tmp_path / "a.pdf")).pages
    assert len(pages) > 2 and all("DRAFT - 1 error" in p.extract_text() for p in pages)
    assert "DRAFT - 1 error" in (tmp_path / "a.html").read_text(encoding="utf-8")
    from docx import Document

    doc = Document(str(tmp_path / "a.docx"))
    assert all("DRAFT - 1 error" in "\n".join(p.text for p in s.header.paragraphs) for s in doc.sections)


def test_final_is_refused_while_errors_remain(tmp_path, capsys):
    out = tmp_path / "a.pdf"
    assert main(["appendix", str(samples.path("tracker")), "--format", "pdf", "--out", str(out), "--final"]) == 2
    assert "--final refused" in capsys.readouterr().err and not out.exists()
    clean = tmp_path / "o.pdf"  # the options sample has no errors: a final is written, exit 0
    assert main(["appendix", str(samples.path("options")), "--format", "pdf", "--out", str(clean), "--final"]) == 0
    assert all("DRAFT" not in p.extract_text() for p in PdfReader(str(clean)).pages)


@pytest.mark.parametrize("fmt,name", [("pdf", "a.docx"), ("docx", "a.pdf"), ("html", "a.pdf"), ("pdf", "a")])
def test_out_must_match_format(tmp_path, capsys, fmt, name):
    out = tmp_path / name
    assert main(["appendix", str(samples.path("options")), "--format", fmt, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert f".{fmt}" in err and "--format" in err and not out.exists()


def test_format_all_takes_a_folder(tmp_path, capsys):
    out = tmp_path / "all.pdf"
    assert main(["appendix", str(samples.path("options")), "--format", "all", "--out", str(out)]) == 2
    assert "folder" in capsys.readouterr().err and not out.exists()
    folder = tmp_path / "papers"
    assert main(["appendix", str(samples.path("options")), "--format", "all", "--out", str(folder)]) == 0
    assert sorted(p.suffix for p in folder.iterdir()) == [".docx", ".html", ".pdf"]


def test_missing_organisation_and_period_are_warnings_naming_the_setting(tmp_path, capsys):
    reg = _copy(tmp_path, "tracker", organisation="", period="")
    out = tmp_path / "a.pdf"
    assert main(["appendix", str(reg), "--format", "pdf", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    side = reg.stem + ".settings.json"
    assert f'{side}: "organisation" is blank' in err and f'{side}: "period" is blank' in err
    title = PdfReader(str(out)).metadata.title
    assert title == "Savings Tracker 2017-18", title  # no "as at", no trailing " - "
    html = tmp_path / "a.html"
    main(["appendix", str(reg), "--format", "html", "--out", str(html)])
    text = html.read_text(encoding="utf-8")
    assert "as at <" not in text and "as at\n" not in text and "<title>Savings Tracker 2017-18</title>" in text


def test_missing_setting_in_a_workbook_names_the_settings_cell(tmp_path, capsys):
    from savings_tracker.readers import read_register
    from savings_tracker.workbook import build_workbook

    reg = read_register(samples.path("tracker"))
    wb = tmp_path / "w.xlsm"
    import dataclasses

    build_workbook(wb, dataclasses.replace(reg, settings=dataclasses.replace(reg.settings, organisation="")))
    out = tmp_path / "t.pdf"
    assert main(["appendix", str(wb), "--format", "pdf", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "w.xlsm: Settings!B" in err and "(organisation) is blank" in err
