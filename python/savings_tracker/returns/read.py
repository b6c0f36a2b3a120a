"""Return files to returns: the product's own return workbooks and organisations' own spreadsheets.

Every format is read into grids (rows of cell values) without changing the file: .xlsx/.xlsm and .csv through
``readers.grids`` (the product's guarded readers), .ods and .xls through python-calamine. An organisation's
own return is recognised by its headers, in either orientation:

* years as rows:    Year | Baseline £ | Target % | Planned efficiencies £ | Forecast RAG
* years as columns: a header row of years (2009/10, 2010-11, ...) and rows labelled Baseline, Target %,
                    Planned efficiencies, Forecast RAG

Amounts are read in the unit their header names (£, £000, £m) and held in pounds. The organisation is the
value of a labelled cell above the table ("Organisation", "Organisation:", "Partner"), else an
"Organisation" column (one file may then hold several organisations), else the file's name.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from ..errors import UnreadableFile
from ..core.money import UNITS, MoneyError, accepted, parse_money
from .. import cells
from ..core import schema
from .findings import ERROR, WARNING, ReturnFinding
from .names import clean_name
from .partnership import OrgReturn, YearReturn, year_label

INFO_SHEET = "Return info"           # the hidden sheet of the product's own returns
RETURN_SHEET = "Return"
SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".csv")
FIELDS = ("baseline", "target_pct", "target", "planned", "rag")


@dataclass
class ReturnFile:
    """A file in the returns folder, read once."""
    path: Path
    grids: dict[str, list[list]] = field(default_factory=dict)
    info: dict[str, str] = field(default_factory=dict)      # the product's own return: its Return info keys
    received: dt.datetime | None = None

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def kind(self) -> str:
        return self.info.get("kind", "")


def a1(row0: int, col0: int) -> str:
    return cells.address(row0 + 1, col0 + 1)


def load(path: Path) -> ReturnFile:
    """Read every sheet of a return file (read-only). Raises ``UnreadableFile`` with one clear line."""
    from ..readers import grids as g

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise UnreadableFile(f"{path.name}: not a return file; accepted: {', '.join(SUFFIXES)}")
    # the register's reader reads every format a return comes in (.xlsx, .xlsm, .xls, .ods, .csv)
    sheets = {name: grid.rows for name, grid in g.load(path).grids.items()}
    rf = ReturnFile(path, sheets, received=dt.datetime.fromtimestamp(path.stat().st_mtime).replace(microsecond=0))
    if INFO_SHEET in sheets:
        rf.info = info_values(sheets[INFO_SHEET])
    return rf


def info_values(rows) -> dict[str, str]:
    out = {}
    for r in rows:
        if not r or r[0] in (None, ""):
            break          # the key/value block ends at the first blank row
        out[str(r[0]).strip()] = "" if len(r) < 2 or r[1] is None else str(r[1]).strip()
    return out


def text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


# ---- headers --------------------------------------------------------------------------------------------
_ORG_LABEL = re.compile(r"^\s*(?:name of )?(organi[sz]ation|partner|authority|body)\b(\s+name)?"
                        r"\s*(?:[:\-–]\s*(.*))?$", re.I)


def classify(value) -> str | None:
    """What a header (or a row label) of a partnership return holds."""
    t = re.sub(r"\s+", " ", text(value).casefold())
    if not t:
        return None
    if re.fullmatch(r"(name of )?(organi[sz]ation|partner|authority|body)( name)?", t):
        return "organisation"
    if re.fullmatch(r"(financial )?years?|fy", t):
        return "year"
    if re.search(r"\brag\b|status", t) or (t.startswith("forecast") and not re.search(r"efficien|saving|£", t)):
        return "rag"
    if "target" in t:
        if re.search(r"%|percent|pct|rate|share", t):
            return "target_pct"
        if re.search(r"£|amount|value|cash|000", t):
            return "target"
        return "target_pct"
    if "baseline" in t:
        return "baseline"
    if re.search(r"plan|efficien|saving", t):
        return "planned"
    return None


def unit_of(header) -> str:
    t = text(header).casefold().replace("’", "'")
    if re.search(r"£\s*'?000|£k\b|\(000\)|£000s|thousands", t):
        return "£000"
    if re.search(r"£\s*'?m\b|£million|millions", t):
        return "£m"
    return "£"


# ---- values -----------------------------------------------------------------------------------------------
def blank(v) -> bool:
    return v is None or (isinstance(v, str) and v.strip() in ("", "-", "–"))


def money(v, unit: str, where: tuple[str, str, str], findings: list, what: str) -> Decimal | None:
    if blank(v):
        return None
    try:
        return parse_money(v, unit) * UNITS[unit]
    except MoneyError as exc:
        findings.append(ReturnFinding(ERROR, "money-invalid", f"{what}: {exc}; accepted: {accepted(unit)} "
                                      f"(in {unit}). The year is not counted", *where, value=v))
        return None


def percent(v, where, findings) -> Decimal | None:
    if blank(v):
        return None
    raw = text(v)
    had_sign = raw.endswith("%")
    try:
        d = parse_money(raw.rstrip("%").strip() if isinstance(v, str) else v, "£")
    except MoneyError:
        findings.append(ReturnFinding(ERROR, "percent-invalid", f"target % {raw!r} is not a percentage; accepted: "
                                      "3.4, 3.4% or 0.034 (a cell formatted as %)", *where, value=v))
        return None
    # a cell formatted as a percentage holds a fraction (3.4% is 0.034)
    return d * 100 if not had_sign and 0 < abs(d) < 1 else d


def rag(v, where, findings) -> str | None:
    if blank(v):
        return None
    got = schema.RAG_SYNONYMS.get(text(v).casefold())
    if got is None:
        findings.append(ReturnFinding(ERROR, "rag-invalid", f"forecast RAG {text(v)!r} is not Red, Amber or Green "
                                      "(R/A/G accepted); the year's RAG is not counted", *where, value=v))
    return got


# ---- partnership returns ------------------------------------------------------------------------------
def _org_label(rows) -> tuple[str, str] | None:
    """The organisation named in a labelled cell above the table: (name, cell)."""
    for ri, row in enumerate(rows[:40]):
        for ci, v in enumerate(row):
            m = _ORG_LABEL.match(text(v)) if isinstance(v, str) else None
            if not m:
                continue
            if (m.group(3) or "").strip():
                return clean_name(m.group(3)), a1(ri, ci)
            for cj in range(ci + 1, len(row)):
                if not blank(row[cj]):
                    return clean_name(text(row[cj])), a1(ri, cj)
    return None


def name_from_file(path: Path) -> str:
    """'Oadby_&_Wigston NI179 return 2009.csv' -> 'Oadby & Wigston'."""
    stem = re.sub(r"[_\-.]+", " ", path.stem)
    stem = re.sub(r"\b(ni\s*179|efficiency|efficiencies|returns?|forecasts?|final|copy|draft|v\d+|"
                  r"(?:19|20)\d\d(?:\s*\d\d)?)\b", " ", stem, flags=re.I)
    return clean_name(stem)


def partnership_returns(rf: ReturnFile, findings: list[ReturnFinding]) -> list[OrgReturn]:
    """Every organisation's return in the file (usually one); none when no sheet has a recognisable table."""
    out: list[OrgReturn] = []
    for sheet, rows in rf.grids.items():
        if sheet == INFO_SHEET:
            continue
        found = _by_rows(rf, sheet, rows, findings)
        if found is None:
            found = _by_columns(rf, sheet, rows, findings)
        if found:
            out.extend(found)
            break                   # one table per file: the first sheet that has one
    return out


def _named(rf: ReturnFile, sheet: str, rows) -> tuple[str, str]:
    label = _org_label(rows)
    if label:
        return label[0], f"cell {label[1]}"
    return name_from_file(rf.path), "file name"


def _by_rows(rf, sheet, rows, findings) -> list[OrgReturn] | None:
    for hr, row in enumerate(rows[:60]):
        kinds = {classify(v): ci for ci, v in reversed(list(enumerate(row))) if classify(v)}
        if "year" not in kinds or not ({"planned", "rag", "baseline"} & set(kinds)):
            continue
        units = {k: unit_of(row[ci]) for k, ci in kinds.items()}
        orgs: dict[str, OrgReturn] = {}
        default_name, named_by = _named(rf, sheet, rows[:hr])
        for ri in range(hr + 1, len(rows)):
            r = rows[ri] + [None] * (len(row) - len(rows[ri]))
            year = year_label(r[kinds["year"]])
            if year is None:
                if all(blank(v) for v in r):
                    continue
                if text(r[kinds["year"]]).casefold().startswith("total"):
                    continue        # a total row the organisation added: the tool adds up itself
                findings.append(ReturnFinding(WARNING, "year-unrecognised",
                                              f"row {ri + 1} is not read: {text(r[kinds['year']])!r} is not a "
                                              "financial year such as 2009/10", rf.name, sheet,
                                              a1(ri, kinds["year"]), r[kinds["year"]]))
                continue
            if "organisation" in kinds and not blank(r[kinds["organisation"]]):
                name, by = clean_name(text(r[kinds["organisation"]])), f"cell {a1(ri, kinds['organisation'])}"
            else:
                name, by = default_name, named_by
            org = orgs.setdefault(name.casefold(), OrgReturn(name, rf.name, sheet, rf.received, named_by=by))
            org.years[year] = _year(rf, sheet, {k: (r[ci], a1(ri, ci)) for k, ci in kinds.items()}, units,
                                    year, findings)
        result = list(orgs.values())
        for o in result:
            _settle_baseline(o)
        return result
    return None


def _by_columns(rf, sheet, rows, findings) -> list[OrgReturn] | None:
    for hr, row in enumerate(rows[:60]):
        cols = {ci: year_label(v) for ci, v in enumerate(row) if year_label(v)}
        if not cols:
            continue
        first = min(cols)
        by_year: dict[str, dict[str, tuple]] = {y: {} for y in cols.values()}
        units = {}
        for ri in range(hr + 1, min(len(rows), hr + 30)):
            r = rows[ri]
            label = next((v for v in r[:first] if not blank(v)), None)
            kind = classify(label)
            if kind not in FIELDS or kind in units:
                continue
            units[kind] = unit_of(label)
            for ci, y in cols.items():
                by_year[y][kind] = (r[ci] if ci < len(r) else None, a1(ri, ci))
        if not ({"planned", "rag"} & set(units)):
            continue
        name, named_by = _named(rf, sheet, rows[:hr])
        org = OrgReturn(name, rf.name, sheet, rf.received, named_by=named_by)
        for y, got in by_year.items():
            org.years[y] = _year(rf, sheet, got, units, y, findings)
        _settle_baseline(org)
        return [org]
    return None


def _year(rf, sheet, got: dict, units: dict, year: str, findings) -> YearReturn:
    def where(k):
        return rf.name, sheet, got[k][1]

    y = YearReturn()
    if "baseline" in got:
        y.baseline = money(got["baseline"][0], units["baseline"], where("baseline"), findings, f"{year} baseline")
    if "target_pct" in got:
        y.target_pct = percent(got["target_pct"][0], where("target_pct"), findings)
    if "planned" in got:
        y.planned = money(got["planned"][0], units["planned"], where("planned"), findings,
                          f"{year} planned efficiencies")
    if "rag" in got:
        y.rag = rag(got["rag"][0], where("rag"), findings)
    return y


def _settle_baseline(org: OrgReturn) -> None:
    """The organisation's baseline: the one given (per year columns often repeat it or give it once)."""
    given = [y.baseline for y in org.years.values() if y.baseline is not None]
    if given:
        org.baseline = given[0]
        for y in org.years.values():
            if y.baseline is None or y.baseline == org.baseline:
                y.baseline = None       # the same for every year: held once
