#!/usr/bin/env python3
"""Extract the bundled sample registers from the seed documents.

Reads the tab-separated text extracts in ``tests/data/seeds`` (the repository's copy of ``shared/seeds``) and writes three
sample registers (CSV + ``.settings.json`` sidecar) into
``python/savings_tracker/samples``:

* seed 003 -> ``tracker_2017-18_october.csv``   (in-year tracker, £000)
* seed 000 -> ``programme_psr_2017-18.csv``     (programme phasing, £m)
* seed 002 -> ``budget_options_2018-19.csv``    (budget option proformas, £m)
* seed 001 -> ``business_cases_2017-18.csv``    (business cases per workstream, £000), and
  ``sections_psr_2017-18.json``: seed 001's sections A-J against seed 000's PSR programmes, derived from both

Cell text is kept as published (``"-2,307"``, ``"-"``, ``"£0.083m"``):
normalisation is the reader's job. Arithmetic slips in the seeds are NOT
fixed; the product must detect them.

Usage::

    python scripts/extract_seeds.py [--seeds DIR] [--out DIR] [--check]

``--check`` regenerates in memory and exits 1 if any output file would change
(or is missing). Standard library only.
"""
from __future__ import annotations

import argparse
import csv
import html
import io
import json
import re
import sys
from decimal import Decimal, InvalidOperation
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SEEDS = REPO / "tests" / "data" / "seeds"      # a copy of the seed papers it reads (000-003)
DEFAULT_OUT = REPO / "python" / "savings_tracker" / "samples"


class ExtractError(Exception):
    """The seed does not have the shape this extractor expects."""


def check(cond: bool, msg: str) -> None:
    if not cond:
        raise ExtractError(msg)


# --------------------------------------------------------------------------- io
def read_seed(seeds: Path, prefix: str) -> tuple[str, list[str]]:
    matches = sorted(seeds.glob(f"{prefix}_*.txt"))
    check(len(matches) == 1, f"expected exactly one {prefix}_*.txt in {seeds}, found {len(matches)}")
    text = matches[0].read_text(encoding="utf-8")
    check("\r" not in text, f"{matches[0].name}: unexpected carriage return")
    if text.startswith("\ufeff"):
        text = text[1:]
    return matches[0].name, text.split("\n")


def csv_bytes(header: list[str], rows: list[list[str]]) -> bytes:
    buf = io.StringIO(newline="")
    w = csv.writer(buf, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
    w.writerow(header)
    for r in rows:
        check(len(r) == len(header), f"row width {len(r)} != {len(header)}: {r[:2]}")
        w.writerow(r)
    return buf.getvalue().encode("utf-8")


def json_bytes(obj: dict) -> bytes:
    return (json.dumps(obj, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def num(s: str) -> Decimal | None:
    """Published figure -> Decimal, for the consistency report only."""
    t = s.strip().replace(",", "").replace("£", "").replace("m", "")
    if t in ("", "-"):
        return Decimal(0)
    try:
        return Decimal(t)
    except InvalidOperation:
        return None


# ---------------------------------------------------------------- seed 003
TRACKER_WIDTH = 21
TRACKER_TOTAL_KEYS = [
    "investment", "plan_q1", "plan_q2", "plan_q3", "plan_q4", "plan_total",
    "forecast_q1", "forecast_q2", "forecast_q3", "forecast_q4", "forecast_total", "variance",
]
TRACKER_REF = re.compile(r"^[A-Z]/R\.\d+\.\d{3}$")


def extract_tracker(seeds: Path) -> dict[str, bytes]:
    name, lines = read_seed(seeds, "003")
    text = "\n".join(lines)
    organisation = ("Cambridgeshire County Council" if "Cambridgeshire County Council" in text
                    else "A county council")
    check(any(l.strip() == "Appendix 3 - Savings Tracker 2017-18 as at October 2017" for l in lines),
          f"{name}: title line not found")

    header: list[str] | None = None
    band: list[str] | None = None
    totals: list[str] | None = None
    rows: list[list[str]] = []
    pages = 0
    prev_kind = None
    for no, line in enumerate(lines, 1):
        if "\t" not in line:
            check(line.strip() == "" or line.startswith("Appendix 3"), f"{name}:{no}: unexpected line {line[:60]!r}")
            prev_kind = None
            continue
        fields = line.split("\t")
        extra = fields[TRACKER_WIDTH:]
        check(all(f == "" for f in extra), f"{name}:{no}: non-empty field beyond column {TRACKER_WIDTH}: {extra!r}")
        fields = fields[:TRACKER_WIDTH]
        check(len(fields) == TRACKER_WIDTH, f"{name}:{no}: {len(fields)} fields, expected {TRACKER_WIDTH}")
        if fields[0] == "" and "Planned" in line:  # band row
            kind = "band"
            # the PDF text layer places band/totals cells at varying columns
            # per page, so compare the sequence of non-empty cells
            vals = [f for f in fields if f]
            if band is None:
                band = vals
            check(vals == band, f"{name}:{no}: band row differs from first page: {vals} vs {band}")
            pages += 1
        elif fields[0] == "" and prev_kind == "band":  # header-totals row
            kind = "totals"
            vals = [f for f in fields if f]
            check(len(vals) == len(TRACKER_TOTAL_KEYS), f"{name}:{no}: {len(vals)} header totals, expected 12")
            if totals is None:
                totals = vals
            check(vals == totals, f"{name}:{no}: header totals differ from first page: {vals} vs {totals}")
        elif fields[0] == "Reference":
            kind = "header"
            check(prev_kind == "totals", f"{name}:{no}: header row not preceded by totals row")
            if header is None:
                header = fields
            check(fields == header, f"{name}:{no}: header row differs from first page")
        else:
            kind = "line"
            check(header is not None, f"{name}:{no}: data before header")
            check(bool(TRACKER_REF.match(fields[0])), f"{name}:{no}: unexpected reference {fields[0]!r}")
            rows.append(fields)
        prev_kind = kind
    check(header is not None and totals is not None, f"{name}: header/totals row not found")
    check(len(rows) == 67, f"{name}: expected 67 saving lines, found {len(rows)}")
    refs = [r[0] for r in rows]
    check(len(set(refs)) == len(refs), f"{name}: duplicate references")
    check(band == ["Planned £000", "Forecast £000"], f"{name}: unexpected band row {band}")
    published = dict(zip(TRACKER_TOTAL_KEYS, totals))

    settings = {
        "organisation": organisation,
        "title": "Savings Tracker 2017-18",
        "appendix_label": "Appendix 3",
        "financial_year": "2017-18",
        "period": "October 2017",
        "unit": "£000",
        "sign": "negative",
        "layout": "tracker",
        "source": "seed 003",
        "published_totals": published,
    }
    print(f"tracker: {len(rows)} lines over {pages} pages ({name})")
    return {
        "tracker_2017-18_october.csv": csv_bytes(header, rows),
        "tracker_2017-18_october.settings.json": json_bytes(settings),
    }


# ---------------------------------------------------------------- seed 000
PROGRAMME_HEADER = [
    "Project", "2017/18 £'m", "2018/19 £'m", "2019/20 £'m", "Total Saving (£ 'm)",
    "Red £'m", "Amber £'m", "Green £'m", "Comments Relating to the 2017/2018 Financial Year",
]


def clean_000(s: str) -> str:
    return html.unescape(s.replace("<b>", "").replace("</b>", ""))


def extract_programme(seeds: Path) -> dict[str, bytes]:
    name, lines = read_seed(seeds, "000")
    _, lines001 = read_seed(seeds, "001")
    both = "\n".join(lines) + "\n" + "\n".join(lines001)
    organisation = "Sefton Council" if "Sefton Council" in both else "A metropolitan borough council"

    title = "Analysis of 2017/18 Public Sector Reform Savings"
    check(any(title in l for l in lines), f"{name}: title not found")
    tab_lines = [(no, l) for no, l in enumerate(lines, 1) if "\t" in l]
    # two published header rows
    (n1, h1), (n2, h2) = tab_lines[0], tab_lines[1]
    h1f, h2f = h1.split("\t"), h2.split("\t")
    check(len(h1f) == 9 and len(h2f) == 9, f"{name}:{n1}: header width")
    check(h2f[1:4] == PROGRAMME_HEADER[1:4] and h2f[5:8] == PROGRAMME_HEADER[5:8],
          f"{name}:{n2}: unexpected sub-header {h2f}")
    check(h1f[4] == PROGRAMME_HEADER[4] and h1f[8] == PROGRAMME_HEADER[8],
          f"{name}:{n1}: unexpected header {h1f}")

    rows: list[list[str]] = []
    legend: dict[str, str] = {}
    kinds = {"heading": 0, "line": 0, "subtotal": 0, "total": 0}
    done = False
    for no, line in tab_lines[2:]:
        fields = [clean_000(f) for f in line.split("\t")]
        if done:
            check(len(fields) == 2 and fields[1] in ("Red", "Amber", "Green"),
                  f"{name}:{no}: unexpected line after total {fields}")
            legend[fields[1]] = fields[0].strip()
            continue
        check(len(fields) == 9, f"{name}:{no}: {len(fields)} fields, expected 9")
        if fields[0] and all(f == "" for f in fields[1:]):
            kinds["heading"] += 1
        elif fields[0] == "":
            kinds["subtotal"] += 1
        elif fields[0] == "Total PSR":
            kinds["total"] += 1
            done = True
        else:
            kinds["line"] += 1
        rows.append(fields)
    check(kinds["total"] == 1, f"{name}: 'Total PSR' row not found")
    check(kinds["heading"] == kinds["subtotal"], f"{name}: {kinds['heading']} headings vs {kinds['subtotal']} subtotals")
    check(set(legend) == {"Red", "Amber", "Green"}, f"{name}: RAG legend incomplete: {legend}")

    settings = {
        "organisation": organisation,
        "title": title,
        "financial_year": "2017-18",
        "period": "2017/18",
        "unit": "£m",
        "sign": "positive",
        "layout": "programme",
        "years": ["2017/18", "2018/19", "2019/20"],
        "source": "seed 000",
        "rag_definitions": {k: legend[k] for k in ("Red", "Amber", "Green")},
    }
    print(f"programme: {len(rows)} rows = {kinds['heading']} headings, {kinds['line']} lines, "
          f"{kinds['subtotal']} subtotals, {kinds['total']} total ({name})")
    return {
        "programme_psr_2017-18.csv": csv_bytes(PROGRAMME_HEADER, rows),
        "programme_psr_2017-18.settings.json": json_bytes(settings),
    }


# ---------------------------------------------------------------- seed 002
OPTIONS_HEADER = [
    "Reference", "Title", "Service Name", "Start Year",
    "Gross Budget 2017/18 £m", "Income 2017/18 £m", "Net Budget 2017/18 £m",
    "Saving 2018/19 £m", "Saving 2019/20 £m", "Saving 2020/21 £m", "Saving Total £m",
    "FTE 2018/19", "FTE 2019/20", "FTE 2020/21", "FTE Total",
    "Decisions needed to deliver the budgeted savings", "Impact upon service",
    "Actions needed to deliver the target savings", "What does this service deliver?",
]
OPTION_HEADING = re.compile(r"^\s*([A-Z]{2,5}\d{3}[a-z]?)\s+–\s+(.*?)\s*$")
# section key -> label pattern (matched against the stripped line)
OPTION_LABELS = [
    ("service", re.compile(r"^Service Name\s*:?$", re.I)),
    ("start", re.compile(r"^Which 'start year' does this option relate to", re.I)),
    ("gross", re.compile(r"^Gross budget 2017/1\d?\*?:?$", re.I)),
    ("income", re.compile(r"^Income 2017/1\d?\*?:?$", re.I)),
    ("net", re.compile(r"^Net budget 2017/1\d?\*?:?$", re.I)),
    ("savings", re.compile(r"^Savings Target and Profiling", re.I)),
    ("fte", re.compile(r"^FTE implications\s*:?$", re.I)),
    ("decisions", re.compile(r"^Decisions needed to deliver the budgeted savings\s*:?$", re.I)),
    ("impact", re.compile(r"^Impact upon service\s*:?$", re.I)),
    ("actions", re.compile(r"^Actions needed to deliver the target savings\s*:?$", re.I)),
    ("delivers", re.compile(r"^What does this service deliver\?\s*$", re.I)),
]
VALUE = re.compile(r"^(-?£?-?\d[\d,]*(\.\d+)?m?|-|–)$")
PROFILE_NOISE = re.compile(r"^(20\d\d/\d\d|Total|£m)$", re.I)


def label_of(line: str) -> str | None:
    s = line.strip()
    for key, pat in OPTION_LABELS:
        if pat.search(s):
            return key
    return None


def paragraphs(body: list[str]) -> str:
    return "\n".join(p.strip() for p in body if p.strip())


def single_value(ref: str, key: str, body: list[str], notes: list[str]) -> str:
    vals = [l.strip() for l in body if l.strip()]
    hits = [v for v in vals if VALUE.match(v)]
    others = [v for v in vals if not VALUE.match(v)]
    if others:
        notes.append(f"{ref}: {key}: non-value text not extracted: {others!r}")
    if not hits:
        notes.append(f"{ref}: {key}: value missing")
        return ""
    check(len(hits) == 1, f"{ref}: {key}: several values {hits!r}")
    return hits[0]


def profile(ref: str, key: str, body: list[str]) -> list[str]:
    vals = [l.strip() for l in body if l.strip() and not PROFILE_NOISE.match(l.strip())]
    check(len(vals) == 4 and all(VALUE.match(v) for v in vals),
          f"{ref}: {key}: expected 4 values, got {vals!r}")
    return vals


def extract_options(seeds: Path) -> dict[str, bytes]:
    name, lines = read_seed(seeds, "002")
    text = "\n".join(lines)
    organisation = ("Lancashire County Council" if "Lancashire County Council" in text
                    else "A county council")

    # split into forms
    forms: list[tuple[int, str, str, list[str]]] = []
    for no, line in enumerate(lines, 1):
        m = OPTION_HEADING.match(line) if not line.startswith("\t") else None
        if m:
            forms.append((no, m.group(1), m.group(2), []))
        elif forms:
            forms[-1][3].append(line)
        else:
            check(line.strip() == "", f"{name}:{no}: text before first option")

    rows: list[list[str]] = []
    notes: list[str] = []
    for no, ref, title, body in forms:
        sections: dict[str, list[str]] = {}
        current = None
        for line in body:
            key = label_of(line)
            if key is not None and key not in sections:
                current = key
                sections[key] = []
                continue
            if current is None:
                check(line.strip() == "", f"{name}: {ref}: text before first label: {line[:60]!r}")
                continue
            sections[current].append(line)
        for key, _ in OPTION_LABELS:
            if key not in sections:
                notes.append(f"{ref}: section '{key}' missing")
                sections[key] = []
        service = paragraphs(sections["service"])
        start = paragraphs(sections["start"])
        if not re.fullmatch(r"20\d\d/\d\d", start):
            notes.append(f"{ref}: start year not a single year: {start!r}")
        gross = single_value(ref, "gross", sections["gross"], notes)
        income = single_value(ref, "income", sections["income"], notes)
        net = single_value(ref, "net", sections["net"], notes)
        sav = profile(ref, "savings", sections["savings"])
        fte = profile(ref, "fte", sections["fte"])
        rows.append([
            ref, title, service, start, gross, income, net, *sav, *fte,
            paragraphs(sections["decisions"]), paragraphs(sections["impact"]),
            paragraphs(sections["actions"]), paragraphs(sections["delivers"]),
        ])

    check(len(forms) > 0, f"{name}: no option proformas found")
    refs = [r[0] for r in rows]
    check(len(set(refs)) == len(refs), f"{name}: duplicate references")
    print(f"options: {len(rows)} option proformas ({name})")
    for r in rows:
        check(bool(r[0]), f"{name}: option without a reference")
        for label, idx in (("saving", 7), ("FTE", 11)):
            years = [num(v) for v in r[idx:idx + 3]]
            total = num(r[idx + 3])
            if None in years or total is None:
                notes.append(f"{r[0]}: {label} profile not numeric: {r[idx:idx + 4]}")
            elif sum(years) != total:
                notes.append(f"{r[0]}: {label} years {r[idx:idx + 3]} sum to {sum(years)} but total is {r[idx + 3]}")
    for n in notes:
        print(f"  note: {n}")
    settings = {
        "organisation": organisation,
        "title": "Budget option proformas",
        "financial_year": "2018-19",
        "period": "2018/19 budget options",
        "unit": "£m",
        "sign": "negative",
        "layout": "options",
        "years": ["2018/19", "2019/20", "2020/21"],
        "source": "seed 002",
    }
    return {
        "budget_options_2018-19.csv": csv_bytes(OPTIONS_HEADER, rows),
        "budget_options_2018-19.settings.json": json_bytes(settings),
    }


# --------------------------------------------------------------------- main
def build(seeds: Path) -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    out.update(extract_tracker(seeds))
    out.update(extract_programme(seeds))
    out.update(extract_options(seeds))
    from extract_seed_001 import extract_cases  # seed 001 has a module of its own: its narrative is long
    out.update(extract_cases(seeds, sys.modules[__name__]))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", type=Path, default=DEFAULT_SEEDS, help=f"seed folder (default {DEFAULT_SEEDS})")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"output folder (default {DEFAULT_OUT})")
    ap.add_argument("--check", action="store_true", help="exit 1 if regenerating would change any file")
    args = ap.parse_args(argv)

    if not args.seeds.is_dir():
        print(f"error: seed folder not found: {args.seeds}", file=sys.stderr)
        return 2
    try:
        files = build(args.seeds)
    except ExtractError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2

    if args.check:
        stale = []
        for fname, data in files.items():
            p = args.out / fname
            if not p.is_file():
                stale.append(f"{fname} (missing)")
            elif p.read_bytes() != data:
                stale.append(f"{fname} (differs)")
        if stale:
            print("error: samples out of date; run scripts/extract_seeds.py to regenerate: "
                  + ", ".join(stale), file=sys.stderr)
            return 1
        print(f"ok: {len(files)} files in {args.out} are up to date")
        return 0

    args.out.mkdir(parents=True, exist_ok=True)
    for fname, data in files.items():
        p = args.out / fname
        if not p.is_file() or p.read_bytes() != data:
            p.write_bytes(data)
            print(f"wrote {p}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
