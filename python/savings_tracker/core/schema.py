"""Every column of a savings register, declared once.

The workbook builder, the readers, validation and the template contexts all derive their columns,
headers, types and allowed values from ``COLUMNS``; nothing else in the package spells a header.

Three layouts of register share these columns (see ``LAYOUTS``):

* ``tracker``   - the in-year tracker (seed 003): quarterly phasing, variance, RAG, direction.
* ``programme`` - the multi-year programme (seed 000): phasing by financial year, grouped by programme,
  in-year saving split into Red / Amber / Green.
* ``options``   - budget option proformas (seed 002): one record per option.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

TEXT, MONEY, NUMBER, CHOICE = "text", "money", "number", "choice"
ENTERED, COMPUTED = "entered", "computed"

@dataclass(frozen=True)
class Choices:
    """A column's allowed values, declared with the column (as pandera's ``Column(checks=...)``): the values,
    their synonyms (matched without regard to case or surrounding space), the finding code for anything else,
    the text saying what is accepted, and optionally a warning for a blank cell in some layouts. Readers
    normalise with ``normalise``; validation reports ``code``; the builder makes the dropdown from ``values``."""
    values: tuple[str, ...]
    synonyms: tuple[tuple[str, str], ...] = ()   # (spelling, value)
    code: str = ""                               # finding code for a value outside the list
    accepted: str = ""                           # what is accepted, as a message says it
    blank_code: str = ""                         # warning code for a blank cell, in ``blank_in`` layouts
    blank_in: tuple[str, ...] = ()

    @property
    def lookup(self) -> dict[str, str]:
        table = {v.lower(): v for v in self.values}
        table.update((k.lower(), v) for k, v in self.synonyms)
        return table

    def normalise(self, text: str) -> str:
        """The allowed value a spelling stands for; the text as it is (trimmed) when it is not one."""
        return self.lookup.get(str(text).strip().lower(), str(text).strip())

    def allows(self, value) -> bool:
        return value in self.values


RAG_VALUES = ("Red", "Amber", "Green")
RAG = Choices(RAG_VALUES, (("r", "Red"), ("a", "Amber"), ("g", "Green")), "rag-invalid",
              "Red, Amber or Green (any case; R, A or G)", blank_code="rag-missing", blank_in=("tracker",))
RAG_SYNONYMS = RAG.lookup
DIRECTION_VALUES = ("↑", "↔", "↓")
DIRECTION_WORDS = {"↑": "Improving", "↔": "No change", "↓": "Worsening"}
DIRECTION = Choices(DIRECTION_VALUES, (
    ("up", "↑"), ("improving", "↑"), ("improved", "↑"), ("better", "↑"), ("^", "↑"),
    ("same", "↔"), ("no change", "↔"), ("unchanged", "↔"), ("stable", "↔"), ("=", "↔"), ("<->", "↔"),
    ("down", "↓"), ("worsening", "↓"), ("worse", "↓"), ("deteriorating", "↓"), ("v", "↓"),
), "direction-invalid", "↑, ↔ or ↓ (or up, same, down)")
DIRECTION_SYNONYMS = DIRECTION.lookup
YES_NO = ("Yes", "No")
COMPLETE = Choices(YES_NO, (("y", "Yes"), ("true", "Yes"), ("complete", "Yes"), ("n", "No"), ("false", "No")),
                   "complete-invalid", "Yes or No")
YES_NO_SYNONYMS = COMPLETE.lookup

MAX_YEARS = 5  # multi-year phasing columns available per register


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    kind: str
    layouts: tuple[str, ...]
    role: str = ENTERED
    synonyms: tuple[str, ...] = ()
    choices: Choices | None = None   # allowed values, their synonyms and the finding for anything else
    required: bool = False
    money: bool = False          # shown in the register's money unit
    parts: tuple[str, ...] = ()  # for computed columns: the columns it is derived from
    help: str = ""               # input message in the workbook, tooltip in documents
    width: int = 12
    year: int = 0                # 1-based year index for multi-year columns
    layout_headers: tuple[tuple[str, str], ...] = ()  # (layout, header) where a layout names it differently
    optional_in: tuple[str, ...] = ()  # layouts where a required column may be absent

    @property
    def allowed(self) -> tuple[str, ...]:
        return self.choices.values if self.choices else ()

    def normalise(self, text: str) -> str:
        """A choice column's value as the schema spells it (synonyms and case resolved); other text trimmed."""
        return self.choices.normalise(text) if self.choices else str(text).strip()

    def required_in(self, layout: str) -> bool:
        return self.required and layout not in self.optional_in

    def header_for(self, settings=None, layout: str = "") -> str:
        """The header text users see, with the register's unit and year labels filled in."""
        layout = layout or (getattr(settings, "layout", "") if settings is not None else "")
        header = dict(self.layout_headers).get(layout, self.header)
        unit = getattr(settings, "unit", "£000") if settings is not None else "£000"
        years = list(getattr(settings, "years", []) or []) if settings is not None else []
        year = years[self.year - 1] if self.year and self.year <= len(years) else f"Year {self.year}"
        return header.format(unit=unit, year=year)


def _norm(text: str) -> str:
    """Header text reduced to words, so '  Variance from Plan £000 ' matches 'variance from plan'."""
    text = str(text).replace("\u00a0", " ").lower()
    text = re.sub(r"£\s*'?\s*(000|m|k)\b|£|\(\s*\)|'m\b|\bgbp\b", " ", text)
    text = re.sub(r"[^a-z0-9/?&]+", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def _years(prefix: str, header: str, layouts, kind=MONEY, money=True, help_="") -> list[Column]:
    return [
        Column(f"{prefix}_y{n}", header, kind, layouts, money=money, year=n, help=help_, width=11)
        for n in range(1, MAX_YEARS + 1)
    ]


T, P, O = ("tracker",), ("programme",), ("options",)
TP = ("tracker", "programme")
ALL = ("tracker", "programme", "options")

COLUMNS: tuple[Column, ...] = (
    Column("reference", "Reference", TEXT, ALL, required=True, width=12, optional_in=("programme",),
           synonyms=("ref", "reference no", "option reference", "option ref", "saving reference", "id"),
           help="Unique reference of the saving line, e.g. A/R.6.101."),
    Column("programme", "Programme", TEXT, P, width=28, synonyms=("programme name", "workstream"),
           help="Programme the line belongs to, e.g. PSR1- Most Vulnerable."),
    Column("title", "Title", TEXT, ALL, required=True, width=36, layout_headers=(("programme", "Project"),),
           synonyms=("project", "saving", "saving title", "proposal", "option title", "name"),
           help="Short title of the saving."),
    Column("description", "Description", TEXT, T, width=48, synonyms=("saving description", "detail")),
    Column("committee", "Committee", CHOICE, T, width=14, synonyms=("service committee", "policy committee"),
           help="Committee that owns the saving; choose from the Settings list."),
    Column("service", "Service Name", TEXT, O, width=30, synonyms=("service",)),
    Column("start_year", "Start Year", TEXT, O, width=10,
           synonyms=("start year", "which start year does this option relate to 2018/19 2019/20 or 2020/21")),
    Column("gross_budget", "Gross Budget {unit}", MONEY, O, money=True, synonyms=("gross budget",)),
    Column("income", "Income {unit}", MONEY, O, money=True, synonyms=("income",)),
    Column("net_budget", "Net Budget {unit}", MONEY, O, money=True, synonyms=("net budget",),
           help="Gross budget less income."),
    Column("investment", "Investment {unit}", MONEY, T, money=True, synonyms=("investment",),
           help="One-off investment needed to deliver the saving, in the register's unit."),
    *[Column(f"plan_q{q}", f"Original Phasing - Q{q}", MONEY, T, money=True, width=10,
             synonyms=(f"original phasing q{q}", f"plan q{q}", f"planned q{q}", f"q{q} plan"),
             help=f"Planned saving in quarter {q}, in the register's unit and sign.") for q in range(1, 5)],
    *_years("plan", "{year} {unit}", P, help_="Planned saving in this financial year."),
    Column("plan_total", "Original Saving", MONEY, TP, role=COMPUTED, money=True,
           parts=("plan_q1", "plan_q2", "plan_q3", "plan_q4", *(f"plan_y{n}" for n in range(1, MAX_YEARS + 1))),
           layout_headers=(("programme", "Total Saving {unit}"),),
           synonyms=("original saving", "planned saving", "plan total", "total saving", "saving target",
                     "budgeted saving", "budget planning assumption"),
           help="Sum of the original phasing."),
    *[Column(f"forecast_q{q}", f"Current Forecast Phasing - Q{q}", MONEY, T, money=True, width=10,
             synonyms=(f"current forecast phasing q{q}", f"forecast q{q}", f"q{q} forecast"),
             help=f"Forecast saving in quarter {q}, in the register's unit and sign.") for q in range(1, 5)],
    Column("forecast_total", "Forecast Saving", MONEY, T, role=COMPUTED, money=True,
           parts=("forecast_q1", "forecast_q2", "forecast_q3", "forecast_q4"),
           synonyms=("forecast saving", "forecast total", "forecast"), help="Sum of the forecast phasing."),
    Column("variance", "Variance from Plan {unit}", MONEY, T, role=COMPUTED, money=True,
           parts=("forecast_total", "plan_total"), synonyms=("variance from plan", "variance"),
           help="Forecast saving minus original saving, in the register's sign."),
    *_years("saving", "Saving {year} {unit}", O, help_="Savings target for this financial year."),
    Column("saving_total", "Saving Total {unit}", MONEY, O, role=COMPUTED, money=True,
           parts=tuple(f"saving_y{n}" for n in range(1, MAX_YEARS + 1)), synonyms=("saving total", "savings total")),
    *_years("fte", "FTE {year}", O, kind=NUMBER, money=False, help_="Change in full-time equivalent posts."),
    Column("fte_total", "FTE Total", NUMBER, O, role=COMPUTED,
           parts=tuple(f"fte_y{n}" for n in range(1, MAX_YEARS + 1)), synonyms=("fte total",)),
    Column("complete", "Saving complete?", CHOICE, T, choices=COMPLETE, width=10,
           synonyms=("saving complete", "complete", "achieved"), help="Yes once the saving is fully delivered."),
    Column("rag", "RAG", CHOICE, TP, choices=RAG, width=9,
           synonyms=("rag status", "rag rating", "status"),
           help="Officer's judgement: Red, Amber or Green (R/A/G accepted)."),
    Column("red", "Red {unit}", MONEY, P, money=True, synonyms=("red",), help="In-year saving at Red."),
    Column("amber", "Amber {unit}", MONEY, P, money=True, synonyms=("amber",), help="In-year saving at Amber."),
    Column("green", "Green {unit}", MONEY, P, money=True, synonyms=("green",), help="In-year saving at Green."),
    Column("direction", "Direction of travel", CHOICE, T, choices=DIRECTION, width=10,
           synonyms=("direction", "dot", "trend"), help="↑ improving, ↔ no change, ↓ worsening since the last snapshot."),
    Column("suggested_rag", "Suggested RAG", CHOICE, T, role=COMPUTED, choices=RAG, width=10,
           parts=("plan_total", "forecast_total", "complete"),
           help="RAG the tool suggests from the thresholds on the Settings sheet."),
    Column("commentary", "Forecast Commentary", TEXT, TP, width=50, layout_headers=(("programme", "Comments"),),
           synonyms=("forecast commentary", "comments", "commentary",
                     "comments relating to the 2017/2018 financial year")),
    Column("partners", "Links with partner organisations", TEXT, T, width=30,
           synonyms=("links with partner organisations", "partners")),
    Column("decisions", "Decisions needed to deliver the budgeted savings", TEXT, O, width=48,
           synonyms=("decisions needed", "decisions")),
    Column("impact", "Impact upon service", TEXT, O, width=48, synonyms=("impact", "impact on service")),
    Column("actions", "Actions needed to deliver the target savings", TEXT, O, width=48,
           synonyms=("actions needed", "actions")),
    Column("service_delivers", "What does this service deliver?", TEXT, O, width=48,
           synonyms=("what does this service deliver", "service description")),
)

LAYOUTS = ("tracker", "programme", "options")
BY_KEY: dict[str, Column] = {}
_SYNONYMS: dict[str, str] = {}      # normalised header text -> key (header recognition)


def declare(columns: tuple[Column, ...]) -> tuple[Column, ...]:
    """Install the columns every part of the product derives from: the package's own at import; a team (or a
    test) may declare a copy with more. Returns the columns declared before."""
    global COLUMNS
    before = COLUMNS
    COLUMNS = tuple(columns)
    BY_KEY.clear()
    BY_KEY.update((c.key, c) for c in COLUMNS)
    _SYNONYMS.clear()
    for c in COLUMNS:
        if c.year:
            continue
        for h in (c.key.replace("_", " "), c.header.replace("{unit}", ""), *c.synonyms):
            _SYNONYMS.setdefault(_norm(h), c.key)
    return before


def columns_for(layout: str, years: int = 0) -> list[Column]:
    """Columns of a layout in display order; multi-year families cut to ``years`` columns."""
    out = []
    for c in COLUMNS:
        if layout not in c.layouts:
            continue
        if c.year and c.year > max(years, 0 if layout == "tracker" else 3):
            continue
        out.append(c)
    return out


def keys_for(layout: str, years: int = 0) -> list[str]:
    return [c.key for c in columns_for(layout, years)]


def money_keys(layout: str, years: int = MAX_YEARS) -> list[str]:
    return [c.key for c in columns_for(layout, years) if c.kind == MONEY]


def phasing_keys(total_key: str, present: Iterable[str]) -> list[str]:
    """The parts of a computed total that a register actually has."""
    present = set(present)
    return [k for k in BY_KEY[total_key].parts if k in present]


# ---- header recognition ------------------------------------------------------------------------
_YEAR = re.compile(r"(20\d\d)\s*[/-]\s*(\d\d)(?!\d)")


def match_header(text) -> tuple[str, str] | None:
    """Recognise a header cell. Returns (key, year label) for year columns, (key, '') otherwise."""
    if text is None:
        return None
    raw = str(text).strip()
    if not raw:
        return None
    n = _norm(raw)
    year = _YEAR.search(raw)
    if n in _SYNONYMS:
        return _SYNONYMS[n], ""
    if year:
        label = f"{year.group(1)}/{year.group(2)}"
        rest = _norm(_YEAR.sub(" ", raw))
        if rest.startswith("fte"):
            return "fte_y", label
        if rest.startswith("sav"):
            return "saving_y", label
        if rest in ("", "plan", "phasing", "planned", "project phasing"):
            return "plan_y", label
        # "Investment 17-18 £000", "Original Saving 17-18" are in-year columns named with the year
        if rest in _SYNONYMS:
            return _SYNONYMS[rest], ""
    short = _norm(re.sub(r"\b(?:20)?\d\d\s*[-/]\s*\d\d\b", " ", raw))
    if short in _SYNONYMS:
        return _SYNONYMS[short], ""
    return None


# ---- where each layout lives in the Savings_Tracker workbook ---------------------------------------
TABLE_NAMES = {"tracker": "Savings", "programme": "Programme", "options": "Options"}
SHEET_NAMES = {"tracker": "Tracker", "programme": "Programme", "options": "Options", "summary": "Summary",
               "checks": "Checks", "history": "History", "settings": "Settings", "conf": "xlwings.conf"}

declare(COLUMNS)
