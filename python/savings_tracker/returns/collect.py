"""``returns collect``: read a folder of returns, check them, say who has and has not returned, consolidate the
partnership returns, and merge council returns into the workbook.

The merge is one ``plans.UpdatePlan`` applied by the closed-file writer, as ``savings-tracker refresh`` does
(``xlsx.apply.ClosedFileWriter``: atomic, with a backup): the returned cells, the cached values of the formulas that
read them, the refresh of Checks, the cell highlights and the Summary from the merged register, and the Returns
sheet. Return files are only read.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from ..errors import UnreadableFile
from . import council, partnership, read
from .findings import ERROR, WARNING, ReturnFinding
from .names import read_partner_list


class Tracker:
    """The Savings Tracker workbook the returns go into, read once: its register and its sheets' grids."""

    def __init__(self, path: Path):
        from ..core import schema
        from ..readers import read_book

        if path.suffix.lower() not in (".xlsm", ".xlsx"):
            raise UnreadableFile(f"{path.name}: --into takes the Savings Tracker workbook (.xlsm or .xlsx), not a "
                                 f"{path.suffix or 'file without extension'}")
        self.path = path
        self.book, self.reg = read_book(path)
        need = [schema.SHEET_NAMES[k] for k in ("summary", "checks")]
        missing = [s for s in need if s not in self.book.grids]
        if not self.reg.source.table or missing:
            raise UnreadableFile(f"{path.name}: not a Savings Tracker workbook ("
                                 + (f"no sheet {', '.join(missing)}" if missing else "the register is not in an "
                                    f"Excel Table named {schema.TABLE_NAMES['tracker']}")
                                 + f"); build one with 'savings-tracker build-workbook --data {path.name} "
                                   "--out Savings_Tracker.xlsm'")

    def used_rows(self, sheet: str) -> int:
        rows = self.book.grids[sheet].rows if sheet in self.book.grids else []
        return max((i for i, row in enumerate(rows, start=1) if any(v not in (None, "") for v in row)), default=0)

    def headers(self) -> dict:
        """key -> the header as the workbook spells it (the formulas name columns by header)."""
        rows = self.book.grids[self.reg.source.sheet].rows
        head = rows[self.reg.source.header_row - 1] if len(rows) >= self.reg.source.header_row else []
        return {k: head[c] for k, c in self.reg.source.columns.items() if 0 <= c < len(head) and head[c]}


def return_files(folder: Path) -> list[Path]:
    if not folder.exists():
        raise UnreadableFile(f"{folder}: no such folder")
    if not folder.is_dir():
        raise UnreadableFile(f"{folder}: not a folder; give the folder the returns were saved in")
    return sorted((p for p in folder.iterdir() if p.is_file() and not p.name.startswith(("~$", ".", ".~lock"))),
                  key=lambda p: p.name.casefold())


def _as_made_partner(rf: read.ReturnFile, org: partnership.OrgReturn, findings: list) -> None:
    """A product partnership return: a baseline or target % changed in a locked cell is a finding, and the
    value as sent is used."""
    keys, rows = council.made_rows(rf.grids.get(read.INFO_SHEET, []))
    if "year" not in keys:
        return
    sheet = rf.grids.get(read.RETURN_SHEET, [])
    hr = int(rf.info.get("header_row", "9"))
    head = sheet[hr - 1] if len(sheet) >= hr else []
    cols = {read.classify(v): ci for ci, v in enumerate(head) if read.classify(v)}
    at = {partnership.year_label(r[0]): ri for ri, r in enumerate(sheet) if ri >= hr and r}

    def cell(year, key):
        return read.a1(at[year], cols[key]) if year in at and key in cols else ""

    for r in rows:
        y = partnership.year_label(r[keys.index("year")])
        got = org.years.get(y)
        if got is None:
            continue
        for key, what in (("baseline", "baseline"), ("target_pct", "target %")):
            if key not in keys or r[keys.index(key)] in (None, ""):
                continue
            sent = Decimal(repr(float(r[keys.index(key)])))
            have = got.target_pct if key == "target_pct" else (got.baseline if got.baseline is not None
                                                              else org.baseline)
            if have is not None and have.quantize(Decimal("0.0001")) != sent.quantize(Decimal("0.0001")):
                was, now = f"{sent.normalize():f}", f"{have.normalize():f}"
                findings.append(ReturnFinding(ERROR, "locked-cell-edited", f"{y} {what} is a locked cell and was "
                                              f"changed from {was} to {now}: the value as sent ({was}) is used",
                                              rf.name, read.RETURN_SHEET, cell(y, key), now))
            if key == "target_pct":
                got.target_pct = sent
            elif have is not None and have != sent:
                got.baseline = None
                org.baseline = sent


def read_folder(files: list[Path], dp: int):
    """Every file read and sorted: council returns, organisations' returns, and the findings of files that
    cannot be used."""
    findings: list[ReturnFinding] = []
    council_returns: list[council.CouncilReturn] = []
    org_returns: list[partnership.OrgReturn] = []
    for path in files:
        if path.suffix.lower() not in read.SUFFIXES:
            findings.append(ReturnFinding(WARNING, "file-skipped", f"not a return file (accepted: "
                                          f"{', '.join(read.SUFFIXES)}); skipped", path.name))
            continue
        try:
            rf = read.load(path)
        except UnreadableFile as exc:
            message = str(exc).removeprefix(f"{path.name}: ")
            findings.append(ReturnFinding(ERROR, "return-unreadable", f"{message}. Nothing of it is used",
                                          path.name, value=path.name))
            continue
        if rf.kind == "council":
            council_returns.append(council.read_council_return(rf, dp))
            continue
        before = len(findings)
        orgs = read.partnership_returns(rf, findings)
        if orgs:
            if rf.kind == "partnership":
                for o in orgs:
                    _as_made_partner(rf, o, findings)
                    by = rf.info.get("returned_by_cell", "B7")
                    o.returned_by = _cell(rf.grids.get(read.RETURN_SHEET, []), by)
            org_returns.extend(orgs)
            continue
        del findings[before:]
        findings.append(ReturnFinding(ERROR, "return-unrecognised",
                                      "no return found in the file: it is neither a return made by "
                                      "'savings-tracker returns make' nor a table with per-year headers "
                                      "(Year, Baseline £, Target %, Planned efficiencies £, Forecast RAG); "
                                      "nothing of it is used", path.name))
    return council_returns, org_returns, findings


def run(folder: Path, *, into: Path | None = None, partners: Path | None = None, backups: int | None = None,
        appendix: Path | None = None, appendix_options: dict | None = None):
    """-> (exit code, JSON payload, text lines)."""
    files = return_files(folder)
    loaded = None
    if into is not None:
        loaded = Tracker(into)
    dp = loaded.reg.settings.precision if loaded else 0
    council_returns, org_returns, findings = read_folder(files, dp)
    partner_list = read_partner_list(partners) if partners is not None else \
        (list(loaded.reg.settings.partners) or None if loaded is not None else None)
    if appendix is not None and not org_returns and partner_list is None:
        raise UnreadableFile(f"{folder}: no partnership returns and no --partners list: there is nothing for the "
                             "appendix 'Partnership efficiency returns'")
    lines: list[str] = [f"{folder}: {len(files)} file{'s' * (len(files) != 1)}"]
    payload: dict = {}
    returns_rows: list[list] = []
    if org_returns or partner_list is not None:
        cons = partnership.consolidate(org_returns, partner_list, findings)
        findings = cons.findings
        payload = partnership.as_json(cons)
        lines.append(partnership.as_text(cons))
        if appendix is not None:
            from .document import write
            lines.append(f"Wrote {write(cons, appendix, **(appendix_options or {}))}")
        for name in cons.partners:
            if name in cons.received:
                returns_rows.append([cons.received_at[name], name, None, cons.files[name], "received", None, None])
            else:
                returns_rows.append([None, name, None, None, "not returned", None, None])
    if council_returns:
        # the Returns sheet lists the partners above (if any), then the council returns
        cpay, clines, _rows, cfind = _council(council_returns, loaded, backups, findings, returns_rows)
        if payload:
            payload["council"] = cpay
        else:
            payload = cpay
        lines.extend(clines)
        findings = cfind
    elif loaded is not None:
        # a partnership's folder: the committees are not expected to send returns in it
        _pay, clines, _rows, _found = _council([], loaded, backups, findings, returns_rows,
                                               expect_committees=not (org_returns or partner_list))
        lines.extend(clines)
    if "findings" not in payload or not council_returns:
        payload["findings"] = [f.as_dict() for f in findings]
    if not org_returns and partner_list is None and not council_returns and loaded is None:
        lines.extend(f.text() for f in findings)
    errors = any(f.severity == ERROR for f in findings)
    return (1 if errors else 0), payload, lines


def _cell(rows, ref: str) -> str:
    from .. import cells
    at = cells.parse(ref)
    if not at or at[0] - 1 >= len(rows) or at[1] - 1 >= len(rows[at[0] - 1]):
        return ""
    return read.text(rows[at[0] - 1][at[1] - 1])


def _council(returns, loaded, backups, findings, extra_rows=None, expect_committees=True):
    """Council returns: checked, and with a workbook merged into it."""
    if loaded is None:
        for r in returns:
            findings.extend(r.findings)
        payload = {"received": sorted({r.group for r in returns}), "missing": [],
                   "returns": [_return_json(r) for r in returns], "changes": [],
                   "findings": [f.as_dict() for f in findings]}
        text = ["Council returns (checked only; give --into WORKBOOK to merge them):"]
        text += [f"  {r.file.name}: {r.sender}, {len(r.lines)} lines" for r in returns]
        text += [f.text() for f in findings]
        return payload, text, [], findings
    from . import make
    reg = loaded.reg
    owners = None
    if any(r.by == "owner" for r in returns):
        ci = make.owner_column(loaded.book, reg)
        grid = loaded.book.grids[reg.source.sheet].rows
        owners = {reg.label(i): read.text(grid[int(reg.lines.at[i, "_row"]) - 1][ci]) for i in reg.lines.index} \
            if ci is not None else {}
    result = council.collect(reg, returns, owners)
    if not expect_committees:
        result.missing = []
    findings = [*findings, *result.findings]
    rows = returns_rows(returns, result, findings, extra_rows)
    write, report, result_w = _write(loaded, result, rows, findings, backups)
    payload = {"received": result.received, "missing": result.missing,
               "returns": [_return_json(r) for r in returns],
               "changes": [{"reference": c.reference, "column": c.key, "cell": c.cell, "old": _j(c.old),
                            "new": _j(c.new), "file": c.file, "return_cell": c.return_cell} for c in result.changes],
               "findings": [f.as_dict() for f in findings], "wrote": str(loaded.path),
               "backup": str(result_w.backup) if result_w and result_w.backup else None}
    text = []
    if returns:
        # '; ' between names: committee names may hold commas ("Adults, C&YP")
        text.append(f"Returns received from: {'; '.join(result.received) or 'none'}")
        text.append(f"Returns not received from: {'; '.join(result.missing) or 'none'}")
        for r in sorted(returns, key=lambda r: (r.file.received or dt.datetime.min, r.file.name)):
            when = r.file.received.strftime("%d %b %Y %H:%M") if r.file.received else ""
            text.append(f"  {r.file.name} ({r.sender}, saved {when}): {r.status}")
    n_lines = len({c.reference for c in result.changes})
    text.append(f"{len(result.changes)} cell{'s' * (len(result.changes) != 1)} changed in {n_lines} "
                f"line{'s' * (n_lines != 1)}:")
    for c in result.changes:
        text.append(f"  {reg.source.sheet}!{c.cell} {c.reference} {c.key}: {_shown(c.old)} -> {_shown(c.new)} "
                    f"({c.file} {c.return_cell})")
    text.extend(f.text() for f in findings)
    text.extend(write)
    return payload, text, rows, findings


def returns_rows(returns, result, findings, extra_rows=None) -> list[list]:
    """The Returns sheet's table: each return file (when, from, by whom, status, cells changed, problems), each
    sender that has not returned, and each file that could not be used."""
    rows = list(extra_rows or [])
    for r in sorted(returns, key=lambda r: (r.file.received or dt.datetime.min, r.file.name)):
        mine = [f for f in findings if f.file == r.file.name and f.severity in (ERROR, WARNING)]
        rows.append([r.file.received.strftime("%Y-%m-%d %H:%M") if r.file.received else None,
                     f"{r.by.title()} {r.group}", r.returned_by or None, r.file.name, r.status,
                     sum(1 for c in result.changes if c.file == r.file.name),
                     "\n".join(f.message for f in mine)[:2000] or None])
    for g in result.missing:
        rows.append([None, g, None, None, "not returned", 0, None])
    returned = {r.file.name for r in returns}
    for f in findings:
        if f.file and f.file not in returned and f.code in ("return-unreadable", "return-unrecognised"):
            rows.append([None, None, None, f.file, "not used: " + f.code.replace("-", " "), 0, f.message])
    return rows


def _j(v):
    if isinstance(v, Decimal):
        return int(v) if v == v.to_integral_value() else float(v)
    return v


def _shown(v) -> str:
    if v is None:
        return "(blank)"
    if isinstance(v, Decimal):
        return f"{v:f}"
    return repr(v) if isinstance(v, str) and len(v) < 60 else (repr(v[:57] + "...") if isinstance(v, str) else str(v))


def _return_json(r) -> dict:
    return {"file": r.file.name, "by": r.by, "for": r.group, "returned_by": r.returned_by,
            "received": r.file.received.isoformat(sep=" ") if r.file.received else None, "status": r.status,
            "lines": len(r.lines)}


def merge_plan(reg, result, headers: dict, *, checks_values, summary_values, checks_used_rows: int,
               returns_rows: list[list], findings: list, returns_used_rows: int, cache_formulas: bool):
    """One plan for a collection: the returned cells; (closed file) the formulas that read them, with their new
    values cached; the refresh of Checks, highlights, Suggested RAG and Summary from the merged register (what
    the Refresh button does); and the Returns sheet."""
    from .. import plans
    from ..core.validate import validate_and_summarise
    from ..xlsx.sheet import CellFormula
    from .sheet import returns_blocks

    new = council.merged(reg, result.changes)
    plan = plans.UpdatePlan()
    index = {reg.label(i): i for i in reg.lines.index}
    for c in result.changes:
        plan.blocks.append(plans.Block(reg.source.sheet, c.cell, [[c.new]]))
    for ref in dict.fromkeys(c.reference for c in result.changes) if cache_formulas else ():
        i = index[ref]
        for key in plans.COMPUTED_FORMULA_KEYS:
            if not reg.has(key) or not isinstance(new.lines.at[i, key], Decimal):
                continue
            formula = plans.computed_formula(reg, key, headers)
            if formula and new.lines.at[i, key] != reg.lines.at[i, key]:
                plan.blocks.append(plans.Block(reg.source.sheet, reg.cell(i, key),
                                               [[CellFormula(formula, float(new.lines.at[i, key]))]]))
    over = plans.find_typed_over(new, headers)
    fixed = plans.without_typed_over(new, over)
    checks, summary = validate_and_summarise(fixed)
    refresh = plans.refresh_plan(fixed, checks, summary, over, checks_used_rows=checks_used_rows,
                                   checks_values=checks_values, summary_values=summary_values,
                                   original=reg if cache_formulas else None)
    for name in ("blocks", "marks", "clear_marks", "restored_formulas", "insert_rows", "resize_tables", "results",
                 "filters", "formats"):
        getattr(plan, name).extend(getattr(refresh, name))
    plan.blocks.extend(returns_blocks(returns_rows, [[f.severity, f.file, f.sheet or None, f.cell or None,
                                                      None if f.value is None else str(f.value), f.code, f.message]
                                                     for f in findings], returns_used_rows))
    plan.messages = list(refresh.messages)
    return plan


def _write(loaded, result, rows, findings, backups):
    """Merge into the closed workbook: one plan through the closed-file writer, atomic with a backup."""
    from .sheet import SHEET

    reg = loaded.reg
    plan = merge_plan(reg, result, loaded.headers(), checks_values=loaded.book.grids["Checks"].rows,
                      summary_values=loaded.book.grids["Summary"].rows, checks_used_rows=loaded.used_rows("Checks"),
                      returns_rows=rows, findings=findings, returns_used_rows=loaded.used_rows(SHEET),
                      cache_formulas=True)
    result_w, report = _apply(loaded.path, plan, reg.settings.backups_kept if backups is None else backups)
    out = [f"note: {n}" for n in report.notes]
    out += [f"warning: {w}" for w in result_w.warnings]
    out.append(plan.messages[0] if plan.messages else "")
    out.append(f"Wrote {loaded.path}" + (f" (backup: {result_w.backup.name})" if result_w.backup else ""))
    return out, report, result_w


def _apply(path: Path, plan, backups_kept: int):
    """The closed-file writer, adding the Returns sheet first when the workbook has none."""
    from ..xlsx.apply import ClosedFileWriter, patch_workbook
    from ..xlsx.atomic import atomic_write
    from .sheet import add_sheet, has_sheet

    if has_sheet(path):
        return ClosedFileWriter(path, backups_kept=backups_kept).apply(plan)
    reports = []

    def write(tmp: Path):
        step = tmp.with_name(tmp.name + ".sheet")
        try:
            add_sheet(path, step)
            reports.append(patch_workbook(step, tmp, plan))
        finally:
            step.unlink(missing_ok=True)

    result = atomic_write(path, write, backups_kept=backups_kept)
    return result, reports[0]
