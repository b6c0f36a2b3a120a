"""The bundled sample registers, extracted from the published seed papers by scripts/extract_seeds.py."""
from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent
TRACKER = "tracker_2017-18_october.csv"        # seed 003: in-year tracker, £000, savings negative
PROGRAMME = "programme_psr_2017-18.csv"         # seed 000: multi-year programme, £m, savings positive
OPTIONS = "budget_options_2018-19.csv"          # seed 002: budget option proformas, £m, savings negative
CASES = "business_cases_2017-18.csv"            # seed 001: business cases per workstream, £000, savings positive
ALL = {"tracker": TRACKER, "programme": PROGRAMME, "options": OPTIONS}
# the business cases are not in ALL: the workbook and the demo's register loop cover the three tracker layouts
EXTRA = {"cases": CASES}
SECTION_KEYS = "sections_psr_2017-18.json"     # seed 001's sections A-J against seed 000's PSR programmes


def path(name: str) -> Path:
    """A sample's path by file name or by layout (tracker, programme, options, cases)."""
    return HERE / ALL.get(name, EXTRA.get(name, name))
