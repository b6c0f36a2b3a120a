"""Word appendices of any length: docxtpl renders the document around the table rows, and the rows are streamed.

docxtpl renders the whole of document.xml as one Jinja string, parses it again with lxml and moves the tree
into the document: for a 10,000-line tracker that is ~60 MB of XML held several times over, and most of the
time. Here each table-row loop of the template (``{%tr for ... %}`` ... ``{%tr endfor %}``, as docxtpl has
patched it) is cut out before docxtpl renders, leaving a call that marks where each run of rows goes.
docxtpl renders the rest as usual. The rows are then rendered from the template's own row XML (so styling
stays in the .docx), a row at a time, into a scratch file, and spliced into the saved package at the marks.
"""
from __future__ import annotations

import os
import re
import secrets
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import jinja2
from docx.oxml.ns import qn
from docxtpl import DocxTemplate
from jinja2 import meta
from lxml import etree
from markupsafe import Markup

from .docx_cells import QuickRows
from .docx_tables import fit_grid, fit_row_widths, order_cell_properties

MARK_CALL = "_docx_rows_here"  # the context name of the marking function
_LOOP_TAG = re.compile(r"\{%-?\s*(for|endfor)\b.*?%\}", re.S)
_DOCPR_ID = re.compile(r'(<wp:docPr\b[^>]*?\bid=")(\d+)(")')
_ROW_END = "</w:tr>"
_COPY_BYTES = 1 << 20


@dataclass
class RowLoop:
    source: str       # the whole loop as Jinja text: {% for ... %}<w:tr>...</w:tr>{% endfor %}
    names: list[str]  # variables it takes from around it; captured where the loop stood


def _matching_endfor(tags: list[re.Match], i: int) -> int | None:
    depth = 0
    for j in range(i, len(tags)):
        depth += 1 if tags[j].group(1) == "for" else -1
        if depth == 0:
            return j
    return None


def cut_row_loops(xml: str, env: jinja2.Environment) -> tuple[str, list[RowLoop]]:
    """Replace each outermost loop whose body is whole table rows by a call marking where its rows go."""
    tags = list(_LOOP_TAG.finditer(xml))
    out, loops, pos, i = [], [], 0, 0
    while i < len(tags):
        end = _matching_endfor(tags, i) if tags[i].group(1) == "for" else None
        if end is None:
            i += 1
            continue
        body = xml[tags[i].end():tags[end].start()]
        source = xml[tags[i].start():tags[end].end()]
        if not (body.startswith("<w:tr") and body.endswith(_ROW_END)):
            i += 1  # not whole rows: look inside it
            continue
        try:
            names = sorted(meta.find_undeclared_variables(env.parse(source)))
        except jinja2.TemplateSyntaxError:
            i += 1  # left in place, so docxtpl reports it with the text around it
            continue
        captured = "".join(f", {n}={n}" for n in names)
        out += [xml[pos:tags[i].start()], "{{ %s(%d%s) }}" % (MARK_CALL, len(loops), captured)]
        loops.append(RowLoop(source, names))
        pos, i = tags[end].end(), end + 1
    out.append(xml[pos:])
    return "".join(out), loops


class StreamingDocxTemplate(DocxTemplate):
    """A DocxTemplate whose table-row loops are left out of its one big render and streamed by ``save_to``.

    Put ``tpl.mark_rows`` in the context as ``MARK_CALL`` before ``render``. With ``stream_rows`` False the rows
    are rendered by docxtpl in the one big render (the reference the streamed output is tested against)."""

    stream_rows = True

    def render_init(self):
        super().render_init()
        self.row_loops: list[RowLoop] = []
        self.row_calls: list[tuple[int, dict]] = []
        self.token = secrets.token_hex(8)

    def patch_xml(self, src_xml):
        return order_cell_properties(super().patch_xml(src_xml))

    def build_xml(self, context, jinja_env=None):
        xml = self.patch_xml(self.get_xml())
        if self.stream_rows:
            xml, self.row_loops = cut_row_loops(xml, jinja_env or jinja2.Environment())
        return self.render_xml_part(xml, self.docx._part, context, jinja_env)

    def fix_tables(self, xml):
        """docxtpl drops grid columns that no row of a table uses; rows still to be streamed are not there yet,
        so a table with marks keeps at least the grid it was designed with."""
        designed = [tbl.find(qn("w:tblGrid"))
                    for tbl in etree.fromstring(xml, etree.XMLParser(recover=True)).iter(qn("w:tbl"))]
        tree = super().fix_tables(xml)
        for tbl, grid in zip(tree.iter(qn("w:tbl")), designed):
            now = tbl.find(qn("w:tblGrid"))
            if grid is not None and now is not None and len(now) < len(grid) and self._marks_in(tbl):
                tbl.replace(now, grid)
        return tree

    def mark_rows(self, loop: int, **captured) -> Markup:
        if not (isinstance(loop, int) and 0 <= loop < len(self.row_loops)):
            raise ValueError(f"{MARK_CALL} is for the renderer's own use")
        self.row_calls.append((loop, captured))
        return Markup(self._mark(len(self.row_calls) - 1))

    def _mark(self, call: int) -> str:
        return f"DOCXROWS{self.token}x{call}x"

    def _marks_in(self, tbl) -> list[int]:
        """The row calls marked directly in a table (the marks are text between its rows)."""
        text = "".join([tbl.text or "", *(child.tail or "" for child in tbl)])
        return [int(m.group(1)) for m in re.finditer(rf"DOCXROWS{self.token}x(\d+)x", text)]

    # ---- after render --------------------------------------------------------------------------------------
    def _table_grids(self) -> dict[int, list[int]]:
        """Fit each table's columns; for each row call inside a refitted table, that table's new grid."""
        grids = {}
        for tbl in self.docx.element.body.iter(qn("w:tbl")):
            grid = fit_grid(tbl)
            if grid is not None:
                grids.update((call, grid) for call in self._marks_in(tbl))
        return grids

    def _finish(self, xml: str, grid: list[int] | None) -> str:
        """What docxtpl does to its rendered XML, for a run of rows."""
        xml = xml.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")
        if any(c in xml for c in "\t\a\n\f"):
            xml = self.resolve_listing(xml)
        if "docPr" in xml:  # pictures: unique ids, numbered on from docxtpl's own
            def renumber(m):
                self.docx_ids_index += 1
                return f"{m.group(1)}{self.docx_ids_index}{m.group(3)}"
            xml = _DOCPR_ID.sub(renumber, xml)
        return fit_row_widths(xml, grid) if grid else xml

    def _write_rows(self, fh, context: dict, env: jinja2.Environment) -> list[tuple[int, int]]:
        """Render every marked run of rows into ``fh`` (bytes); returns each run's (start, end) offsets."""
        templates = [env.from_string(loop.source) for loop in self.row_loops]
        grids = self._table_grids()
        self.current_rendering_part = self.docx._part  # a picture in a row belongs to the body, not the footer
        quick = [QuickRows.of(loop.source, env) for loop in self.row_loops]
        spans = []
        for call, (loop, captured) in enumerate(self.row_calls):
            start, pending = fh.tell(), []
            if quick[loop] is not None:  # cells filled in (docx_cells), widths fitted as they are made
                for rows in quick[loop].rows({**context, **captured}, grids.get(call)):
                    fh.write("".join(self._finish(row, None) for row in rows).encode("utf-8"))
                spans.append((start, fh.tell()))
                continue
            for chunk in templates[loop].generate({**context, **captured}):
                pending.append(chunk)
                if _ROW_END in chunk:  # whole rows so far: finish and write them, keep the rest
                    text = "".join(pending)
                    cut = text.rfind(_ROW_END) + len(_ROW_END)
                    fh.write(self._finish(text[:cut], grids.get(call)).encode("utf-8"))
                    pending = [text[cut:]]
            fh.write(self._finish("".join(pending), grids.get(call)).encode("utf-8"))
            spans.append((start, fh.tell()))
        return spans

    def save_to(self, out: Path, context: dict, env: jinja2.Environment) -> Path:
        """Save the rendered document to ``out`` with every run of rows in place (written whole or not at all)."""
        out = Path(out)
        with tempfile.TemporaryDirectory(dir=out.parent, prefix=".docx-") as tmp:
            rows_path, shell, done = Path(tmp) / "rows.xml", Path(tmp) / "shell.docx", Path(tmp) / "done.docx"
            with open(rows_path, "w+b") as rows:
                spans = self._write_rows(rows, context, env)  # before saving: a picture in a row adds a part
                self.save(str(shell))
                if not spans:
                    os.replace(shell, out)
                    return out
                self._splice(shell, done, rows, spans)
            os.replace(done, out)
        return out

    def _splice(self, shell: Path, out: Path, rows, spans: list[tuple[int, int]]) -> None:
        part = self.docx.part.partname.lstrip("/")
        marks = re.compile(rf"DOCXROWS{self.token}x(\d+)x")  # as _mark writes them
        with zipfile.ZipFile(shell) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
            for info in zin.infolist():
                if info.filename != part:
                    zout.writestr(info, zin.read(info.filename))
                    continue
                xml = zin.read(info.filename).decode("utf-8")
                found = [int(m.group(1)) for m in marks.finditer(xml)]
                if sorted(found) != list(range(len(spans))):
                    raise RuntimeError(f"Word rows: {len(found)} of {len(spans)} row marks found in {part}")
                entry = zipfile.ZipInfo(info.filename, date_time=info.date_time)
                entry.compress_type = zipfile.ZIP_DEFLATED
                with zout.open(entry, "w") as fh:
                    pos = 0
                    for m in marks.finditer(xml):
                        fh.write(xml[pos:m.start()].encode("utf-8"))
                        self._copy(rows, fh, *spans[int(m.group(1))])
                        pos = m.end()
                    fh.write(xml[pos:].encode("utf-8"))

    @staticmethod
    def _copy(src, dst, start: int, end: int) -> None:
        src.seek(start)
        while start < end:
            block = src.read(min(_COPY_BYTES, end - start))
            dst.write(block)
            start += len(block)
