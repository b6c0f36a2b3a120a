"""The command line: help everywhere, exit codes, JSON shapes, one-line errors."""
import json
import subprocess
import sys

import pytest

from savings_tracker.cli import app, main


def commands():
    import typer.main
    return sorted(typer.main.get_command(app).commands)


def test_every_command_has_help(capsys):
    names = commands()
    assert {"demo", "validate", "summary"} <= set(names)
    for name in names:
        assert main([name, "--help"]) == 0
        out = capsys.readouterr().out
        assert "Usage:" in out and name in out


def test_validate_exit_codes(sample_paths, write_tracker, tmp_path, capsys):
    from conftest import tracker_line
    assert main(["validate", str(write_tracker([tracker_line()]))]) == 0
    assert main(["validate", str(sample_paths["programme"])]) == 1
    bad = tmp_path / "x.xlsx"
    bad.write_bytes(b"not a zip at all")
    assert main(["validate", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "x.xlsx: not a valid Excel workbook" in err and "Traceback" not in err


def test_validate_json_shape(sample_paths, capsys):
    assert main(["validate", str(sample_paths["tracker"]), "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"findings", "summary"}
    f = data["findings"][0]
    assert set(f) == {"severity", "sheet", "cell", "reference", "code", "message"}
    assert data["summary"]["errors"] == 1


@pytest.mark.parametrize("content,expect", [
    (b"", "the file is empty"),
    (b"a,b,c\n1,2,3\n", "no header row found"),
])
def test_unusable_csv_gets_one_line(tmp_path, capsys, content, expect):
    p = tmp_path / "r.csv"
    p.write_bytes(content)
    assert main(["summary", str(p)]) == 2
    err = capsys.readouterr().err.strip()
    assert expect in err and len(err.splitlines()) == 1


def test_console_script_runs_without_traceback(sample_paths):
    r = subprocess.run([sys.executable, "-m", "savings_tracker.cli", "summary", str(sample_paths["options"])],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "Saving Total £m" in r.stdout and "-41.708" in r.stdout
