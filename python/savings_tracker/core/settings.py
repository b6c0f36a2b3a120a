"""Settings carried with a register: who, when, in what unit and sign, and the RAG thresholds.

They live in a ``Settings`` sheet of the workbook (key / value rows) or a ``<file>.settings.json`` beside a
CSV; both are read and written through ``to_rows`` / ``from_mapping`` so the two never drift.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass, field, fields
from decimal import Decimal
from pathlib import Path

from ..errors import SettingsError
from .money import DEFAULT_DECIMALS, MoneyError, normalise_unit

SIGNS = ("negative", "positive")
DISPLAY_SIGNS = ("as stored", "savings positive")
# Settings written to the Settings sheet only when they differ from the default (a team adds the row to use one)
OPTIONAL_ROWS = {"display_sign", "appendix_columns", "column_widths", "text_limit", "column_map", "published_rows"}


@dataclass
class Settings:
    organisation: str = ""
    title: str = "Savings Tracker"
    appendix_label: str = "Appendix"  # e.g. "Appendix 3": how the committee paper numbers the tracker appendix
    financial_year: str = ""
    period: str = ""
    unit: str = "£000"
    sign: str = "negative"           # how a saving is stored: negative (003, 002) or positive (000)
    decimals: int | None = None      # published precision; None means the unit's usual one
    green_at: Decimal = Decimal("1.00")   # suggested Green when forecast delivers at least this share of plan
    amber_at: Decimal = Decimal("0.75")   # suggested Amber from this share; Red below it
    layout: str = "tracker"
    years: list[str] = field(default_factory=list)
    committees: list[str] = field(default_factory=list)
    rag_definitions: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_RAG_DEFINITIONS))
    appendix_folder: str = "appendices"
    returns_folder: str = "returns"      # where the Collect returns button reads the returns sent back
    partners: list[str] = field(default_factory=list)   # who is expected to send a return (partnerships)
    backups_kept: int = 5
    source: str = ""
    published_totals: dict[str, str] = field(default_factory=dict)
    # how a council's own headers were read on import (--map): header text -> column key
    column_map: dict[str, str] = field(default_factory=dict)
    # subtotal and total rows as the council's file published them (kept on import; checks, never lines)
    published_rows: list[dict] = field(default_factory=list)
    # settings that differ for another layout kept in the same workbook, e.g. {"options": {"unit": "£m"}};
    # stored on the Settings sheet as rows "options.unit", "options.sign", ...
    per_layout: dict[str, dict[str, str]] = field(default_factory=dict)
    # appendix layout (rows on the Settings sheet only when a team sets them; see OPTIONAL_ROWS)
    display_sign: str = "as stored"  # or "savings positive": one sign rule for every table and chart of a document
    appendix_columns: dict[str, list[str]] = field(default_factory=dict)  # {"tracker": ["reference", ...]}
    column_widths: dict[str, float] = field(default_factory=dict)        # {"description": 30, ...}
    text_limit: int = 0  # characters: longer text is shortened in the table, in full in an annex; 0 wraps it in full

    def own_header(self, key: str) -> str:
        """The council's own header for column ``key`` (column_map: header -> key), or '' where it has none."""
        return next((header for header, k in self.column_map.items() if k == key), "") if self.column_map else ""

    def for_layout(self, layout: str) -> "Settings":
        """These settings as they apply to ``layout`` (its per-layout rows override the shared ones)."""
        over = dict(self.per_layout.get(layout, {}))
        if not over and self.layout == layout:
            return self
        base = self.to_mapping()
        base.pop("per_layout", None)
        base.update(over, layout=layout)
        if over:
            base["published_totals"] = over.get("published_totals", {})
        return Settings.from_mapping(base, f"Settings ({layout})")

    def __post_init__(self):
        try:
            self.unit = normalise_unit(self.unit)
        except MoneyError as exc:
            raise SettingsError(f"Settings: {exc}") from None
        if self.display_sign not in DISPLAY_SIGNS:
            raise SettingsError(f"Settings: display_sign {self.display_sign!r} is not one of "
                                f"{', '.join(DISPLAY_SIGNS)}")
        if self.sign not in SIGNS:
            raise SettingsError(f"Settings: sign {self.sign!r} is not one of {', '.join(SIGNS)}")
        try:
            self.green_at = Decimal(str(self.green_at).strip().rstrip("%")) / (100 if "%" in str(self.green_at) else 1)
            self.amber_at = Decimal(str(self.amber_at).strip().rstrip("%")) / (100 if "%" in str(self.amber_at) else 1)
        except Exception:
            raise SettingsError(
                f"Settings: RAG thresholds must be numbers such as 1.00 or 95%; found green_at={self.green_at!r}, "
                f"amber_at={self.amber_at!r}") from None
        if not (0 <= self.amber_at <= self.green_at):
            raise SettingsError(
                f"Settings: amber_at ({self.amber_at}) must be between 0 and green_at ({self.green_at})")
        if self.decimals in ("", None):
            self.decimals = None
        else:
            try:
                self.decimals = int(self.decimals)
            except (TypeError, ValueError):
                raise SettingsError(f"Settings: decimals must be a whole number, found {self.decimals!r}") from None
        for name in ("years", "committees", "partners"):
            value = getattr(self, name)
            if isinstance(value, str):
                setattr(self, name, [v.strip() for v in value.replace(";", ",").split(",") if v.strip()])
        try:
            self.text_limit = max(0, int(self.text_limit or 0))
        except (TypeError, ValueError):
            raise SettingsError(f"Settings: text_limit must be a whole number of characters (0 for no limit), "
                                f"found {self.text_limit!r}") from None
        try:
            self.backups_kept = max(0, int(self.backups_kept))
        except (TypeError, ValueError):
            raise SettingsError(f"Settings: backups_kept must be a whole number, found {self.backups_kept!r}") from None

    @property
    def precision(self) -> int:
        return self.decimals if self.decimals is not None else DEFAULT_DECIMALS[self.unit]

    @property
    def saving_sign(self) -> int:
        """Multiply a stored amount by this to get a saving as a positive number."""
        return -1 if self.sign == "negative" else 1

    @property
    def display_factor(self) -> int:
        """Multiply a stored amount by this to show it under ``display_sign``: 1 as stored; -1 to show the
        savings of a register that stores them negative as positive amounts."""
        return -1 if self.display_sign == "savings positive" and self.sign == "negative" else 1

    def display(self, amount):
        """A stored amount as tables and charts show it (``display_sign``); None stays None."""
        return None if amount is None else amount * self.display_factor

    def sign_note(self) -> str:
        """The sentence under a table or chart that says how it shows signs."""
        if self.display_sign == "savings positive":
            return "Savings are shown as positive amounts; a shortfall or cost is negative."
        if self.sign == "negative":
            return "Amounts as the register stores them: savings are negative, a shortfall or cost positive."
        return "Amounts as the register stores them: savings are positive, a shortfall or cost negative."

    @property
    def period_label(self) -> str:
        """'2017-18 as at October 2017'; just the period where it already names the year ('2017/18')."""
        fy = self.financial_year.strip()
        if not self.period:
            return fy
        variants = {fy, fy.replace("-", "/"), fy.replace("/", "-")} - {""}
        if any(v in self.period for v in variants):
            return self.period
        return f"{fy} as at {self.period}" if fy else f"as at {self.period}"

    # ---- round trip through the Settings sheet / sidecar --------------------------------------
    def to_mapping(self) -> dict:
        out = asdict(self)
        out["green_at"] = str(self.green_at)
        out["amber_at"] = str(self.amber_at)
        return out

    def to_rows(self) -> list[tuple[str, str, str]]:
        """(key, value, what it means) rows for the Settings sheet."""
        m = self.to_mapping()
        rows = []
        for f in fields(self):
            if f.name == "per_layout" or (f.name in OPTIONAL_ROWS and m[f.name] == asdict(Settings())[f.name]):
                continue
            value = m[f.name]
            if isinstance(value, list) and value and isinstance(value[0], dict):
                value = json.dumps(value, ensure_ascii=False)
            elif isinstance(value, list):
                value = ", ".join(value)
            elif isinstance(value, dict) and f.name == "column_map":    # one header a line: a user edits it
                value = "{\n" + ",\n".join(f"{json.dumps(k, ensure_ascii=False)}: {json.dumps(v)}"
                                            for k, v in value.items()) + "\n}"
            elif isinstance(value, dict):
                value = json.dumps(value, ensure_ascii=False)
            elif value is None:
                value = ""
            rows.append((f.name, value, SETTING_HELP.get(f.name, "")))
        for layout, over in sorted(self.per_layout.items()):
            for key, value in over.items():
                if isinstance(value, list):
                    value = ", ".join(value)
                rows.append((f"{layout}.{key}", "" if value is None else str(value),
                             f"For the {layout} register: " + SETTING_HELP.get(key, "")))
        return rows

    @classmethod
    def from_mapping(cls, mapping: dict, origin: str = "Settings") -> "Settings":
        known = {f.name for f in fields(cls)}
        unknown = sorted(k for k in mapping if k not in known)
        if unknown:
            raise SettingsError(f"{origin}: unknown setting(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
        data = dict(mapping)
        for key in ("rag_definitions", "published_totals", "appendix_columns", "column_widths", "column_map",
                    "published_rows"):
            if isinstance(data.get(key), str):
                text = data[key].strip()
                try:
                    data[key] = json.loads(text) if text else ([] if key == "published_rows" else {})
                except json.JSONDecodeError:
                    raise SettingsError(f"{origin}: {key} must be JSON such as {{\"Red\": \"...\"}}") from None
        for key in ("organisation", "title", "appendix_label", "financial_year", "period", "source", "appendix_folder",
                    "returns_folder", "layout", "display_sign"):
            if key in data and data[key] is not None:
                data[key] = str(data[key]).strip()
        try:
            return cls(**{k: v for k, v in data.items() if v is not None})
        except SettingsError as exc:
            raise SettingsError(str(exc).replace("Settings:", f"{origin}:", 1)) from None

    @classmethod
    def from_rows(cls, rows, origin: str = "Settings") -> "Settings":
        mapping, per_layout = {}, {}
        for row in rows:
            if not row or row[0] in (None, "") or str(row[0]).strip().lower() in ("setting", "key"):
                continue
            key = str(row[0]).strip()
            value = _cell_value(row[1] if len(row) > 1 else None)
            layout, dot, name = key.partition(".")
            if dot and layout in ("tracker", "programme", "options", "cases"):
                per_layout.setdefault(layout, {})[name] = value
            else:
                mapping[key] = value
        settings = cls.from_mapping(mapping, origin)
        settings.per_layout = per_layout
        return settings

    @classmethod
    def load_sidecar(cls, path: Path) -> "Settings | None":
        side = sidecar_path(path)
        if not side.exists():
            return None
        try:
            data = json.loads(side.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise SettingsError(f"{side.name}: cannot be read as settings JSON ({exc})") from None
        if not isinstance(data, dict):
            raise SettingsError(f"{side.name}: settings must be a JSON object")
        return cls.from_mapping(data, side.name)


def _cell_value(value):
    """A Settings cell as the user meant it: Excel turns a typed 'October 2017' into a date and 5 into 5.0."""
    if isinstance(value, (dt.datetime, dt.date)):
        return value.strftime("%B %Y")
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def sidecar_path(path: Path) -> Path:
    path = Path(path)
    return path.with_name(path.stem + ".settings.json")


DEFAULT_RAG_DEFINITIONS = {
    "Red": "Significant risk: the saving will not be delivered as planned in this year.",
    "Amber": "Some risk: not on track, but plans are in place to deliver most of the saving.",
    "Green": "On track: the saving will be delivered as planned, with clearly identified plans.",
}

SETTING_HELP = {
    "organisation": "Council name shown on appendices.",
    "title": "Title of the register, e.g. Savings Tracker 2017-18.",
    "appendix_label": "How the committee paper numbers the appendix, e.g. Appendix 3.",
    "financial_year": "Financial year, e.g. 2017-18.",
    "period": "Reporting period, e.g. October 2017 (used for snapshots and 'as at').",
    "unit": "Money unit: £, £000 or £m.",
    "sign": "How savings are stored: negative (a saving is -100) or positive.",
    "decimals": "Published precision in decimal places; blank for the unit's usual (£000: 0, £m: 3).",
    "green_at": "Suggest Green when the forecast delivers at least this share of the plan (1.00 = 100%).",
    "amber_at": "Suggest Amber from this share of plan; Red below it.",
    "layout": "tracker, programme or options.",
    "years": "Financial years of multi-year phasing, comma separated.",
    "committees": "Committees offered in the Committee dropdown, comma separated.",
    "rag_definitions": "What Red, Amber and Green mean, as JSON; printed as the legend on appendices.",
    "appendix_folder": "Folder (relative to the workbook) where appendices are written.",
    "returns_folder": "Folder (relative to the workbook) the Collect returns button reads the returns from.",
    "partners": "Organisations expected to send a return (a partnership), comma separated; blank for none.",
    "backups_kept": "How many timestamped backups to keep when the tool writes the workbook.",
    "source": "Where the data came from.",
    "published_totals": "Totals as published, as JSON; the tool checks the lines add up to them.",
    "display_sign": "How tables and charts show savings (appendices, the Summary sheet, the CLI summary): 'as "
                    "stored' (the register's sign) or 'savings positive'; stated under each table.",
    "appendix_columns": "Columns each appendix prints, in order, as JSON, e.g. {\"tracker\": [\"reference\", \"title\"]}.",
    "text_limit": "Appendix text longer than this many characters is shortened in the table and printed in full "
                  "in an annex; 0 prints it in full.",
    "column_widths": "Printed column widths as relative weights, as JSON, e.g. {\"description\": 30}.",
    "column_map": "The council's own column headers on the Tracker and the column each is read as (header: "
                  "column key), as JSON. Renaming a header on the Tracker? Change it here too, or the column is "
                  "reported as renamed.",
    "published_rows": "Subtotal and total rows as the council's file published them (checks on the lines), as JSON.",
}
