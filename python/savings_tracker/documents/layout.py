"""Which columns an appendix prints, in which order and how wide: settings with defaults a committee clerk
would publish.

Defaults leave out what is internal to the finance team: the tool's Suggested RAG, the Committee column
inside a table that is already one committee's, and an optional text column (partners) that is blank or "0"
on every line. ``appendix_columns`` on the Settings sheet (JSON, e.g. ``{"tracker": ["reference", "title",
"plan_total", "forecast_total", "rag"]}``) chooses the columns and their order; ``column_widths``
(``{"description": 30}``) their relative widths.
"""
from __future__ import annotations

from ..core import schema
from ..errors import SettingsError

INTERNAL = {"suggested_rag"}       # the tool's suggestion: the officer's RAG is what is published
GROUPED_BY = "committee"           # tracker tables are one per committee
DROP_WHEN_EMPTY = {"partners"}     # optional text columns left out when no line has anything in them
_EMPTY = {"", "0", "-", "n/a", "none", "nan"}


def _empty(values) -> bool:
    return all(str(v if v is not None else "").strip().lower() in _EMPTY for v in values)


def tracker_keys(settings, frame, available: list[str]) -> list[str]:
    """The tracker table's columns. ``frame``: the lines as they will be printed (``calc.effective``)."""
    chosen = settings.appendix_columns.get("tracker") if settings.appendix_columns else None
    if chosen:
        unknown = [k for k in chosen if k not in schema.BY_KEY]
        if unknown:
            raise SettingsError(
                f"Settings: appendix_columns for the tracker names {', '.join(map(repr, unknown))}, which "
                f"{'is not a column' if len(unknown) == 1 else 'are not columns'}; columns: {', '.join(available)}")
        keys = [k for k in chosen if k in available]
        if "reference" in keys:  # the row header comes first
            keys.remove("reference")
        return ["reference", *keys]
    keys = [k for k in available if k not in INTERNAL and k != GROUPED_BY]
    return [k for k in keys if not (k in DROP_WHEN_EMPTY and (k not in frame.columns or _empty(frame[k])))]


def weight(settings, column: schema.Column, default: float) -> float:
    try:
        return float(settings.column_widths.get(column.key, default)) if settings.column_widths else default
    except (TypeError, ValueError):
        raise SettingsError(f"Settings: column_widths for {column.key!r} must be a number, found "
                            f"{settings.column_widths.get(column.key)!r}") from None


SHORTENED = ("description", "commentary", "partners")  # the long text columns of a tracker


def shorten_long_text(settings, groups: list[dict], headers: dict[str, str]) -> list[dict]:
    """With ``text_limit`` set, text longer than the limit is cut at a word boundary in the table, with a pointer
    to the annex, where it is printed in full. Returns the annex: ``[{number, reference, column, text}]``."""
    limit = settings.text_limit
    annex: list[dict] = []
    if not limit:
        return annex
    for group in groups:
        for line in group["lines"]:
            for cell in line["cells"]:
                text = cell["text"]
                if cell["key"] not in SHORTENED or len(text) <= limit:
                    continue
                cut = text[:limit].rsplit(" ", 1)[0] if " " in text[:limit] else text[:limit]
                annex.append({"number": len(annex) + 1, "reference": line.get("reference", ""),
                              "column": headers.get(cell["key"], cell["key"]), "text": text})
                cell["text"] = line[cell["key"]] = f"{cut.rstrip(' ,;:.')} … (in full: annex note {len(annex)})"
    return annex
