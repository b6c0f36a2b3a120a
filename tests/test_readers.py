"""Readers: the published layouts of the three seeds, CSV dialects, and workbooks."""
from decimal import Decimal as D

import openpyxl
import pytest

from savings_tracker.errors import UnreadableFile
from savings_tracker.readers import read_register


def test_seed_layouts_are_recognised(sample_paths):
    t = read_register(sample_paths["tracker"])
    assert (t.layout, len(t), t.settings.unit, t.settings.sign) == ("tracker", 67, "£000", "negative")
    assert t.lines.at[6, "plan_q1"] == D(-2307)                       # "-2,307"
    assert t.source.columns["investment"] == 4                        # "Investment 17-18 £000"
    p = read_register(sample_paths["programme"])
    assert (p.layout, len(p), p.settings.unit, p.settings.years) == ("programme", 27, "£m", ["2017/18", "2018/19", "2019/20"])
    assert [x.kind for x in p.published].count("subtotal") == 9
    assert p.lines.at[0, "programme"] == "PSR1- Most Vulnerable"
    o = read_register(sample_paths["options"])
    assert (o.layout, len(o)) == ("options", 30)
    assert o.lines.at[0, "gross_budget"] == D("0.083") and o.lines.at[3, "net_budget"] == D("-0.494")


def test_csv_with_bom_semicolons_and_latin1(tmp_path):
    text = "Reference;Title;Original Phasing - Q1;Original Saving;RAG\nX1;Caf\xe9 review;-1,5;-1,5;Green\n"
    p = tmp_path / "semi.csv"
    p.write_bytes(text.replace("-1,5", "-15").encode("latin-1"))
    reg = read_register(p)
    assert reg.lines.at[0, "title"] == "Café review" and reg.lines.at[0, "plan_q1"] == D(-15)
    assert any("Windows-1252" in f.message for f in reg.read_findings)
    p2 = tmp_path / "bom.csv"
    p2.write_bytes("\ufeffReference,Title,Original Phasing - Q1,RAG\nX1,A,-5,g\n".encode("utf-8"))
    reg2 = read_register(p2)
    assert reg2.source.columns["reference"] == 0 and reg2.lines.at[0, "rag"] == "Green"


def test_xlsx_published_layout_with_title_rows(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Appendix 3"
    ws.append(["Appendix 3 - Savings Tracker 2017-18 as at October 2017"])
    ws.append([])
    ws.append(["Reference", "Title", "Committee", "Original Phasing - Q1", "Original Saving 17-18",
               "Current Forecast Phasing - Q1", "Forecast Saving", "Variance from Plan £000", "RAG"])
    ws.append(["A1", "One", "Adults", -10, -10, -5, -5, 5, "Red"])
    ws.append(["A2", "Two", "Adults", "TBC", -10, -10, -10, 0, "Green"])
    p = tmp_path / "pub.xlsx"
    wb.save(p)
    reg = read_register(p)
    assert reg.layout == "tracker" and len(reg) == 2 and reg.source.header_row == 3
    [bad] = [f for f in reg.read_findings if f.code == "money-invalid"]
    assert (bad.sheet, bad.cell, bad.reference) == ("Appendix 3", "D5", "A2") and "'TBC'" in bad.message


@pytest.mark.parametrize("name,content,expect", [
    ("a.xlsx", b"PK\x03\x04garbage", "not a valid Excel workbook"),
    ("a.xlsm", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "password-protected"),
    ("a.numbers", b"x", "unsupported file type"),      # (.ods is read since issue 11)
    ("a.ods", b"x", "not a valid OpenDocument spreadsheet"),
    ("a.xls", b"PK\x03\x04garbage", "not an Excel 97-2003 workbook"),
])
def test_unreadable_files_raise_one_clear_error(tmp_path, name, content, expect):
    p = tmp_path / name
    p.write_bytes(content)
    with pytest.raises(UnreadableFile, match=expect):
        read_register(p)


def test_settings_sidecar_errors_are_clear(write_tracker):
    from conftest import tracker_line
    from savings_tracker.errors import SettingsError
    path = write_tracker([tracker_line()], settings={"unit": "dollars"})
    with pytest.raises(SettingsError, match="unit 'dollars' is not one of"):
        read_register(path)


def test_settings_cells_as_excel_stores_them():
    """Excel turns a typed 'October 2017' into a date and 5 into 5.0; both paths read them as meant."""
    import datetime as dt

    from savings_tracker.core.settings import Settings
    s = Settings.from_rows([["period", dt.datetime(2017, 10, 1)], ["backups_kept", 5.0], ["decimals", 0.0],
                            ["green_at", 0.95]])
    assert (s.period, s.backups_kept, s.decimals, str(s.green_at)) == ("October 2017", 5, 0, "0.95")
