"""Quick table rows for a Word appendix: a row loop whose row is one column loop over a cell (the tracker's line
rows, ``{%tr for line in group.lines %}`` with ``{%tc for cell in line.cells %}``: 200,000 cells at 10,000 lines).

Jinja rendering each cell, tags and all, was most of the time a long Word tracker took. Here the cell is rendered
by Jinja once per kind of cell (its values other than the text, and its column) with a marker where the text goes,
and each cell is that XML with its own text, escaped as Jinja escapes it. Only for a cell that prints its text as
``{{ cell.text }}`` and uses nothing else of it: a template that does more (a test on the text, another name, a
picture, a merged cell) is rendered by Jinja as before (``docx_rows``).
"""
from __future__ import annotations

import re
import secrets

import jinja2
from jinja2 import meta
from markupsafe import escape

from .docx_tables import fit_row_widths

_LOOP = re.compile(r"\{% for (\w+) in ([\w.]+) %\}(<w:tr>(?:(?!\{[{%#]).)*?)\{% for (\w+) in \1\.(\w+) %\}"
                   r"(<w:tc>.*?</w:tc>)\{% endfor %\}((?:(?!\{[{%#]).)*?</w:tr>)\{% endfor %\}", re.S)
_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.S)
_DICT_NAMES = frozenset(dir(dict))
BATCH = 500  # rows finished and written at a time


class QuickRows:
    """One row loop of the kind above, rendered by filling in cells; ``None`` from ``of`` for any other loop."""

    def __init__(self, line: str, lines: str, head: str, cell: str, attr: str, body: str, tail: str, names: set,
                 env: jinja2.Environment):
        self.line, self.attr, self.cell, self.head, self.tail, self.names, self.env = \
            line, attr, cell, head, tail, sorted(names), env
        self.lines = env.compile_expression(lines, undefined_to_none=False)
        self.cell_template = env.from_string(body)
        self.row_template = env.from_string("{%% for %s in %s.%s %%}%s{%% endfor %%}" % (cell, line, attr, body))
        self.marker = "CELLTEXT" + secrets.token_hex(8)
        self.kinds: dict = {}

    @classmethod
    def of(cls, source: str, env: jinja2.Environment) -> "QuickRows | None":
        m = _LOOP.fullmatch(source)
        if not m:
            return None
        line, lines, head, cell, attr, body, tail = m.groups()
        if "{% for" in body or "<w:tc" in head + tail or "<w:tbl" in body or "gridSpan" in body or "docPr" in body:
            return None
        try:
            if meta.find_undeclared_variables(env.parse(body)) != {cell}:
                return None
        except jinja2.TemplateSyntaxError:
            return None
        names = set()
        for tag in _TAG.findall(body):
            if re.fullmatch(r"\{\{\s*%s\.text\s*\}\}" % cell, tag):
                continue
            for m2 in re.finditer(r"\b%s\b(\.(\w+))?" % cell, tag):
                name = m2.group(2)
                if name is None or name == "text" or name in _DICT_NAMES or name.startswith("_"):
                    return None  # the cell used some other way: Jinja renders it
                names.add(name)
        return cls(line, lines, head, cell, attr, body, tail, names, env)

    def _cell(self, cell, column: int, grid: list[int] | None) -> str:
        if type(cell) is dict and "text" in cell:
            try:
                key = (column, *map(cell.__getitem__, self.names))
                xml = self.kinds.get(key) or self._kind(key, cell, column, grid)
                return xml.replace(self.marker, _escaped(cell["text"]))
            except (KeyError, TypeError):  # a value missing (Jinja says which), or one that cannot be a key
                pass
        return self._fitted(self.cell_template.render({self.cell: cell}), column, grid)

    def _kind(self, key: tuple, cell: dict, column: int, grid: list[int] | None) -> str:
        shape = {n: cell[n] for n in self.names}
        shape["text"] = self.marker
        xml = self.kinds[key] = self._fitted(self.cell_template.render({self.cell: shape}), column, grid)
        return xml

    @staticmethod
    def _fitted(xml: str, column: int, grid: list[int] | None) -> str:
        """The cell with the width ``fit_row_widths`` gives the ``column``-th cell of a row."""
        if not grid:
            return xml
        return fit_row_widths("<w:tr>" + xml + "</w:tr>", [sum(grid[column:column + 1])])[len("<w:tr>"):-len("</w:tr>")]

    def rows(self, context: dict, grid: list[int] | None):
        """The rendered rows, a list of ``BATCH`` at a time (Jinja's own output for a line it cannot fill in quickly)."""
        lines = self.lines(**context)
        batch = []
        for line in lines:
            cells = self.env.getattr(line, self.attr) if isinstance(line, dict) else None
            if isinstance(cells, (list, tuple)):
                batch.append(self.head + "".join(self._cell(c, i, grid) for i, c in enumerate(cells)) + self.tail)
            else:
                row = self.row_template.render({**context, self.line: line})
                batch.append(fit_row_widths(self.head + row + self.tail, grid) if grid else self.head + row + self.tail)
            if len(batch) >= BATCH:
                yield batch
                batch = []
        if batch:
            yield batch


def _escaped(text) -> str:
    """``text`` as Jinja's autoescape writes it (markupsafe's escape; for a plain string the same five
    replacements, twice as quick over 200,000 cells)."""
    if type(text) is not str:
        return str(escape(text))
    return text.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;").replace("'", "&#39;") \
        .replace('"', "&#34;")
