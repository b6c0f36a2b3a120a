"""A long PDF appendix compiled in parts, then merged into one tagged PDF (``pdf_merge``).

Typst holds the whole laid-out document in memory (about 0.4 GB and, on one compile, ever more time per 1,000
tracker lines), so a tracker of more than ``SINGLE_MAX`` lines is compiled ``PART_LINES`` lines at a time, each
part laid out once, in a child process:

1. every committee starts a page, so committees are laid out side by side (two children at a time), each one's
   parts in turn: the child reports the page each row starts on and writes the part's PDF from the same layout,
   without the running header and footer. A part that stops inside a committee's table is cut where its last
   page starts: that page is dropped (``pdf_merge``, with its rows' structure elements) and its rows start the
   next part, so that every part ends at the foot of a page as one long compile would;
2. the header and footer of every page, with "Page X of Y" now that the pages are counted, are laid out as one
   small document (``templates/furniture.typ``);
3. ``pdf_merge.merge`` joins the parts into one PDF/UA-1 file with one structure tree and draws each page's
   header and footer onto it.

A template takes part when it calls ``part-end(ctx)`` (``templates/base.typ``); one that does not is always
compiled whole.
"""
from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from . import typst_run

PART_LINES = 400   # tracker lines per part: about 0.2 GB and half a second of Typst each
SINGLE_MAX = 800   # up to this many lines a document is one compile
WORKERS = max(1, min(2, os.cpu_count() or 1))
PART_MARKER = "part-end("


@dataclass
class Part:
    start: int          # the first line (numbered through the document, ``line.seq``)
    end: int            # one past the last line
    pages: int = 0      # pages kept (a cut part's last page is dropped in the merge)
    laid_out: int = 0   # pages its PDF has
    pdf: Path | None = None
    paper: str = "a4"


def line_count(data: dict) -> int:
    groups = data.get("groups")
    if not isinstance(groups, list):
        return 0
    return sum(len(g.get("lines", [])) for g in groups if isinstance(g, dict))


def in_parts(data: dict, template_text: str) -> bool:
    """Whether to compile in parts: a long register and a template that knows about parts."""
    return line_count(data) > SINGLE_MAX and PART_MARKER in template_text


def number_lines(data: dict) -> None:
    """``line.seq``: each line's place in the document, by which a part reports the page it starts on."""
    seq = 0
    for group in data["groups"]:
        for line in group["lines"]:
            line["seq"] = seq
            seq += 1


def _bounds(data: dict) -> list[tuple[int, int]]:
    out, seq = [], 0
    for group in data["groups"]:
        out.append((seq, seq + len(group["lines"])))
        seq += len(group["lines"])
    return out


def part_data(data: dict, start: int, end: int) -> dict:
    """The context of lines ``start`` to ``end``: the committees they belong to, each marked ``continued``
    (its heading was printed by the part before) and ``complete`` (its total row belongs to this part)."""
    total = line_count(data)
    groups = []
    for group, (a, b) in zip(data["groups"], _bounds(data)):
        empty_here = a == b and (start <= a < end or (a == total and end == total))
        if not empty_here and (b <= start or a >= end):
            continue
        groups.append({**group, "lines": group["lines"][max(a, start) - a:min(b, end) - a],
                       "continued": a < start, "complete": b <= end})
    first = start == 0
    if groups and not first:
        groups[0]["new_page"] = False  # a part starts a page of its own
    lead = next((g for g in groups if not g["continued"]), None)
    if lead is not None and not first:
        lead["lead"] = True  # a later part's first heading (templates/base.typ, part-heading)
    part = {"first": first, "last": end == total, "annex_lead": lead is None and not first}
    return {**data, "groups": groups, "part": part}


def cut(part: Part, rows: list, group_starts: set[int], tall: set[int]) -> tuple[int, int]:
    """Where to end a part once laid out: (first line of the next part, pages it keeps). At the latest
    page that starts inside a committee's table (not on its first line, nor after a row that may break), so the
    part ends with a full page; the whole part if no page does."""
    first_on = {}
    for seq, page in rows:
        first_on[page] = min(seq, first_on.get(page, seq))
    for page in sorted(first_on, reverse=True):
        seq = first_on[page]
        if page > 1 and seq > part.start and seq not in group_starts and seq - 1 not in tall:
            return seq, page - 1
    return part.end, part.pages


Compile = Callable[[dict, Path], tuple[dict, Path]]


def _segments(data: dict) -> list[tuple[int, int]]:
    """Runs of lines that can be laid out side by side: each committee starts a page (tracker.typ), so its parts
    do not depend on the committee before. One run when a committee has no lines."""
    bounds = _bounds(data)
    if any(b == a for a, b in bounds) or not bounds:
        return [(0, line_count(data))]
    return bounds


def lay_out(data: dict, compile_part: Compile, folder: Path) -> list[Part]:
    """Every part laid out once and written to PDF, two at a time: each committee's parts in turn (a part starts
    where the one before was cut), the committees' parts taken in turns so that both workers stay busy to the end."""
    group_starts = {a for a, b in _bounds(data) if b > a}
    tall = {line["seq"] for g in data["groups"] for line in g["lines"] if line.get("tall")}
    segments = _segments(data)
    done: list[list[Part]] = [[] for _ in segments]

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        def step(n: int, start: int):
            stop = segments[n][1]
            part = Part(start, min(stop, start + PART_LINES))
            report, part.pdf = compile_part(part_data(data, part.start, part.end), folder / f"part-{n:03d}-{len(done[n]):03d}")
            part.laid_out = part.pages = int(report["pages"])
            part.paper = str(report.get("paper") or "a4")
            if part.end < stop:
                part.end, part.pages = cut(part, report["rows"], group_starts, tall)
            done[n].append(part)
            return pool.submit(step, n, part.end) if part.end < stop else None  # the committee's next part

        pending = [pool.submit(step, n, start) for n, (start, _) in enumerate(segments)]
        while pending:
            following = pending.pop(0).result()
            if following is not None:
                pending.append(following)
    return [part for parts in done for part in parts]


def compile_in_parts(data: dict, template: str, search_path: list[str], folder: Path) -> tuple[list[Part], Path]:
    """Lay the parts out (each in a child process), then the header and footer of all their pages."""
    def compile_part(part_ctx: dict, where: Path):
        main = typst_run.stage(template, search_path, where)
        typst_run.write_data(part_ctx, where)
        return typst_run.run_child(main, where, template)

    number_lines(data)
    parts = lay_out(data, compile_part, folder)
    typst_run.stage("furniture", search_path, folder / "furniture")
    furniture = {"doc": data.get("doc", {}), "paper": parts[0].paper, "pages": sum(p.pages for p in parts)}
    return parts, typst_run.compile_furniture(folder / "furniture", furniture)
