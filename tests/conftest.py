import csv
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
try:
    import savings_tracker  # noqa: F401  (is the package installed?)
except ModuleNotFoundError:  # running from a checkout without `pip install -e .`
    sys.path.insert(0, str(ROOT / "python"))

from savings_tracker import samples  # noqa: E402
from savings_tracker.core.schema import columns_for  # noqa: E402

TRACKER_HEADERS = [c.header_for(None, "tracker") for c in columns_for("tracker") if c.key != "suggested_rag"]
TRACKER_KEYS = [c.key for c in columns_for("tracker") if c.key != "suggested_rag"]


def tracker_line(**over):
    """One good tracker line (£000, savings negative); override any key."""
    line = {"reference": "A/R.1.001", "title": "Review of contracts", "description": "Retender", "committee": "Adults",
            "investment": "0", "plan_q1": "-10", "plan_q2": "-10", "plan_q3": "-10", "plan_q4": "-10",
            "plan_total": "-40", "forecast_q1": "-10", "forecast_q2": "-10", "forecast_q3": "-10",
            "forecast_q4": "-10", "forecast_total": "-40", "variance": "0", "complete": "No", "rag": "Green",
            "direction": "↔", "commentary": "On track", "partners": ""}
    line.update(over)
    return line


@pytest.fixture
def write_tracker(tmp_path):
    """Write lines as a published-layout tracker CSV with a settings sidecar; returns the path."""
    def _write(lines, name="register.csv", settings=None, headers=None):
        path = tmp_path / name
        with path.open("w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(headers or TRACKER_HEADERS)
            for line in lines:
                w.writerow([line.get(k, "") for k in TRACKER_KEYS])
        side = {"organisation": "Test Council", "unit": "£000", "sign": "negative", "layout": "tracker",
                "period": "October 2017", "financial_year": "2017-18"}
        side.update(settings or {})
        path.with_name(path.stem + ".settings.json").write_text(json.dumps(side), encoding="utf-8")
        return path
    return _write


@pytest.fixture(scope="session")
def sample_paths():
    return {k: samples.path(k) for k in samples.ALL}
