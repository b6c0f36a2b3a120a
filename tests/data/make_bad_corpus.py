"""Generate the bad-input corpus in tests/data/bad/ and its EXPECTED.json, reproducibly.

    python tests/data/make_bad_corpus.py            # rewrites tests/data/bad/

Byte-for-byte reproducible except encrypted.xlsx (msoffcrypto-tool draws a random salt; its message and
status do not change). Each entry of EXPECTED.json: file -> {"message": substring the output of `savings-tracker validate` must contain,
"exit": 0 (reads cleanly: the input is odd but valid), 1 (the register has errors) or 2 (unusable),
"why": what the file exercises}. Nothing here depends on the clock or on randomness without a seed; workbooks
are written with XlsxWriter with a fixed creation date.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import random
import shutil
import struct
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "bad"
sys.path.insert(0, str(HERE.parents[1] / "python"))

from savings_tracker.core.schema import columns_for  # noqa: E402

HEADERS = [c.header_for(None, "tracker") for c in columns_for("tracker") if c.key != "suggested_rag"]
KEYS = [c.key for c in columns_for("tracker") if c.key != "suggested_rag"]
FIXED = dt.datetime(2000, 1, 1)
EXPECTED: dict[str, dict] = {}


def line(ref="A/R.1.001", **over):
    d = {"reference": ref, "title": "Review of contracts", "description": "Retender the contracts",
         "committee": "Adults", "investment": "0", "plan_q1": "-10", "plan_q2": "-10", "plan_q3": "-10",
         "plan_q4": "-10", "plan_total": "-40", "forecast_q1": "-10", "forecast_q2": "-10", "forecast_q3": "-10",
         "forecast_q4": "-10", "forecast_total": "-40", "variance": "0", "complete": "No", "rag": "Green",
         "direction": "↔", "commentary": "On track", "partners": ""}
    d.update(over)
    return d


GOOD = [line("A/R.1.001"), line("A/R.1.002", title="Day services", committee="C&YP"),
        line("A/R.1.003", title="Transport review")]


def expect(name: str, message: str, exit_code: int, why: str):
    assert name not in EXPECTED, name
    EXPECTED[name] = {"message": message, "exit": exit_code, "why": why}


def csv_text(lines, headers=None, keys=None, delimiter=",") -> str:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    w.writerow(headers or HEADERS)
    for ln in lines:
        w.writerow([ln.get(k, "") for k in (keys or KEYS)])
    return buf.getvalue()


def write_csv(name, lines, message, exit_code, why, *, headers=None, keys=None, encoding="utf-8", delimiter=","):
    (OUT / name).write_bytes(csv_text(lines, headers, keys, delimiter).encode(encoding))
    expect(name, message, exit_code, why)


def xlsx_bytes(rows, *, sheet="Tracker", table: str | None = "Savings", merge=None, extra_sheets=None,
               cell_writer=None) -> bytes:
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False})
    wb.set_properties({"created": FIXED})
    ws = wb.add_worksheet(sheet)
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            if v is None or v == "":
                continue
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                ws.write_number(r, c, v)
            elif isinstance(v, str):
                ws.write_string(r, c, v)
            else:
                ws.write(r, c, v)
    if cell_writer:
        cell_writer(wb, ws)
    if table:
        ws.add_table(0, 0, max(len(rows) - 1, 1), len(rows[0]) - 1,
                     {"name": table, "columns": [{"header": h} for h in rows[0]], "autofilter": False})
    if merge:
        ws.merge_range(*merge)
    for name, srows in (extra_sheets or {}).items():
        other = wb.add_worksheet(name)
        for r, row in enumerate(srows):
            for c, v in enumerate(row):
                other.write(r, c, v)
    wb.close()
    return buf.getvalue()


def grid(lines):
    rows = [list(HEADERS)]
    for ln in lines:
        row = []
        for k in KEYS:
            v = ln.get(k, "")
            try:
                row.append(float(v) if k not in ("reference", "title", "description", "committee", "complete",
                                                 "rag", "direction", "commentary", "partners") and v != "" else v)
            except (TypeError, ValueError):
                row.append(v)
        rows.append(row)
    return rows


def write_xlsx(name, data: bytes, message, exit_code, why):
    (OUT / name).write_bytes(data)
    expect(name, message, exit_code, why)


def col(key):
    return KEYS.index(key)


# ---- the corpus ---------------------------------------------------------------------------------------
def make():
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir(parents=True)
    rnd = random.Random(6)
    good_xlsx = xlsx_bytes(grid(GOOD))

    # packages
    write_xlsx("corrupt_zip.xlsx", good_xlsx[: len(good_xlsx) // 2], "not a valid Excel workbook", 2,
               "a workbook cut off half way (damaged zip)")
    write_xlsx("not_a_zip.xlsx", b"Reference,Title\nA/R.1,Saving\n", "not a valid Excel workbook", 2,
               "text saved with an .xlsx name")
    zbuf = io.BytesIO()
    with zipfile.ZipFile(zbuf, "w") as z:
        z.writestr(zipfile.ZipInfo("readme.txt", (1980, 1, 1, 0, 0, 0)), "not a workbook")
    write_xlsx("zip_not_workbook.xlsx", zbuf.getvalue(), "not an Excel workbook (no xl/workbook.xml)", 2,
               "a zip archive that is not a workbook")
    write_xlsx("xlsx_renamed.xlsm", good_xlsx, "tracker register, 3 lines", 0,
               "an .xlsx (no macros) renamed .xlsm: read as the workbook it is")
    write_xlsx("zip_bomb.xlsx", zip_bomb(), "refused", 2,
               "zip whose headers declare 3 GB: refused by the size limit before anything is expanded")
    write_xlsx("encrypted.xlsx", encrypted(good_xlsx), "password-protected", 2,
               "password-protected workbook (OLE compound file holding EncryptedPackage)")
    write_xlsx("old_xls_renamed.xlsx", minimal_cfb(b"Workbook"), "old .xls format", 2,
               "an old binary .xls (OLE) saved with an .xlsx name")
    write_xlsx("damaged_sheet_xml.xlsx", damage_sheet(good_xlsx), "cannot be read", 2,
               "the sheet XML inside the zip is cut off")
    write_xlsx("missing_sheets.xlsx", xlsx_bytes([["Notes"], ["Nothing to see here"]], sheet="Notes", table=None),
               "no header row found", 2, "a workbook without the register sheet")
    write_xlsx("renamed_table.xlsx", xlsx_bytes(grid(GOOD), table="MySavings"), "no Excel Table named 'Savings'", 0,
               "the register's Excel Table renamed: read by its headers, with a warning")
    write_xlsx("merged_cells.xlsx", xlsx_bytes(grid(GOOD), table=None, merge=(1, col("committee"), 2, col("committee"), "Adults")),
               "are merged inside the register", 0, "merged cells across two lines of the register")
    bad = grid(GOOD)
    write_xlsx("ref_error.xlsx", xlsx_bytes(bad, cell_writer=lambda wb, ws: ws.write_formula(
        1, col("plan_q1"), "=#REF!", None, "#REF!")), "'#REF!' is a spreadsheet error", 1, "a money cell holding #REF!")
    write_xlsx("div0_error.xlsx", xlsx_bytes(bad, cell_writer=lambda wb, ws: ws.write_formula(
        2, col("forecast_q2"), "=1/0", None, "#DIV/0!")), "'#DIV/0!' is a spreadsheet error", 1,
        "a money cell holding #DIV/0!")

    def date_cell(wb, ws):
        ws.write_datetime(1, col("plan_q2"), dt.datetime(2017, 4, 1), wb.add_format({"num_format": "dd/mm/yyyy"}))
    write_xlsx("date_in_money.xlsx", xlsx_bytes(bad, cell_writer=date_cell), "is a date or time, not an amount", 1,
               "a date typed into a money column")
    write_xlsx("bool_in_money.xlsx", xlsx_bytes(bad, cell_writer=lambda wb, ws: ws.write_boolean(
        3, col("plan_q3"), True)), "is a true/false value, not an amount", 1, "TRUE in a money column")
    write_xlsx("bad_settings_sheet.xlsx", xlsx_bytes(grid(GOOD), extra_sheets={
        "Settings": [["Setting", "Value"], ["unit", "dollars"]]}), "unit 'dollars' is not one of", 2,
        "a Settings sheet with a unit the tool does not know")
    write_xlsx("huge_number.xlsx", xlsx_bytes(bad, cell_writer=lambda wb, ws: ws.write_number(
        1, col("plan_q4"), 1e308)), "too large to be an amount", 1, "1e308 stored as a number")

    # CSV: encodings and delimiters
    (OUT / "bom.csv").write_bytes(b"\xef\xbb\xbf" + csv_text(GOOD).encode("utf-8"))
    expect("bom.csv", "tracker register, 3 lines", 0, "UTF-8 with a byte-order mark (Excel's 'CSV UTF-8')")
    write_csv("latin1.csv", [line(title="Café provision – review", commentary="£5k saved", direction="same")],
              "read as Windows-1252", 0, "Windows-1252 / Latin-1 text", encoding="cp1252")
    write_csv("semicolons.csv", GOOD, "read with semicolons", 0, "semicolon-separated (European Excel)",
              delimiter=";")
    write_csv("tabs.tsv", GOOD, "read with tabs", 0, "tab-separated", delimiter="\t")
    (OUT / "cr_line_endings.csv").write_bytes(csv_text(GOOD).replace("\r\n", "\r").encode())
    expect("cr_line_endings.csv", "tracker register, 3 lines", 0, "old Mac line endings (CR only)")
    (OUT / "empty.csv").write_bytes(b"")
    expect("empty.csv", "the file is empty", 2, "a file of 0 bytes")
    write_csv("only_headers.csv", [], "tracker register, 0 lines", 0, "headers and no lines")
    (OUT / "binary_junk.csv").write_bytes(bytes(rnd.randrange(256) for _ in range(4096)) + b"\x00")
    expect("binary_junk.csv", "not a text CSV file", 2, "random bytes named .csv")
    (OUT / "prose.csv").write_text("Dear colleague,\nplease find the savings attached.\nRegards\n", encoding="utf-8")
    expect("prose.csv", "no header row found", 2, "text that is not a register")
    (OUT / "register.ods").write_bytes(b"PK\x03\x04 not really")
    expect("register.ods", "not a valid OpenDocument spreadsheet", 2, "a damaged .ods (read since issue 11)")
    (OUT / "register.numbers").write_bytes(b"PK\x03\x04 not really")
    expect("register.numbers", "unsupported file type .numbers", 2, "an extension the tool does not read")
    (OUT / "register").write_bytes(csv_text(GOOD).encode())
    expect("register", "unsupported file type (none)", 2, "no extension")
    (OUT / "folder.xlsx").mkdir()
    (OUT / "folder.xlsx" / "KEEP").write_text("a directory named like a workbook\n")
    expect("folder.xlsx", "is a folder", 2, "a directory")

    # columns
    write_csv("missing_column.csv", GOOD, "no 'Reference' column", 1, "the Reference column is missing",
              headers=HEADERS[1:], keys=KEYS[1:])
    write_csv("extra_column.csv", GOOD, "'Officer notes' is not a register column", 0, "an extra column",
              headers=[*HEADERS, "Officer notes"], keys=[*KEYS, "notes"])
    dup_h = [*HEADERS, "RAG"]
    write_csv("duplicated_column.csv", [dict(g, rag2="Red") for g in GOOD], "repeats column", 1,
              "the RAG column twice", headers=dup_h, keys=[*KEYS, "rag2"])
    order = list(range(len(KEYS)))
    random.Random(3).shuffle(order)
    write_csv("reordered_columns.csv", GOOD, "tracker register, 3 lines", 0, "columns in another order",
              headers=[HEADERS[i] for i in order], keys=[KEYS[i] for i in order])
    write_csv("renamed_headers.csv", GOOD, "tracker register, 3 lines", 0, "published synonyms for the headers",
              headers=["Ref", "Saving", *HEADERS[2:]])

    # cells
    write_csv("tbc_money.csv", [line(plan_q1="TBC"), *GOOD[1:]], "'TBC' is not an amount", 1, "TBC in money")
    write_csv("huge_1e308.csv", [line(plan_q1="1e308"), *GOOD[1:]], "too large to be an amount", 1, "1e308")
    write_csv("nan.csv", [line(plan_q1="NaN", forecast_q1="nan"), *GOOD[1:]], "'NaN' is not an amount", 1, "NaN")
    write_csv("infinity.csv", [line(plan_q1="inf", forecast_q1="-Infinity"), *GOOD[1:]], "'inf' is not an amount",
              1, "infinity")
    write_csv("date_text_in_money.csv", [line(plan_q1="01/04/2017"), *GOOD[1:]], "'01/04/2017' is not an amount",
              1, "a date typed into a money column of a CSV")
    write_csv("error_text_in_money.csv", [line(forecast_q3="#DIV/0!"), *GOOD[1:]], "is a spreadsheet error", 1,
              "#DIV/0! exported into a CSV")
    write_csv("rag_purple.csv", [line(rag="Purple"), *GOOD[1:]], "RAG 'Purple' is not allowed", 1, "RAG Purple")
    write_csv("direction_sideways.csv", [line(direction="sideways"), *GOOD[1:]],
              "Direction of travel 'sideways' is not allowed", 1, "unknown direction of travel")
    write_csv("duplicate_references.csv", [line("A/R.1.001"), line("a/r.1.001 ", title="Other")],
              "is used again", 1, "the same reference twice (case and spaces ignored)")
    write_csv("missing_reference.csv", [line(""), *GOOD[1:]], "every line needs a unique reference", 1,
              "a line without a reference")
    write_csv("phasing_mismatch.csv", [line(plan_total="-50"), *GOOD[1:]], "add to -40", 1,
              "a typed total that is not the sum of its phasing")
    write_csv("variance_mismatch.csv", [line(variance="7"), *GOOD[1:]], "forecast − plan is 0", 1,
              "a variance that is not forecast − plan")
    write_csv("long_comment.csv", [line(commentary="x" * 100_000), *GOOD[1:]], "has 100,000 characters", 1,
              "a 100,000-character comment (over Excel's cell limit)")
    write_csv("html_in_text.csv", [line(commentary="<p>On track</p><ul><li>item</li></ul>"), *GOOD[1:]],
              "contains HTML markup", 0, "HTML pasted from a web page")
    write_csv("formula_text.csv", [line(title='=HYPERLINK("http://example.invalid","click")',
                                        commentary="+cmd|' /C calc'!A0", partners="@SUM(1+1)"),
                                   line("-A/R.2", title="-2+3")],
              "tracker register, 2 lines", 0, "formula-like text: stays text, never a formula")
    write_csv("control_chars.csv", [line(title="Tab\there and bell\x07"), *GOOD[1:]], "tracker register, 3 lines", 0,
              "control characters inside text")
    many = [line(f"A/R.6.{n:04d}", title=f"Saving {n}", committee=("Adults", "C&YP", "Resources")[n % 3])
            for n in range(1, 5001)]
    write_csv("thousands_of_lines.csv", many, "tracker register, 5000 lines", 0, "5,000 lines")
    write_csv("subtotal_rows.csv", [*GOOD, {"reference": "", "title": "Total", "plan_q1": "-99", "plan_total": "-120",
                                            "forecast_total": "-120"}],
              "is published as '-99' but the lines add to -30", 1, "a published total row that does not add up")

    (OUT / "EXPECTED.json").write_text(json.dumps(EXPECTED, indent=1, ensure_ascii=False, sort_keys=True) + "\n",
                                       encoding="utf-8")
    return EXPECTED


# ---- crafted binaries -------------------------------------------------------------------------------
def zip_bomb() -> bytes:
    """A tiny zip whose headers claim one part expands to 3 GB. Nothing is ever compressed to that size: the
    declared sizes are written into the headers, which is all a guard that checks before expanding can see."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name in ("[Content_Types].xml", "xl/workbook.xml"):
            info = zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0))
            z.writestr(info, "<x/>", zipfile.ZIP_DEFLATED)
        info = zipfile.ZipInfo("xl/worksheets/sheet1.xml", (1980, 1, 1, 0, 0, 0))
        z.writestr(info, b"<" + b"a" * 10_000 + b"/>", zipfile.ZIP_DEFLATED)
    data = bytearray(buf.getvalue())
    declared = 3 * 1024 ** 3 - 1      # under 4 GiB: fits the 32-bit field without zip64
    # patch the uncompressed size in the central directory entry and the local header of sheet1.xml
    name = b"xl/worksheets/sheet1.xml"
    cd = data.rfind(b"PK\x01\x02" + data[data.rfind(b"PK\x01\x02") + 4:data.rfind(b"PK\x01\x02") + 6])
    pos = 0
    while True:
        pos = data.find(b"PK\x01\x02", pos)
        if pos < 0:
            break
        n = struct.unpack("<H", data[pos + 28:pos + 30])[0]
        if data[pos + 46:pos + 46 + n] == name:
            struct.pack_into("<I", data, pos + 24, declared)
            off = struct.unpack("<I", data[pos + 42:pos + 46])[0]
            struct.pack_into("<I", data, off + 22, declared)
        pos += 4
    del cd
    return bytes(data)


def minimal_cfb(stream_name: bytes) -> bytes:
    """A minimal OLE/CFB compound file header (what encrypted workbooks and .xls files are): the magic, a
    version-3 header and one sector; enough for any reader that checks the signature."""
    header = bytearray(512)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<I", header, 48, 1)           # first directory sector
    struct.pack_into("<I", header, 60, 0xFFFFFFFE)   # no mini FAT
    struct.pack_into("<I", header, 68, 0xFFFFFFFE)   # no DIFAT
    for i in range(109):
        struct.pack_into("<I", header, 76 + 4 * i, 0xFFFFFFFF)
    struct.pack_into("<I", header, 76, 0)
    fat = bytearray(b"\xff" * 512)
    struct.pack_into("<III", fat, 0, 0xFFFFFFFD, 0xFFFFFFFE, 0xFFFFFFFE)
    dirs = bytearray(512)
    name = "Root Entry".encode("utf-16-le") + b"\x00\x00"
    dirs[0:len(name)] = name
    struct.pack_into("<HBB", dirs, 64, len(name), 5, 1)
    entry = stream_name.decode().encode("utf-16-le") + b"\x00\x00"
    dirs[128:128 + len(entry)] = entry
    struct.pack_into("<HBB", dirs, 128 + 64, len(entry), 2, 1)
    return bytes(header + fat + dirs)


def encrypted(plain: bytes) -> bytes:
    """The workbook encrypted with the password 'secret' by msoffcrypto-tool when it is installed (a real
    Agile-encrypted OLE file), else a minimal CFB file holding an EncryptedPackage stream."""
    try:
        from msoffcrypto.format.ooxml import OOXMLFile
    except ImportError:
        return minimal_cfb(b"EncryptedPackage")
    src, out = io.BytesIO(plain), io.BytesIO()
    OOXMLFile(src).encrypt("secret", out)
    data = out.getvalue()
    if not data.startswith(b"\xd0\xcf\x11\xe0"):
        return minimal_cfb(b"EncryptedPackage")
    return data


def damage_sheet(good: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as zin, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zout:
        for i in zin.infolist():
            data = zin.read(i)
            if i.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]
            zout.writestr(i, data)
    return buf.getvalue()


if __name__ == "__main__":
    result = make()
    print(f"wrote {len(result)} files to {OUT}")
