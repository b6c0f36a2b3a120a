"""Every column of a savings register, declared once.

The workbook builder, the readers, validation and the template contexts all derive their columns,
headers, types and allowed values from ``COLUMNS``; nothing else in the package spells a header.

Three layouts of register share these columns (see ``LAYOUTS``):

* ``tracker``   - the in-year tracker (seed 003): quarterly phasing, variance, RAG, direction.
* ``programme`` - the multi-year programme (seed 000): phasing by financial year, grouped by programme,
  in-year saving split into Red / Amber / Green.
* ``options``   - budget option proformas (seed 002): one record per option.
* ``cases``     - business cases (seed 001): one record per workstream of a programme, with the section
  tables' figures (budget planning assumption, forecast saving, total) and the business-case fields.
  Its headers are recognised only when reading a business-case register (``match_header(..., "cases")``),
  so its generic names ("Total", "Project") never change how the other layouts are read.

Columns marked ``extra`` (the savings lifecycle) are read, checked and summarised where a register has them; a
register need not have them (``columns_for(..., extras=True)`` includes them). The product's own tracker workbook
builds them, blank, for a council to fill in; an imported tracker has them where the council's file does.
"""
from __future__ import annotations

import functools
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
    several: bool = False                        # a cell may hold several values: "Inform; Engage"
    offered: tuple[str, ...] = ()                # what a dropdown offers, when not every value (BRAG's Blue is
    #                                              offered only where a register uses it)

    @functools.cached_property
    def lookup(self) -> dict[str, str]:
        table = {v.lower(): v for v in self.values}
        table.update((k.lower(), v) for k, v in self.synonyms)
        return table

    def parts(self, text: str) -> list[str]:
        text = str(text).strip()
        return [p.strip() for p in _SEVERAL.split(text) if p.strip()] if self.several else [text]

    def normalise(self, text: str) -> str:
        """The allowed value a spelling stands for; the text as it is (trimmed) when it is not one. Several
        values (where allowed) each normalised, in their order, joined by '; '."""
        if not self.several:
            return self.lookup.get(str(text).strip().lower(), str(text).strip())
        out: list[str] = []
        for p in self.parts(text):
            v = self.lookup.get(re.sub(r"\s+", " ", p.lower()), p)
            if v not in out:
                out.append(v)
        return "; ".join(out)

    def allows(self, value) -> bool:
        if self.several:
            return all(p in self.values for p in self.parts(value))
        return value in self.values


_SEVERAL = re.compile(r"[;,\n/]|\s+and\s+")


RAG_VALUES = ("Red", "Amber", "Green")
BLUE = "Blue"   # BRAG: Blue means delivered; counted as delivered and shown in the RAG counts as Blue
RAG = Choices((*RAG_VALUES, BLUE), (("r", "Red"), ("a", "Amber"), ("g", "Green"), ("b", BLUE),
                                    ("blue (delivered)", BLUE), ("delivered", BLUE), ("complete", BLUE),
                                    # delivery status in words, as many trackers write it
                                    ("off track", "Red"), ("at risk", "Amber"), ("on track", "Green")),
              # (Blue is accepted too; the text stays as published workbooks carry it)
              "rag-invalid", "Red, Amber or Green (any case; R, A or G; Off track, At risk, On track)",
              blank_code="rag-missing", blank_in=("tracker",), offered=RAG_VALUES)
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
# Business cases (seed 001): the consultation types the form lists (several may be ticked), and whether an
# equality impact assessment is required.
CONSULTATION_VALUES = ("Inform", "Consult internal", "Engage", "Co-production", "Consult external")
CONSULTATION = Choices(CONSULTATION_VALUES, (
    ("information", "Inform"), ("informing", "Inform"),
    ("internal consultation", "Consult internal"), ("internal", "Consult internal"),
    ("consult (internal)", "Consult internal"), ("consult - internal", "Consult internal"),
    ("engagement", "Engage"), ("engaging", "Engage"),
    ("coproduction", "Co-production"), ("co production", "Co-production"), ("co-produce", "Co-production"),
    ("co-produced", "Co-production"),
    ("external consultation", "Consult external"), ("external", "Consult external"),
    ("consult (external)", "Consult external"), ("consult - external", "Consult external"),
    ("public consultation", "Consult external"),
), "consultation-invalid", "Inform, Consult internal, Engage, Co-production or Consult external (several "
                           "separated by ';')", several=True)
EIA_REQUIRED = Choices(YES_NO, (("y", "Yes"), ("required", "Yes"), ("n", "No"), ("not required", "No"),
                                ("n/a", "No")), "eia-required-invalid", "Yes or No (or Required, Not required)")
ORIGINAL_RAG = Choices(RAG_VALUES, tuple(x for x in RAG.synonyms if x[1] in RAG_VALUES), "original-rag-invalid",
                       RAG.accepted)

RECURRENCE = Choices(("Recurring", "One-off"), (
    ("recurrent", "Recurring"), ("ongoing", "Recurring"), ("permanent", "Recurring"), ("r", "Recurring"),
    ("one off", "One-off"), ("oneoff", "One-off"), ("one-off saving", "One-off"), ("temporary", "One-off"),
    ("o", "One-off"), ("nr", "One-off"), ("non-recurring", "One-off"), ("non recurring", "One-off"),
), "recurrence-invalid", "Recurring or One-off (ongoing, permanent, one off, temporary accepted)")

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
    extra: bool = False          # read, checked and summarised where a register has it; a register may lack it
    optional: bool = False       # in a register (and its workbook table) only where the council's file has it
    group: bool = False          # a grouping a council reports by (committee, directorate, portfolio, ...)

    @property
    def allowed(self) -> tuple[str, ...]:
        """The values a dropdown offers (every allowed value but those a register opts into, e.g. BRAG Blue)."""
        return (self.choices.offered or self.choices.values) if self.choices else ()

    def normalise(self, text: str) -> str:
        """A choice column's value as the schema spells it (synonyms and case resolved); other text trimmed."""
        return self.choices.normalise(text) if self.choices else str(text).strip()

    def required_in(self, layout: str) -> bool:
        return self.required and layout not in self.optional_in

    def header_for(self, settings=None, layout: str = "", own: bool = True) -> str:
        """The header text users see, with the register's unit and year labels filled in; an imported
        register's own header for the column (the council's text, remembered in Settings' column_map) first,
        unless ``own`` is False (the product's name for it)."""
        own = settings.own_header(self.key) if own and hasattr(settings, "own_header") else ""
        if own:
            return own
        layout = layout or (getattr(settings, "layout", "") if settings is not None else "")
        header = dict(self.layout_headers).get(layout, self.header)
        unit = getattr(settings, "unit", "£000") if settings is not None else "£000"
        years = list(getattr(settings, "years", []) or []) if settings is not None else []
        year = years[self.year - 1] if self.year and self.year <= len(years) else f"Year {self.year}"
        return header.format(unit=unit, year=year)


def _norm(text: str) -> str:
    """Header text reduced to words, so '  Variance from Plan £000 ' matches 'variance from plan'."""
    text = str(text).replace("\u00a0", " ").lower()
    text = re.sub(r"£\s*'?\s*(000s?|m|k)\b|£|\(\s*\)|'m\b|\bgbp\b", " ", text)
    text = re.sub(r"[^a-z0-9/?&]+", " ", text)
    text = re.sub(r"\s*/\s*", "/", text)              # 'Recurrent / Non-recurrent' as 'recurrent/non recurrent'
    return re.sub(r"\s+", " ", text).strip()


# the month or period a forecast is "at": 'Month 6 Forecast', 'Forecast at P6', 'P6 forecast'
_PERIOD_WORDS = re.compile(r"\b(?:as at |at )?(?:month|period|p|m)\s?\d{1,2}\b")


def _years(prefix: str, header: str, layouts, kind=MONEY, money=True, help_="") -> list[Column]:
    return [
        Column(f"{prefix}_y{n}", header, kind, layouts, money=money, year=n, help=help_, width=11)
        for n in range(1, MAX_YEARS + 1)
    ]


T, P, O, C = ("tracker",), ("programme",), ("options",), ("cases",)
TP = ("tracker", "programme")
ALL = ("tracker", "programme", "options")

COLUMNS: tuple[Column, ...] = (
    Column("reference", "Reference", TEXT, ALL, required=True, width=12, optional_in=("programme",),
           synonyms=("ref", "reference no", "option reference", "option ref", "saving reference", "id", "ref no",
                     "saving ref", "proposal ref", "mtfs ref", "no", "ref.", "saving ref no", "saving reference no"),
           help="Unique reference of the saving line, e.g. A/R.6.101."),
    Column("programme", "Programme", TEXT, TP, width=28, synonyms=("programme name", "workstream", "theme"),
           optional=True, group=True,
           help="Programme the line belongs to, e.g. PSR1- Most Vulnerable."),
    Column("title", "Title", TEXT, ALL, required=True, width=36, layout_headers=(("programme", "Project"),),
           synonyms=("project", "saving", "saving title", "proposal", "option title", "name", "saving name",
                     "savings proposal", "scheme", "project name", "savings title", "proposal title"),
           help="Short title of the saving."),
    Column("description", "Description", TEXT, T, width=48, synonyms=("saving description", "detail", "details", "description of saving", "proposal description", "description of proposal")),
    Column("committee", "Committee", CHOICE, T, width=14, synonyms=("service committee", "policy committee"),
           group=True, help="Committee that owns the saving; choose from the Settings list."),
    Column("directorate", "Directorate", TEXT, T, width=18, optional=True, group=True,
           synonyms=("department", "dept", "directorate name"), help="Directorate the saving belongs to."),
    Column("portfolio", "Portfolio", TEXT, T, width=18, optional=True, group=True,
           synonyms=("cabinet portfolio", "portfolio holder area"), help="Cabinet portfolio of the saving."),
    Column("service_area", "Service Area", TEXT, T, width=18, optional=True, group=True,
           synonyms=("service area", "division", "business unit"), help="Service area of the saving."),
    Column("group", "Group", TEXT, T, width=18, optional=True, group=True, synonyms=("grouping",),
           help="The heading a council's tracker groups its lines under, where nothing in the file names what "
                "the headings are (directorates, services...): rename the header here and in column_map on "
                "Settings, or import with --map 'Group=directorate'."),
    Column("owner", "Savings owner", TEXT, TP, width=18, optional=True,
           synonyms=("lead officer", "owner", "responsible officer", "saving owner", "lead", "accountable officer",
                     "budget holder"), help="Officer accountable for the saving."),
    Column("recurrence", "Recurring / one-off", CHOICE, TP, width=12, optional=True, choices=RECURRENCE,
           synonyms=("recurring/one-off", "recurring or one-off", "recurring / one off", "one-off/recurring",
                     "one off / recurring", "type of saving", "recurrent/non-recurrent", "recurring"),
           help="Recurring (ongoing) or one-off."),
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
                     "budgeted saving", "budget planning assumption", "target", "saving target", "savings target",
                     "in year target", "in-year target", "plan", "planned", "mtfs target",
                     "target saving", "approved saving", "savings required", "original target", "in year plan",
                     "total plan", "plan total", "total target", "total savings", "saving total plan"),
           help="Sum of the original phasing."),
    *[Column(f"forecast_q{q}", f"Current Forecast Phasing - Q{q}", MONEY, T, money=True, width=10,
             synonyms=(f"current forecast phasing q{q}", f"forecast q{q}", f"q{q} forecast"),
             help=f"Forecast saving in quarter {q}, in the register's unit and sign.") for q in range(1, 5)],
    Column("forecast_total", "Forecast Saving", MONEY, T, role=COMPUTED, money=True,
           parts=("forecast_q1", "forecast_q2", "forecast_q3", "forecast_q4"),
           synonyms=("forecast saving", "forecast total", "forecast", "forecast outturn", "projected saving",
                     "forecast delivery", "current forecast", "forecast achieved", "projected", "outturn",
                     "in year forecast", "expected saving", "forecast total", "total forecast", "latest forecast",
                     "projected delivery", "forecast position"),
           help="Sum of the forecast phasing."),
    Column("variance", "Variance from Plan {unit}", MONEY, T, role=COMPUTED, money=True,
           parts=("forecast_total", "plan_total"),
           synonyms=("variance from plan", "variance", "shortfall", "variance to target", "over/under", "(shortfall)/over", "over/(under) delivery",
                     "over/(under)"),
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
           synonyms=("rag status", "rag rating", "status", "brag", "brag status", "brag rating", "rag/brag",
                     "delivery rag", "rating", "risk rating", "delivery status", "delivery rag status", "current rag",
                     "latest rag",
                     "rag rating status"),
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
           synonyms=("forecast commentary", "comments", "commentary", "comment", "update", "progress update",
                     "latest update", "narrative", "notes",
                     "comments relating to the 2017/2018 financial year")),
    Column("partners", "Links with partner organisations", TEXT, T, width=30,
           synonyms=("links with partner organisations", "partners")),
    Column("mitigation", "Mitigation / replacement saving", TEXT, TP, width=40, optional=True,
           synonyms=("mitigation", "mitigations", "mitigating action", "mitigating actions", "mitigation/replacement",
                     "actions to mitigate", "mitigation / replacement"),
           help="How a shortfall is mitigated, or the saving that replaces it."),
    Column("decisions", "Decisions needed to deliver the budgeted savings", TEXT, O, width=48,
           synonyms=("decisions needed", "decisions")),
    Column("impact", "Impact upon service", TEXT, O, width=48, synonyms=("impact", "impact on service")),
    Column("actions", "Actions needed to deliver the target savings", TEXT, O, width=48,
           synonyms=("actions needed", "actions")),
    Column("service_delivers", "What does this service deliver?", TEXT, O, width=48,
           synonyms=("what does this service deliver", "service description")),
    # ---- the savings lifecycle (extra columns of the tracker layouts): from budget setting to delivery ----
    Column("original_rag", "Original RAG", CHOICE, TP, choices=ORIGINAL_RAG, width=9, extra=True,
           synonyms=("rag at budget setting", "original rag status", "budget setting rag", "initial rag"),
           help="RAG when the budget was set, against which the current RAG is read."),
    Column("achieved", "Achieved to date {unit}", MONEY, TP, money=True, extra=True,
           synonyms=("achieved to date", "delivered to date", "achieved", "savings achieved to date"),
           help="Saving already delivered this year, in the register's unit and sign."),
    Column("to_deliver", "Still to deliver {unit}", MONEY, TP, money=True, extra=True,
           synonyms=("still to deliver", "remaining to deliver", "to be delivered", "balance to deliver"),
           help="Saving still to be delivered this year: forecast = achieved to date + still to deliver."),
    Column("slippage", "Slippage to next year {unit}", MONEY, TP, money=True, extra=True,
           synonyms=("slippage to next year", "slippage", "slipped to next year", "rephased to next year"),
           help="Saving that will be delivered next year instead."),
    Column("write_off", "Write-off {unit}", MONEY, TP, money=True, extra=True,
           synonyms=("write off", "written off", "write-off", "saving written off"),
           help="Saving that will not be delivered at all."),
    Column("write_off_reason", "Write-off explanation", TEXT, TP, width=40, extra=True,
           synonyms=("write off explanation", "write-off reason", "reason for write off"),
           help="Why the saving is written off, where no replacement covers it."),
    Column("replacement_saving", "Replacement saving {unit}", MONEY, TP, money=True, extra=True,
           synonyms=("replacement saving", "replacement", "alternative saving", "mitigating saving"),
           help="Saving found to cover a write-off."),
    Column("replacement_ref", "Replacement reference", TEXT, TP, width=12, extra=True,
           synonyms=("replacement ref", "replacement saving reference", "replaced by"),
           help="Reference of the replacement saving line."),
    # ---- business cases (seed 001): one record per workstream ----
    Column("section", "Section", TEXT, C, width=8, synonyms=("section letter", "section ref", "section reference"),
           help="Section of the programme chapter the workstream belongs to, e.g. F."),
    Column("section_name", "Section name", TEXT, C, width=30, synonyms=("section title",),
           help="The section's title, e.g. Creating New and Improving Revenue Streams."),
    Column("programme_ref", "Programme number", TEXT, C, width=10,
           synonyms=("programme ref", "programme reference", "programme no", "psr", "psr ref"),
           help="The programme's number in other papers, e.g. PSR6: used to reconcile the two papers."),
    Column("project", "Project", TEXT, C, width=28, synonyms=("project name",),
           help="Project the workstream belongs to; a council's table names it on the first row of its group."),
    Column("workstream", "Workstream(s)", TEXT, C, width=36,
           synonyms=("workstream", "workstreams", "work stream", "work streams", "work package"),
           help="The workstream: one business case."),
    Column("budget_planning_assumption", "Budget Planning Assumption {unit}", MONEY, C, money=True,
           synonyms=("budget planning assumption", "budget planning assumptions", "bpa"),
           help="Saving already assumed in the budget plan."),
    Column("forecast_saving", "Forecast Saving {unit}", MONEY, C, money=True,
           synonyms=("forecast saving", "forecast savings", "forecast reduction in subsidy",
                     "forecast reduction in subsidies"),
           help="Further saving forecast (section F: the forecast reduction in subsidy)."),
    Column("total", "Total {unit}", MONEY, C, role=COMPUTED, money=True,
           parts=("budget_planning_assumption", "forecast_saving"), synonyms=("total", "totals"),
           help="Budget planning assumption plus forecast saving."),
    Column("notes", "Notes", TEXT, C, width=40, synonyms=("note", "footnote", "footnotes"),
           help="Footnotes on the figures, e.g. a one-off contribution behind a figure marked 0*."),
    Column("proposal", "Proposal", TEXT, C, width=48,
           synonyms=("proposed change", "it is proposed to commence action/ implementation of/ consultation on the "
                                        "following change", "what is proposed"),
           help="What it is proposed to commence action, implementation or consultation on."),
    Column("activity", "Activity that will change", TEXT, C, width=48,
           synonyms=("the following activity will change", "activity"), help="The activity that will change."),
    Column("outcomes_users", "Outcomes - service users", TEXT, C, width=40,
           synonyms=("outcomes service users", "outcomes for service users")),
    Column("outcomes_partners", "Outcomes - partners", TEXT, C, width=40,
           synonyms=("outcomes partners", "outcomes for partners")),
    Column("outcomes_council", "Outcomes - council", TEXT, C, width=40,
           synonyms=("outcomes council", "outcomes for the council")),
    Column("impact_users", "Impact - service users", TEXT, C, width=40,
           synonyms=("impact service users", "impact of service change service users", "impact on service users")),
    Column("impact_partners", "Impact - partners", TEXT, C, width=40,
           synonyms=("impact partners", "impact of service change partners", "impact on partners")),
    Column("impact_council", "Impact - council", TEXT, C, width=40,
           synonyms=("impact council", "impact of service change council", "impact on the council")),
    Column("consultation", "Consultation type", CHOICE, C, choices=CONSULTATION, width=18,
           synonyms=("communications consultation & engagement type", "consultation", "consultation & engagement type",
                     "communications consultation & engagement"),
           help="Inform, Consult internal, Engage, Co-production or Consult external; several separated by ';'."),
    Column("eia_required", "Equality impact assessment required", CHOICE, C, choices=EIA_REQUIRED, width=10,
           synonyms=("eia required", "equality impact assessment required?", "eia"),
           help="Yes or No."),
    Column("equality", "Equality impact assessment", TEXT, C, width=40,
           synonyms=("equality impact", "equality impact assessment notes")),
    Column("legislation", "Legislation considered", TEXT, C, width=40, synonyms=("legislation",)),
    Column("risks", "Risks and mitigating actions", TEXT, C, width=48,
           synonyms=("risks & mitigating actions", "risks", "risks and mitigations")),
    Column("staffing", "Staffing implications", TEXT, C, width=40, synonyms=("staffing",)),
    Column("staff_in_scope", "Staff in scope", TEXT, C, width=12,
           synonyms=("number of staff in scope", "staff in scope number")),
    Column("vacancies_deleted", "Vacancies deleted", TEXT, C, width=12,
           synonyms=("number of vacancies to be deleted from the establishment", "vacancies to be deleted",
                     "vacancies")),
    Column("redundancies", "Redundancies", TEXT, C, width=12,
           synonyms=("estimated number of redundancies", "potential number of redundancies", "redundancies range"),
           help="As published: a number or a range such as 4-5 or 4 to 14."),
    Column("redundancies_low", "Redundancies (low)", NUMBER, C, role=COMPUTED, parts=("redundancies",), width=9,
           help="The lower end of the redundancies range, read from the text."),
    Column("redundancies_high", "Redundancies (high)", NUMBER, C, role=COMPUTED, parts=("redundancies",), width=9,
           help="The upper end of the redundancies range, read from the text."),
)

LAYOUTS = ("tracker", "programme", "options")
BY_KEY: dict[str, Column] = {}
_SYNONYMS: dict[str, str] = {}      # normalised header text -> key (header recognition)
_OWN_HEADERS = ("cases",)           # layouts whose headers are recognised only when reading that layout
_LAYOUT_SYNONYMS: dict[str, dict[str, str]] = {layout: {} for layout in _OWN_HEADERS}


def declare(columns: tuple[Column, ...]) -> tuple[Column, ...]:
    """Install the columns every part of the product derives from: the package's own at import; a team (or a
    test) may declare a copy with more. Returns the columns declared before."""
    global COLUMNS
    before = COLUMNS
    seen: set[str] = set()
    # a key declared twice keeps its first declaration (a team's own column wins over the package's)
    COLUMNS = tuple(c for c in columns if not (c.key in seen or seen.add(c.key)))
    BY_KEY.clear()
    BY_KEY.update((c.key, c) for c in COLUMNS)
    _SYNONYMS.clear()
    for own in _LAYOUT_SYNONYMS.values():
        own.clear()
    for c in COLUMNS:
        if c.year:
            continue
        layouts = [layout for layout in _OWN_HEADERS if layout in c.layouts]
        for h in (c.key.replace("_", " "), c.header.replace("{unit}", ""), *c.synonyms):
            if layouts:
                for layout in layouts:
                    _LAYOUT_SYNONYMS[layout].setdefault(_norm(h), c.key)
            else:
                _SYNONYMS.setdefault(_norm(h), c.key)
    return before


def columns_for(layout: str, years: int = 0, present: Iterable[str] | None = None, *,
                extras: bool = False) -> list[Column]:
    """Columns of a layout in display order; multi-year families cut to ``years`` columns. With ``present``
    (the keys a register has) optional columns where the register has them; without it none. ``extras``: with
    the columns a register may add (the lifecycle), which the product's own workbook does not build."""
    have = set(present) if present is not None else None
    out = []
    for c in COLUMNS:
        if layout not in c.layouts or (c.extra and not extras):
            continue
        if c.year and c.year > max(years, 0 if layout == "tracker" else 3):
            continue
        if c.optional and (have is None or c.key not in have):
            continue
        out.append(c)
    return out


def keys_for(layout: str, years: int = 0, present: Iterable[str] | None = None, *,
             extras: bool = False) -> list[str]:
    return [c.key for c in columns_for(layout, years, present, extras=extras)]


def money_keys(layout: str, years: int = MAX_YEARS) -> list[str]:
    return [c.key for c in columns_for(layout, years) if c.kind == MONEY]


IN_YEAR_KEYS = frozenset({"forecast_total", "variance", *(f"{p}_q{q}" for p in ("plan", "forecast") for q in range(1, 5))})


def phasing_keys(total_key: str, present: Iterable[str]) -> list[str]:
    """The parts of a computed total that a register actually has. A register that reports the in-year
    position (a forecast, a variance or quarters) has an in-year plan: its year columns are the MTFS years
    beside it, not parts of it (seed 000's total is the sum of its years; a tracker's target is not)."""
    present = set(present)
    parts = [k for k in BY_KEY[total_key].parts if k in present]
    if total_key == "plan_total" and present & IN_YEAR_KEYS:
        parts = [k for k in parts if not BY_KEY[k].year]
    return parts


# ---- header recognition ------------------------------------------------------------------------
# 2025/26, 2025-26, 25/26, FY2025/26, FY 25-26, 2025/2026 (the second year must follow the first)
_YEAR = re.compile(r"(?<![\d£.])(?:fy\s*)?((?:20)?\d\d)\s*[/-]\s*((?:20)?\d\d)(?![\d%])", re.I)


def year_label(text) -> str:
    """The financial year a text names, as '2025/26'; '' when it names none."""
    for m in _YEAR.finditer(str(text or "")):
        a, b = m.group(1), m.group(2)
        first = int(a) if len(a) == 4 else 2000 + int(a)
        second = int(b[-2:])
        if (first + 1) % 100 == second and 2000 <= first <= 2099:
            return f"{first}/{second:02d}"
    return ""


def _without_years(text: str) -> str:
    def drop(m):
        return " " if year_label(m.group(0)) else m.group(0)
    return _YEAR.sub(drop, str(text))


def match_header(text, layout: str = "") -> tuple[str, str] | None:
    """Recognise a header cell. Returns (key, year label) for year columns, (key, '') otherwise. For a layout
    with headers of its own (``cases``) only that layout's columns are recognised."""
    if text is None:
        return None
    raw = str(text).strip()
    if not raw:
        return None
    n = _norm(raw)
    if layout in _LAYOUT_SYNONYMS:
        own = _LAYOUT_SYNONYMS[layout]
        return (own[n], "") if n in own else None
    if n in _SYNONYMS:
        return _SYNONYMS[n], ""
    bare = re.sub(r"\s+", " ", _PERIOD_WORDS.sub(" ", n)).strip()
    if bare != n and _SYNONYMS.get(bare) in ("forecast_total", "variance", "rag", "commentary"):
        return _SYNONYMS[bare], ""
    label = year_label(raw)
    if label:
        rest = _norm(_without_years(raw))
        if rest.startswith("fte"):
            return "fte_y", label
        if rest in ("saving", "savings", "saving target", "savings target", "savings required"):
            return "saving_y", label
        if rest in ("", "plan", "phasing", "planned", "project phasing", "mtfs", "fy", "year", "future years",
                    "mtfs saving", "saving profile", "profile"):
            return "plan_y", label
        # "Investment 17-18 £000", "Original Saving 17-18", "2025/26 Target £000" are in-year columns named with
        # the year
        if rest in _SYNONYMS:
            return _SYNONYMS[rest], ""
    # the product's own headers where a register has no year labels yet: 'Saving Year 1 £000', 'FTE Year 2'
    if (m := re.fullmatch(r"(saving|fte) year ([1-9])", n)) and int(m.group(2)) <= MAX_YEARS:
        return f"{m.group(1)}_y", f"Year {m.group(2)}"
    return None


def nearest(text, limit: int = 1, layout: str = "") -> list[str]:
    """The columns a header that was not recognised most looks like (for a suggestion), best first: words in
    common with a column's spellings (plurals folded), then the likeness of the letters; columns of ``layout``
    only, when given."""
    import difflib

    def words(t: str) -> set[str]:
        return {w[:-1] if w.endswith("s") and len(w) > 3 else w for w in t.split()}

    n = _norm(_without_years(text))
    if not n:
        return []
    mine = words(n)
    scored: dict[str, float] = {}
    for spelling, key in _SYNONYMS.items():
        if layout and layout not in BY_KEY[key].layouts:
            continue
        ratio = difflib.SequenceMatcher(None, n, spelling).ratio()
        theirs = words(spelling)
        shared = mine & theirs
        score = ratio
        if shared:
            score = max(score, 0.5 + 0.5 * len(shared) / max(len(mine), len(theirs))) + 0.1 * ratio
        if score > scored.get(key, 0):
            scored[key] = score
    best = sorted((k for k, v in scored.items() if v >= 0.6), key=lambda k: -scored[k])
    return best[:limit]


# ---- where each layout lives in the Savings_Tracker workbook ---------------------------------------
TABLE_NAMES = {"tracker": "Savings", "programme": "Programme", "options": "Options"}
SHEET_NAMES = {"tracker": "Tracker", "programme": "Programme", "options": "Options", "summary": "Summary",
               "checks": "Checks", "history": "History", "settings": "Settings", "conf": "xlwings.conf",
               "start": "Start here"}
# the product's own sheets, which no reader takes a register from (lower case; "_xlwings.conf" is xlwings' hidden
# spelling of its config sheet, "lists" the older workbooks' dropdown source)
SERVICE_SHEETS = frozenset({*(SHEET_NAMES[k].lower() for k in ("summary", "checks", "history", "settings", "conf",
                                                               "start")), "_xlwings.conf", "lists"})

declare(COLUMNS)
