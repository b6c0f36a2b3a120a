"""Every file of tests/data/bad/ gives its expected message and exit status, never a traceback, and is left
byte-identical (regenerate the corpus with tests/data/make_bad_corpus.py)."""
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from savings_tracker import cli
from savings_tracker.readers import read_register

BAD = Path(__file__).parent / "data" / "bad"
EXPECTED = json.loads((BAD / "EXPECTED.json").read_text(encoding="utf-8"))
TRACEBACK_MARKERS = ("Traceback", "internal error", 'File "', "Error:\n")


def digest(p: Path) -> str:
    if p.is_dir():
        return "dir:" + ",".join(sorted(x.name + digest(x) for x in p.iterdir()))
    return hashlib.sha256(p.read_bytes()).hexdigest()


def test_corpus_is_complete():
    on_disk = {p.name for p in BAD.iterdir()} - {"EXPECTED.json"}
    assert on_disk == set(EXPECTED) and len(EXPECTED) >= 40


def run_cli(capsys, *args):
    code = cli.main(list(args))
    out = capsys.readouterr()
    return code, out.out + out.err


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_validate(name, capsys):
    e = EXPECTED[name]
    path = BAD / name
    before = digest(path)
    code, text = run_cli(capsys, "validate", str(path))
    assert code == e["exit"], text[:2000]
    assert e["message"] in text, text[:2000]
    assert not any(m in text for m in TRACEBACK_MARKERS), text[:2000]
    if code == 2:
        assert text.startswith("savings-tracker: ") and text.count("\n") == 1       # one clear line
    assert digest(path) == before


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_summary_and_json(name, capsys):
    e = EXPECTED[name]
    path = BAD / name
    before = digest(path)
    code, text = run_cli(capsys, "summary", str(path), "--format", "json")
    assert code == (2 if e["exit"] == 2 else 0), text[:2000]
    assert not any(m in text for m in TRACEBACK_MARKERS), text[:2000]
    if code == 2:
        assert e["message"] in text
    else:
        json.loads(text)
    code, text = run_cli(capsys, "validate", str(path), "--format", "json")
    if code != 2:
        data = json.loads(text)
        assert any(e["message"] in f["message"] for f in data["findings"]) or e["exit"] == 0
    assert digest(path) == before


def test_formula_like_text_stays_text():
    reg = read_register(BAD / "formula_text.csv")
    assert list(reg.lines["title"]) == ['=HYPERLINK("http://example.invalid","click")', "-2+3"]
    assert reg.lines["commentary"][0] == "+cmd|' /C calc'!A0" and reg.lines["partners"][0] == "@SUM(1+1)"
    assert reg.lines["reference"][1] == "-A/R.2"


@pytest.mark.parametrize("name", ["zip_bomb.xlsx", "encrypted.xlsx", "binary_junk.csv", "rag_purple.csv"])
def test_as_a_subprocess(name):
    """The installed command, as an administrator's batch job runs it."""
    env = dict(os.environ)
    env.pop("SAVINGS_TRACKER_DEBUG", None)
    p = subprocess.run([sys.executable, "-m", "savings_tracker.cli", "validate", str(BAD / name)],
                       capture_output=True, text=True, env=env, timeout=120)
    assert p.returncode == EXPECTED[name]["exit"]
    assert EXPECTED[name]["message"] in p.stdout + p.stderr and "Traceback" not in p.stderr


def test_zip_bomb_is_refused_before_expansion(monkeypatch):
    """The guard works from the declared sizes: nothing is decompressed."""
    import zipfile
    from savings_tracker.errors import UnreadableFile
    from savings_tracker.readers import grids

    def no_read(*a, **k):
        raise AssertionError("a part was expanded")
    monkeypatch.setattr(zipfile.ZipFile, "read", no_read)
    monkeypatch.setattr(zipfile.ZipFile, "open", no_read)
    with pytest.raises(UnreadableFile, match="zip bomb"):
        grids.load(BAD / "zip_bomb.xlsx")
