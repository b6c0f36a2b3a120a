"""Large sheets are edited a slice of rows at a time (xlsx_slices): the result must be the workbook the
whole-sheet edit gives. Forced here on the sample workbook with tiny slices (every sheet sliced, batches of 7
rows), through the real commands, with the text path (xlsx.stream, compared in test_xlsx_stream) off."""
from lxml import etree

from savings_tracker import cli
from savings_tracker.xlsx import slices as xlsx_slices
from savings_tracker.xlsx import stream
from savings_tracker.readers import read_register
from savings_tracker.xlsx.apply import patch_workbook
from savings_tracker.xlsx.package import read_parts

from test_headless import built  # noqa: F401  (the sample workbook with a user's sheet)

M = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def canonical(xml: bytes) -> bytes:
    """The sheet as XML with insignificant differences (whitespace between rows) removed."""
    root = etree.fromstring(xml, etree.XMLParser(remove_blank_text=True))
    return etree.tostring(root, method="c14n")


def run_commands(path, monkeypatch, sliced: bool):
    cut = []
    monkeypatch.setattr(stream, "ENABLED", False)
    if sliced:
        monkeypatch.setattr(xlsx_slices, "SLICE_ABOVE", 0)
        monkeypatch.setattr(xlsx_slices, "BATCH_ROWS", 7)
        real = xlsx_slices.reduce
        monkeypatch.setattr(xlsx_slices, "reduce", lambda *a, **k: cut.append(1) or real(*a, **k))
    else:
        monkeypatch.setattr(xlsx_slices, "SLICE_ABOVE", 10 ** 12)
    reg = read_register(path)
    fixed = path.with_name("typed.xlsm")
    # a typed-over total, a broken RAG and a new committee: formulas restored, marks, Summary rows inserted
    patch_workbook(path, fixed, {reg.source.sheet: {"J9": 12345, "R20": "Purple", "D30": "Public Health",
                                                    "D31": "Economy", "D32": "Housing"}})
    fixed.replace(path)
    outs = []
    for args in (["refresh", str(path)], ["snapshot", str(path), "--period", "October 2017"],
                 ["refresh", str(path)]):
        outs.append(cli.main([*args, "--backups", "0"]))
    return outs, read_parts(path), len(cut)


def test_sliced_edits_give_the_same_workbook(built, tmp_path, monkeypatch):
    results = {}
    for sliced in (False, True):
        d = tmp_path / str(sliced)
        d.mkdir()
        p = d / "Savings_Tracker.xlsm"
        p.write_bytes(built)
        with monkeypatch.context() as mp:
            results[sliced] = run_commands(p, mp, sliced)
    (codes_whole, whole, _), (codes_sliced, sliced, slices) = results[False], results[True]
    assert slices > 20                                   # the sliced run did cut the sheets into batches
    assert codes_whole == codes_sliced and codes_whole[1] == 0
    assert list(whole) == list(sliced)
    for name in whole:
        if name.startswith("xl/worksheets/sheet"):
            assert canonical(whole[name]) == canonical(sliced[name]), name
        else:
            assert whole[name] == sliced[name], name


def test_reduce_keeps_untouched_rows_byte_for_byte():
    rows = "".join(f'<row r="{r}" spans="1:2"><c r="A{r}"><v>{r}</v></c><c r="B{r}" t="inlineStr"><is><t> x{r} '
                   f'</t></is></c></row>' for r in range(1, 40))
    xml = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{M[1:-1]}">'
           f'<dimension ref="A1:B39"/><sheetData>{rows}</sheetData></worksheet>').encode()
    small = xlsx_slices.reduce(xml, {5, 6}, above=0)
    assert small.xml.count(b"<row ") == 2
    edited = small.xml.replace(b"<v>5</v>", b"<v>500</v>").replace(b'<dimension ref="A1:B39"/>',
                                                                   b'<dimension ref="A5:B6"/>')
    out = small.join(edited)
    assert out == xml.replace(b"<v>5</v>", b"<v>500</v>")       # rows back in order, dimension widened again
    shared = xml.replace(b'<c r="A10"><v>10</v>', b'<c r="A10"><f t="shared" ref="A10:A30" si="0">1</f><v>10</v>') \
        .replace(b'<c r="A30"><v>30</v>', b'<c r="A30"><f t="shared" si="0"/><v>30</v>')
    assert {r for r in xlsx_slices.reduce(shared, {30}, above=0).wanted} == {10, 30}
    assert xlsx_slices.reduce(xml, {5}) is None                  # a small sheet is parsed whole
    assert xlsx_slices.reduce(xml.replace(b'<row r="7" ', b"<row "), {5}, above=0) is None
