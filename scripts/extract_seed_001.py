"""Seed 001 (the "Framework for Change" programme chapter) -> the bundled business-case register.

Called by ``extract_seeds.py`` (``extract_cases(seeds, base)``, ``base`` being that module: its ``read_seed``,
``csv_bytes``, ``json_bytes`` and ``check``). Writes:

* ``business_cases_2017-18.csv``: the programme summary table (ten projects, £'m, section letters) above one
  register of the 29 workstreams of the section tables, in the paper's order, with the published "Sub totals",
  "Totals" rows and the footnote kept where the paper has them (checks and notes, never lines), and each
  workstream's business-case fields taken from the narrative under its own heading.
* ``sections_psr_2017-18.json``: which of seed 000's PSR programmes each section is, with the evidence.

What the text layer cannot give is left blank, never guessed: the consultation type is a row of tick boxes in
the paper ("Type: Inform Consult internal Engage Co-production Consult external"). Most cases' ticks are not in
its text; where they are (a checked box, ``<input checked="" type="checkbox"/>``, after a type, or a capital X
after one: "Type: Inform Consult internal X") the ticked types are read. The other form ("Inform x Consult
Engagement x Partnership x Consult internal x") marks four of its five labels with the same x and lists a type
the form does not have, so whether x is a tick or an empty box cannot be told: left blank. A workstream without a business case of its own (e.g. Life Long Learning) has no fields. A section's
shared narrative goes to the workstream whose heading it follows. Standard library only.
"""
from __future__ import annotations

import re
from decimal import Decimal

UNIT = "£000"
CSV_NAME = "business_cases_2017-18.csv"
KEYS_NAME = "sections_psr_2017-18.json"

# The register's columns (schema keys and the headers the sample is written with, as a council would head them).
COLUMNS = [
    ("section", "Section"), ("section_name", "Section name"), ("programme_ref", "Programme number"),
    ("project", "Project"), ("workstream", "Workstream(s)"),
    ("budget_planning_assumption", "Budget Planning Assumption £000"), ("forecast_saving", "Forecast Saving £000"),
    ("total", "Total £000"), ("notes", "Notes"), ("proposal", "Proposal"),
    ("activity", "Activity that will change"),
    ("outcomes_users", "Outcomes - service users"), ("outcomes_partners", "Outcomes - partners"),
    ("outcomes_council", "Outcomes - council"), ("impact_users", "Impact - service users"),
    ("impact_partners", "Impact - partners"), ("impact_council", "Impact - council"),
    ("consultation", "Consultation type"), ("eia_required", "Equality impact assessment required"),
    ("equality", "Equality impact assessment"), ("legislation", "Legislation considered"),
    ("risks", "Risks and mitigating actions"), ("staffing", "Staffing implications"),
    ("staff_in_scope", "Staff in scope"), ("vacancies_deleted", "Vacancies deleted"),
    ("redundancies", "Redundancies"),
]
KEYS = [k for k, _ in COLUMNS]

# Each workstream of the section tables -> the line (a prefix) that opens its business case in the narrative,
# or None where the paper has no case of its own for it. Checked: each anchor is found exactly once, in order.
ANCHORS = [
    ("A", "Looked After Children Reform Programme", "Looked After Children Reform"),
    ("A", "Acute wrap around services", "Acute wrap-around care model"),
    ("B", "Multiagency working", "Multi Agency Working"),
    ("B", "Personalisation - asset based approach", "Personalisation"),
    ("C", "", "Section C - A New Deal with Citizens"),
    ("D", "All age disability pathway, policy and criteria", "All Age Disability Pathway, policy and eligibility"),
    ("D", "Home to School Transport", "Home to School Transport:"),
    ("E", "Governance of Education Support Services", "An Excellent Education for All"),
    ("E", "Life Long Learning", None),
    ("F", "Commercial Culture", "Developing a Commercial Culture:"),
    ("F", "Sefton Arc", "Sefton Arc"),
    ("F", "Commercial Fleet Management", "Commercial Fleet Management:"),
    ("F", "Crosby Lakeside Adventure Centre", "Crosby Lakeside Adventure Centre:"),
    ("F", "Atkinson", "The Atkinson"),
    ("F", "Building Cleaning", "Building Cleaning"),
    ("F", "Catering", "Catering Services"),
    ("F", "Tourism", "A New Approach to Tourism"),
    ("F", "Building Control", "Building Control"),
    ("G", "Commissioning and efficiencies", "Other work Pride in Place"),
    ("G", "Land management", "Section G Environment & Pride in Place"),
    ("H", "All", "Section H Asset and Property Maximisation"),
    ("I", "A Council ICT reduced expenditure", "Section I - ICT"),
    ("I", "B Customer Interface (includes One Front Door approach)", None),
    ("I", "C Digital Inclusion", None),
    ("J", "Integration of resources", "Project description: This project is: the development and improvement of commissioning"),
    ("J", "Contract Review", "(ii) SMBC Contract Review"),
    ("J", "LCR Procurement", "b LCR Procurement Hub"),
    ("J", "Shared Services", "c Shared Services"),
    ("J", "Contract Compliance", "d Contract Compliance Audit"),
]
NARRATIVE_END = "Table 1 – Business Efficiencies"   # the chapter's PSR projects end here

SEP = r"\s*[_]?\s*[–—:\-]*\s*"
LABELS = [  # (field, pattern at the start of a line; group 1 is text on the same line)
    ("proposal", re.compile(r"^It is proposed to commence.*?following changes?" + SEP + r"(.*)$", re.I)),
    ("proposal", re.compile(r"^(?:Change Description|Proposed change)" + SEP + r"(.*)$", re.I)),
    ("activity", re.compile(r"^The following (?:activity )?will change" + SEP + r"(.*)$", re.I)),
    ("outcomes", re.compile(r"^Outcomes\b" + SEP + r"(.*)$", re.I)),
    ("impact", re.compile(r"^Impact of (?:service )?change\b[^–—:\-]*" + SEP + r"(.*)$", re.I)),
    ("consultation", re.compile(r"^Communications, Consultation & Engagement\b(?:\s*Type:)?" + SEP + r"(.*)$", re.I)),
    ("equality", re.compile(r"^(?:Equalit(?:y|ies) )?Impact Assessment\b" + SEP + r"(.*)$", re.I)),
    ("legislation", re.compile(r"^Legislation Considered\b" + SEP + r"(.*)$", re.I)),
    ("risks", re.compile(r"^Risks? (?:&|and) Mitigati\w+(?: Actions?)?\b" + SEP + r"(.*)$", re.I)),
    ("staff_in_scope", re.compile(r"^(?:Number of )?staff in scope\b" + SEP + r"(.*)$", re.I)),
    ("vacancies_deleted", re.compile(r"^Number of vacancies to be deleted from the establishment\b" + SEP + r"(.*)$", re.I)),
    ("redundancies", re.compile(r"^(?:Estimated|Potential) number of redundancies\b" + SEP + r"(.*)$", re.I)),
    ("staffing", re.compile(r"^Staffing Implications\b" + SEP + r"(.*)$", re.I)),
    (None, re.compile(r"^(?:Savings?\b|Budget Planning Assumption|Net additional income|Reduced Subsidy|"
                      r"Vision 2030|Section [A-J]\b|Public Value)", re.I)),
]
SUBLABEL = re.compile(r"^(Service Users|The community|Community|Partners(?:/other organisations)?|Council)"
                      r"(?:\s*[–—:\-]\s*(.*)|\s*)$", re.I)
SUB_TARGET = {"service users": "users", "the community": "users", "community": "users", "partners": "partners",
              "partners/other organisations": "partners", "council": "council"}
TICK_BOXES = re.compile(r"^(?:Type:\s*)?(?:(?:Inform|Consult internal|Consult external|Consult|Engage|Engagement|"
                        r"Co-production|Partnership|x)[\s,]*)+$", re.I)
# one of the form's five types, then what follows it: a checked box, an empty box, a capital X or nothing
TYPE_MARK = re.compile(r"(Inform|Consult internal|Consult external|Engage|Co-production)\b"
                       r"(?:[\s–]*(<input checked=\"\" type=\"checkbox\"/>|<input type=\"checkbox\"/>|X\b))?")
RANGE_ONLY = re.compile(r"^\d+(?:\s*(?:-|to)\s*\d+)?$")


def _clean(line: str) -> str:
    return line.replace("**", "").replace("\t", " – ").strip()


def _tables(base, name: str, lines: list[str]) -> tuple[list[list[str]], list[list[str]]]:
    """(summary rows, table rows): the programme summary and every section table as the paper prints them."""
    summary: list[list[str]] = []
    table: list[list[str]] = []
    i = next(n for n, l in enumerate(lines) if l.startswith("Framework for Change - Public Sector Reform Projects"))
    summary.append([lines[i].strip()])
    summary.append(["Budget planning assumption/specific option"])
    for l in lines[i + 1:]:
        if "\t" in l:
            f = l.split("\t")
            summary.append([f[0], f[1], f[2], f[3] if len(f) > 3 else ""])
            if f[1] == "Total":
                break
    base.check(summary[2][2] == "£'m" and summary[2][3] == "Section", f"{name}: programme summary header {summary[2]}")
    base.check(len(summary) == 14, f"{name}: programme summary has {len(summary) - 3} rows, expected 10 and Total")
    section = ""
    in_table = False
    for no, l in enumerate(lines, 1):
        if l.startswith(NARRATIVE_END):
            break
        m = re.match(r"^Section ([A-J])\b", l)
        if m and not in_table:
            section = m.group(1)
        if l.startswith("Project\tWorkstream(s)\t"):
            base.check(l.split("\t")[2] == "Budget Planning Assumption £000", f"{name}:{no}: header {l!r}")
            in_table = True
            table.append(["header", section, *l.split("\t")])
            continue
        if in_table:
            if "\t" in l:
                f = l.split("\t")
                base.check(len(f) == 5, f"{name}:{no}: {len(f)} cells in a section table row")
                table.append(["row", section, *f])
                continue
            if l.strip() == "":
                continue
            if l.startswith("- ") and table[-1][3].startswith("Total"):
                table.append(["note", section, l.strip()])
                continue
            in_table = False
    return summary, table


def _fields(block: list[str]) -> dict[str, str]:
    out: dict[str, list[str]] = {}
    current, sub = None, "users"
    for raw in block:
        line = _clean(raw)
        if not line:
            continue
        hit = None
        for key, pat in LABELS:
            m = pat.match(line)
            if m:
                hit = (key, m.group(1).strip() if m.groups() else "")
                break
        if hit:
            current, text = hit
            if current in ("outcomes", "impact"):
                sub = "users"
            if current is None:
                continue
            out.setdefault(current, [])
            line = text
            if not line:
                continue
        if current is None:
            if not out:
                out.setdefault("_opening", []).append(line)   # before any label: the case's description
            continue
        if current in ("outcomes", "impact"):
            m = SUBLABEL.match(line)
            if m:
                sub, line = SUB_TARGET[m.group(1).lower()], (m.group(2) or "").strip()
            if line:
                out.setdefault(f"{current}_{sub}", []).append(line)
            continue
        if current == "consultation" and (TICK_BOXES.match(line) or "<input" in line):
            out.setdefault("_form", []).append(line)   # the form's tick boxes: read by _ticked
            continue
        out.setdefault(current, []).append(line)
    opening = out.pop("_opening", [])
    if opening and "proposal" not in out:
        out["proposal"] = opening   # a case without "It is proposed ...": its opening text says what is
    fields = {k: "\n".join(v).strip() for k, v in out.items() if k not in ("outcomes", "impact")}
    fields.pop("consultation", None)   # narrative under the heading is not a type
    ticked = _ticked(fields.pop("_form", ""))
    if ticked:
        fields["consultation"] = ticked
    staffing = fields.get("staffing", "")
    if RANGE_ONLY.match(staffing) and not fields.get("redundancies"):
        fields["redundancies"] = staffing          # "Staffing Implications – 4-5": the redundancies range
    equality = fields.get("equality", "")
    if re.search(r"\bnot required\b", equality, re.I):
        fields["eia_required"] = "No"
    elif re.search(r"\b(?:is|will be) required\b", equality, re.I):
        fields["eia_required"] = "Yes"
    return fields


def _num(text: str) -> Decimal:
    t = text.strip().replace(",", "").rstrip("*")
    return Decimal(t) if t and t != "-" else Decimal(0)


def _psr_keys(base, lines000: list[str], summary: list[list[str]]) -> dict:
    """Seed 000's PSR programmes (number, name, published subtotal) against seed 001's numbered projects."""
    progs, name = [], None
    for l in lines000:
        f = [x.replace("<b>", "").replace("</b>", "").replace("&amp;", "&") for x in l.split("\t")]
        m = re.match(r"^PSR(\d+)-\s*(.*)$", f[0]) if f and f[0] else None
        if m:
            name = (int(m.group(1)), m.group(2).strip())
        elif name and len(f) >= 5 and f[0] == "" and f[4]:
            progs.append((*name, Decimal(f[4])))
            name = None
    by_number = {n: (title, amount) for n, title, amount in progs}
    sections = {}
    for row in summary[3:-1]:
        number, title, amount, letter = int(row[0]), row[1], Decimal(row[2]), row[3]
        psr = by_number.get(number)
        entry = {"programme_ref": f"PSR{number}", "name": title, "amount_m": row[2]}
        if psr is None:
            base.check(amount == 0, f"seed 000 has no PSR{number} but seed 001's project {number} is {amount}")
            entry["evidence"] = f"no PSR{number} in seed 000: project {number} has no saving (£{amount}m)"
        else:
            base.check(psr[1] == amount, f"PSR{number} is {psr[1]} in seed 000 but project {number} is {amount}")
            entry["evidence"] = f"seed 000: PSR{number}- {psr[0]}, subtotal £{psr[1]}m"
        sections[letter] = entry
    base.check(len(sections) == 10, f"expected sections A-J, found {sorted(sections)}")
    return {
        "about": ("Seed 001 (Framework for Change) numbers its ten Public Sector Reform projects 1-10 and gives each a "
                  "section letter A-J; seed 000 (Analysis of 2017/18 PSR Savings) reports the same projects as "
                  "PSR1-PSR10. The numbers are the same projects: for each of the nine PSR programmes in seed 000 "
                  "the subtotal equals project n's figure in seed 001 (in £m), and the names agree except PSR6 "
                  "(Commercialisation, Traded Services & Income = Creating New and Improving Revenue Streams). PSR3 "
                  "(A New Deal with Citizens, £0) has no saving and is not in seed 000. Derived and checked by "
                  "scripts/extract_seed_001.py; used by `savings-tracker reconcile --keys`."),
        "sections": sections,
    }


def _ticked(form: str) -> str:
    """The consultation types the form's text shows ticked ("Inform; Consult internal"), or "" where it does not
    say: a checked box after a type, or a capital X after one (the form without boxes in its text)."""
    if "x " in form.replace("X ", "") or form.rstrip().endswith(" x"):
        return ""    # the other form: a lower-case x after nearly every label, tick or box glyph unknown
    marks = TYPE_MARK.findall(form)
    if "<input" in form:
        return "; ".join(t for t, m in marks if "checked" in m)
    return "; ".join(t for t, m in marks if m == "X")


def extract_cases(seeds, base) -> dict[str, bytes]:
    name, lines = base.read_seed(seeds, "001")
    _, lines000 = base.read_seed(seeds, "000")
    summary, table = _tables(base, name, lines)
    keys = _psr_keys(base, lines000, summary)
    section_names = {r[3]: r[1] for r in summary[3:-1]}
    # the narrative blocks, opened by their anchors, in the paper's order
    stripped = [l.strip().replace("**", "") for l in lines]
    end = next(n for n, l in enumerate(stripped) if l.startswith(NARRATIVE_END))
    first_table = {}   # section -> its first line ("Section D - ..."): its cases lie between it and the next
    for no, l in enumerate(lines):
        m = re.match(r"^Section ([A-J])\b", l)
        if m and m.group(1) not in first_table:
            first_table[m.group(1)] = no
    starts = []
    for sec, ws, anchor in ANCHORS:
        if anchor is None:
            continue
        hits = [n for n, l in enumerate(stripped[:end]) if n >= first_table[sec] and
                (l == anchor or (len(anchor) > 20 and l.startswith(anchor)))]
        nxt = min((v for k, v in first_table.items() if v > first_table[sec]), default=end)
        hits = [n for n in hits if n < nxt]
        base.check(len(hits) >= 1, f"{name}: business case heading {anchor!r} ({sec} {ws}) not found")
        starts.append((hits[0], sec, ws))
    starts.sort()
    blocks = {}
    for n, (start, sec, ws) in enumerate(starts):
        stop = starts[n + 1][0] if n + 1 < len(starts) else end
        blocks[(sec, ws)] = _fields(lines[start + 1:stop])
    # the register rows, in the paper's order
    width = len(COLUMNS)
    rows: list[list[str]] = [r + [""] * (width - len(r)) for r in summary] + [[""] * width]
    project, n_lines, n_published = "", 0, 0
    for kind, sec, *cells in table:
        if kind == "header":   # each section table under its own header row, as the paper prints them
            if n_lines:
                rows.append([""] * width)
            rows.append([h for _, h in COLUMNS])
            project = ""
            continue
        if kind == "note":
            rows.append([cells[0]] + [""] * (width - 1))
            continue
        proj, ws, bpa, fc, tot = cells
        if ws.startswith(("Sub totals", "Totals")):
            rows.append(["", "", "", "", ws, bpa, fc, tot] + [""] * (width - 8))
            n_published += 1
            continue
        project = proj or project
        if not sec:    # the EIP table covers sections A-C: the programme summary names its projects
            sec = next(k for k, v in section_names.items() if project and project.lower() in v.lower())
        rec = {"section": sec, "section_name": section_names[sec], "programme_ref": keys["sections"][sec]["programme_ref"],
               "project": proj, "workstream": ws, "budget_planning_assumption": bpa, "forecast_saving": fc,
               "total": tot}
        anchor = next(((s, w) for s, w, a in ANCHORS if s == sec and w == ws), None)
        base.check(anchor is not None, f"{name}: workstream {sec} {ws!r} has no entry in ANCHORS")
        rec.update(blocks.get(anchor, {}))
        rows.append([rec.get(k, "") for k in KEYS])
        n_lines += 1
    base.check(n_lines == 29, f"{name}: expected 29 workstreams, found {n_lines}")
    totals = {k: sum((_num(r[KEYS.index(k)]) for r in rows[15:] if r[4] and r[0] in "ABCDEFGHIJ" and r[0]),
                     Decimal(0)) for k in ("budget_planning_assumption", "forecast_saving", "total")}
    base.check(totals == {"budget_planning_assumption": 22407, "forecast_saving": 6715, "total": 29122},
               f"{name}: the workstreams add to {totals}, not the published 22,407 / 6,715 / 29,122")
    filled = sum(1 for (s, w) in blocks if blocks[(s, w)].get("proposal"))
    print(f"cases: {n_lines} workstreams, {n_published} published sub totals/totals, {len(blocks)} business cases "
          f"({filled} with a proposal) ({name})")
    settings = {
        "organisation": "Sefton Council" if any("Sefton" in l for l in lines) else "A metropolitan borough council",
        "title": "Framework for Change - Public Sector Reform Projects",
        "financial_year": "2017-18",
        "period": "Budget 2017/18",
        "unit": UNIT,
        "sign": "positive",
        "layout": "cases",
        "source": "seed 001",
    }
    return {
        CSV_NAME: base.csv_bytes(rows[0], rows[1:]),
        CSV_NAME.replace(".csv", ".settings.json"): base.json_bytes(settings),
        KEYS_NAME: base.json_bytes(keys),
    }
