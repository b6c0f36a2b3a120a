"""The header row of a council's grid: where it is (a title above, one or two rows, a first column with no
header), what each cell means (recognised, --map'd, or Settings' column_map of an imported workbook), and the
findings about an imported workbook's own headers renamed since."""
from __future__ import annotations

from .. import cells
from ..core import schema
from ..core.register import ERROR, WARNING, Finding
from ..core.settings import Settings

HEADER_SCAN_ROWS = 60
KEY_COLUMNS = ("reference", "title")
def _cell_str(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return " ".join(str(v).replace("\u00a0", " ").split())


def map_key(text) -> str:
    """A header as a mapping looks it up: case, line breaks and repeated spaces do not matter."""
    return " ".join(str(text).replace("\u00a0", " ").split()).lower()


def header_mapping(settings: Settings | None, mapping: dict[str, str] | None = None) -> dict[str, str]:
    """Header (as ``map_key`` spells it) -> column key: Settings' column_map (an imported workbook's own
    headers), then ``--map`` over it."""
    out = {map_key(k): v for k, v in (settings.column_map.items() if settings is not None else ())}
    out.update((map_key(k), v) for k, v in (mapping or {}).items())
    return out


def _key_of(mapping: dict[str, str] | None, *texts: str) -> str | None:
    if not mapping:
        return None
    for t in texts:
        k = mapping.get(map_key(t)) if t else None
        if k:
            return k
    return None


class Header:
    """The header row of a grid and what each of its cells means. ``group``: the cells of the row above (a
    two-row header: a merged group cell such as "2025/26" or "Project Phasing" over its sub-headers), combined
    with each sub-header below it. ``mapping``: header text (lower case) -> column key, from --map."""

    def __init__(self, row_index: int, cells: list, year_labels: list[str] | None = None, *, group: list | None = None,
                 mapping: dict[str, str] | None = None):
        self.row_index = row_index
        self.mapping = mapping or {}
        self.cells = cells
        self.group_cells = group
        self.columns: dict[str, int] = {}
        self.unknown: list[tuple[int, str]] = []
        self.repeated: list[tuple[int, str, str]] = []
        self.years: list[str] = []
        self.texts: dict[int, str] = {}          # column -> the header as read (group and sub-header combined)
        self.how: dict[int, str] = {}            # column -> why it was read as it was
        self.extra: list[tuple[int, str]] = []   # columns mapped to be carried as they are
        families: dict[str, list[tuple[int, str]]] = {}
        width = max(len(cells), len(group or []))
        for ci in range(width):
            sub = _cell_str(cells[ci]) if ci < len(cells) else ""
            top = _cell_str(group[ci]) if group and ci < len(group) else ""
            if not sub and not top:
                continue
            combined = f"{top} {sub}".strip() if top and sub and top != sub else (sub or top)
            self.texts[ci] = combined
            mapped = _key_of(mapping, combined, sub, top)
            if mapped:
                m, why, matched = self._mapped(mapped, combined), "--map", combined
                if m is None:
                    self.extra.append((ci, combined))
                    self.how[ci] = "--map: carried as an extra column"
                    continue
            else:
                m, why, matched = None, "", combined
                for text, what in ((sub, "header"),
                                   (combined, "header with the group above" if sub and top else
                                    "header (merged over both header rows)" if top else "header")):
                    if text and (m := schema.match_header(text)) is not None:
                        why, matched = what, text
                        break
            if m is None:
                self.unknown.append((ci, combined))
                continue
            key, year = m
            self.how[ci] = f"{why} '{matched if why != '--map' else combined}'" + (f" (year {year})" if year else "")
            if year:
                families.setdefault(key, []).append((ci, year))
                continue
            if key in self.columns:
                self.repeated.append((ci, combined, key))
            else:
                self.columns[key] = ci
        for prefix, cols in families.items():
            for n, (ci, year) in enumerate(cols[: schema.MAX_YEARS], start=1):
                self.columns[f"{prefix}{n}"] = ci
                if year not in self.years:
                    self.years.append(year)
            for ci, year in cols[schema.MAX_YEARS:]:
                self.unknown.append((ci, f"{year} (more than {schema.MAX_YEARS} years)"))
        if "title" not in self.columns and "description" in self.columns:
            # "Saving Description" is how many councils name their lines: with no Title column it is the title
            ci = self.columns.pop("description")
            self.columns["title"] = ci
            self.how[ci] += " (the register has no Title column: its description names each line)"

    @staticmethod
    def _mapped(key: str, text: str):
        if key in ("extra", "keep"):
            return None
        if key.endswith("_y") or key in ("plan_y", "saving_y", "fte_y"):
            return key, schema.year_label(text) or "Year"
        for prefix in ("plan_y", "saving_y", "fte_y"):
            if key.startswith(prefix) and key[len(prefix):].isdigit():
                return prefix, schema.year_label(text) or f"Year {key[len(prefix):]}"
        return key, ""

    def headerless_title(self, rows: list[list], first_data: int) -> None:
        """A first column with no header cell that holds text (seed 000's projects, programme headings and
        subtotal rows) is the lines' title when the register has none."""
        if "title" in self.columns:
            return
        used = set(self.columns.values()) | {ci for ci, _ in self.unknown} | {ci for ci, _ in self.extra}
        first = min(used) if used else 0
        for ci in range(0, first):
            texts = [r[ci] for r in rows[first_data:first_data + 30] if ci < len(r) and isinstance(r[ci], str)
                     and r[ci].strip()]
            if len(texts) >= 1:
                self.columns["title"] = ci
                self.texts[ci] = ""
                self.how[ci] = "a first column with no header that holds text: read as the title of each line"
                return

    @property
    def score(self) -> int:
        return len(self.columns)


def find_header(rows: list[list], start: int = 0, stop: int | None = None, *, merged=(),
                mapping: dict[str, str] | None = None) -> Header | None:
    """The header row: the first row (of the first ``HEADER_SCAN_ROWS``) that names at least three register
    columns including a reference or title (a first text column with no header counts as the title); combined
    with the row above it when that makes a two-row header read better."""
    stop = min(len(rows), stop if stop is not None else start + HEADER_SCAN_ROWS)
    for ri in range(start, stop):
        row = rows[ri]
        if sum(1 for c in row if c not in (None, "")) < 2:
            continue
        best = _header_at(rows, ri, merged, mapping)
        if best is None:
            continue
        if ri + 1 < len(rows):          # this row may be the group row of a two-row header
            below = _header_at(rows, ri + 1, merged, mapping, only_two_row=True)
            if below is not None and below.score > best.score:
                best = below
        return best
    return None


def _group_row(rows: list[list], ri: int, merged) -> list | None:
    """The row above ``ri`` as group cells over the sub-headers: a merged cell spans its columns; without merge
    information a group cell runs right until the next group cell (over non-blank sub-headers)."""
    if ri == 0:
        return None
    above = list(rows[ri - 1])
    sub = rows[ri]
    if sum(1 for c in above if not blank(c)) < 1:
        return None
    width = max(len(above), len(sub))
    above += [None] * (width - len(above))
    spans = [(c1, c2) for r1, c1, r2, c2 in merged if r1 == ri - 1 and c2 > c1]
    if spans:
        for c1, c2 in spans:
            for c in range(c1 + 1, c2 + 1):
                above[c] = above[c1]
        return above
    carry = None
    for c in range(width):
        if not blank(above[c]):
            carry = above[c]
        elif carry is not None and c < len(sub) and not blank(sub[c]):
            above[c] = carry
        else:
            carry = None
    return above


def _header_at(rows, ri, merged, mapping, only_two_row=False) -> Header | None:
    row = rows[ri]
    options = []
    group = _group_row(rows, ri, merged)
    if not only_two_row:
        options.append(Header(ri, row, [], mapping=mapping))
    if group is not None:
        options.append(Header(ri, row, [], group=group, mapping=mapping))
    best = None
    for h in options:
        h.headerless_title(rows, ri + 1)
        if h.score >= 3 and any(k in h.columns for k in KEY_COLUMNS) and (best is None or h.score > best.score):
            best = h
    return best


def renamed_columns(header: Header, settings: Settings, sheet: str) -> list[Finding]:
    """An imported workbook's own headers (Settings' column_map) that its table no longer has: a header renamed
    on the sheet, or in column_map, is said so, never read as something else in silence."""
    if not settings.column_map:
        return []
    present = {map_key(t): ci for ci, t in header.texts.items()}
    by_key = {k: ci for k, ci in header.columns.items()}
    out = []
    for text, key in settings.column_map.items():
        if map_key(text) in present or key not in schema.BY_KEY:
            continue
        fix = (f"put the header back, or write the new header in place of '{text}' in column_map on the "
               f"Settings sheet")
        where = f"A{header.row_index + 1}"
        if key in by_key:
            ci = by_key[key]
            out.append(Finding(WARNING, "column-renamed",
                               f"Settings' column_map reads '{text}' as {key}, but the table has no such header; "
                               f"column {cells.letters(ci + 1)} '{header.texts.get(ci, '')}' was read as {key} "
                               f"instead: {fix}", sheet, f"{cells.letters(ci + 1)}{header.row_index + 1}"))
            continue
        now = ", ".join(f"'{t}'" for t in header.texts.values() if t)
        out.append(Finding(ERROR, "column-renamed",
                           f"Settings' column_map reads '{text}' as {key}, but the table has no such header, so no "
                           f"column is read as {key}; headers now: {now}: {fix}", sheet, where))
    return out


def usable_mapping(settings: Settings | None, mapping: dict[str, str] | None = None
                   ) -> tuple[dict[str, str], list[Finding]]:
    """``header_mapping`` less the entries of Settings' column_map (as a user may have edited it) that name no
    column key: those are reported, not used."""
    from .mapping import known_keys, valid_key
    own = settings.column_map if settings is not None else {}
    bad = {h: k for h, k in own.items() if not isinstance(k, str) or not valid_key(k)}
    findings = [Finding(ERROR, "column-map-invalid",
                        f"Settings' column_map reads '{h}' as '{k}', which is not a column key (keys: "
                        f"{', '.join(known_keys())}); correct it on the Settings sheet", "Settings")
                for h, k in bad.items()]
    out = header_mapping(settings, mapping)
    for h in bad:
        if map_key(h) not in {map_key(m) for m in (mapping or {})}:
            out.pop(map_key(h), None)
    return out, findings


def blank(v) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())
