"""The command line as the import tests call it: a run never ends in a traceback or an internal error (exit 3)."""
from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from savings_tracker.cli import app

runner = CliRunner()


def run(*args) -> tuple[int, str]:
    res = runner.invoke(app, [str(a) for a in args])
    assert "Traceback" not in res.output and res.exit_code != 3, res.output
    return res.exit_code, res.output


def summary_json(path: Path, *extra) -> dict:
    """`summary --format json` of ``path``, without the source file's name (so two files can be compared)."""
    code, out = run("summary", path, "--format", "json", *extra)
    assert code == 0, out
    data = json.loads(out)
    data["register"].pop("source")
    return data
