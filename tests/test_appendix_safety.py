"""Appendices render register text literally, fail clearly on broken templates, and meet colour contrast."""
from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from savings_tracker.documents import SAMPLES, builtin_templates_dir, plain_text, render_appendix
from savings_tracker.documents.context import RAG_COLOURS
from savings_tracker.documents.demo import SAMPLES_DIR
from savings_tracker.errors import TemplateProblem
from savings_tracker.readers import read_register

LONG = "Supercalifragilistic" * 100  # a 2,000-character word
HOSTILE = {
    "reference": "X/1",
    "title": "{{ 7*7 }} and {% if true %}jinja{% endif %}",
    "description": "<script>alert('x')</script> & <img src=x onerror=alert(1)>",
    "commentary": '=HYPERLINK("http://evil.example","click") {{ config }}',
    "partners": LONG,
    "committee": "Adults",
}


@pytest.fixture(scope="module")
def hostile():
    reg = read_register(SAMPLES_DIR / SAMPLES["tracker"])
    lines = reg.lines.copy()
    for k, v in HOSTILE.items():
        lines.at[lines.index[0], k] = v
    lines.at[lines.index[1], "description"] = ""
    lines.at[lines.index[1], "commentary"] = None
    lines.at[lines.index[1], "direction"] = ""
    return dataclasses.replace(reg, lines=lines)


def test_plain_text_flattens_register_html_but_keeps_other_tags_literal():
    assert plain_text("<p>One &amp; two</p> <p>Three</p><ul><li>a</li><li>b</li></ul>") == "One & two\nThree\n• a\n• b"
    assert plain_text("<script>x</script>") == "<script>x</script>"
    assert plain_text("{{ 7*7 }}") == "{{ 7*7 }}"
    assert plain_text(None) == "" and plain_text("bell\x07 form\x0c") == "bell form"


def test_hostile_text_is_literal_in_html(hostile, tmp_path):
    text = render_appendix(hostile, "tracker", "html", tmp_path / "h.html").read_text(encoding="utf-8")
    assert "<script>" not in text and "onerror=alert(1)>" not in text
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in text
    assert "{{ 7*7 }} and {% if true %}jinja{% endif %}" in text and "49 and jinja" not in text
    assert "=HYPERLINK(&#34;http://evil.example&#34;,&#34;click&#34;) {{ config }}" in text
    assert LONG in text


def test_hostile_text_is_literal_in_docx(hostile, tmp_path):
    from docx import Document

    doc = Document(str(render_appendix(hostile, "tracker", "docx", tmp_path / "h.docx")))
    cells = "\n".join(c.text for t in doc.tables for row in t.rows for c in row.cells)
    for value in HOSTILE.values():
        assert value in cells
    assert "49 and jinja" not in cells


def _cell_text(page, start: str) -> str:
    """The text of the table cell whose text begins with ``start``: crop between the cell's ruling lines."""
    word = next(w for w in page.extract_words() if w["text"].startswith(start))
    # only the rules of the word's own cell: a vertical rule beside the word, a horizontal rule under it
    rights = [e["x0"] for e in page.edges if e["orientation"] == "v" and e["x0"] > word["x0"] + 1
              and e["top"] <= word["top"] + 1 and e["bottom"] >= word["bottom"] - 1]
    downs = [e["top"] for e in page.edges if e["orientation"] == "h" and e["top"] > word["bottom"]
             and e["x0"] <= word["x0"] + 1 and e["x1"] >= word["x1"] - 1]
    box = (word["x0"] - 1, word["top"] - 1, min(rights), min(downs) if downs else page.height)
    return page.crop(box).extract_text()


def test_hostile_text_is_literal_and_fits_in_pdf(hostile, tmp_path):
    import pdfplumber

    path = render_appendix(hostile, "tracker", "pdf", tmp_path / "h.pdf")
    with pdfplumber.open(str(path)) as pdf:
        text = "\n".join(p.extract_text() or "" for p in pdf.pages)
        for page in pdf.pages:  # the 2,000-character word wraps instead of running off the page
            assert all(ch["x1"] <= page.width + 0.5 for ch in page.chars)
        page = next(p for p in pdf.pages if "X/1" in (p.extract_text() or ""))
        cells = {k: re.sub(r"\s+", "", _cell_text(page, HOSTILE[k].split()[0][:4])) for k in ("title", "description", "commentary")}
        # wrapped over lines and pages, none lost: the partners column of each page's body (inside the running
        # header and footer, without the repeated column header)
        word = next(w for w in page.extract_words() if w["text"].startswith("Supercal"))
        right = min(e["x0"] for e in page.edges if e["orientation"] == "v" and e["x0"] > word["x0"] + 1
                    and e["top"] <= word["top"] + 1 and e["bottom"] >= word["bottom"] - 1)
        top, foot = 22 * 72 / 25.4, 16 * 72 / 25.4
        body = "".join(ch["text"] for p in pdf.pages for ch in p.chars
                       if word["x0"] - 1 <= ch["x0"] and ch["x1"] <= right + 1 and top < ch["top"] < p.height - foot)
        body = re.sub(r"\s+", "", body).replace("Linkswithpartnerorganisations", "")
    for k, cell in cells.items():  # wrapped over lines, but every character as typed
        assert cell == re.sub(r"\s+", "", HOSTILE[k]), k
    assert "49 and" not in text
    assert re.sub(r"\s+", "", body).count("Supercalifragilistic") == 100


def _broken_html(tmp_path: Path) -> Path:
    d = tmp_path / "custom"
    d.mkdir()
    (d / "tracker.html.j2").write_text(
        '{% extends "base.html.j2" %}\n{% block content %}\n<p>{{ doc.title }}</p>\n'
        '{% for group in groups %}\n<p>{{ group.no_such_field }}</p>\n{% endfor %}\n{% endblock %}\n', encoding="utf-8")
    return d


def test_missing_field_names_template_line_and_field(hostile, tmp_path):
    d = _broken_html(tmp_path)
    with pytest.raises(TemplateProblem) as err:
        render_appendix(hostile, "tracker", "html", tmp_path / "x.html", templates_dir=d)
    msg = str(err.value)
    assert "tracker.html.j2" in msg and "line 5" in msg and "no_such_field" in msg
    # the other appendices fall back to the built-in templates
    reg = read_register(SAMPLES_DIR / SAMPLES["options"])
    assert render_appendix(reg, "options", "html", tmp_path / "o.html", templates_dir=d).exists()


def test_failed_html_leaves_an_earlier_file_as_it_was(hostile, tmp_path):
    """The HTML is streamed to the file; a template failing part way through must not leave half a page."""
    earlier = tmp_path / "x.html"
    earlier.write_text("an earlier appendix", encoding="utf-8")
    with pytest.raises(TemplateProblem):
        render_appendix(hostile, "tracker", "html", earlier, templates_dir=_broken_html(tmp_path))
    assert earlier.read_text(encoding="utf-8") == "an earlier appendix"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["custom", "x.html"]


def test_syntax_error_and_sandbox(hostile, tmp_path):
    d = tmp_path / "bad"
    d.mkdir()
    (d / "tracker.html.j2").write_text("line one\n{% for x in %}\n", encoding="utf-8")
    with pytest.raises(TemplateProblem, match=r"tracker\.html\.j2, line 2"):
        render_appendix(hostile, "tracker", "html", tmp_path / "x.html", templates_dir=d)
    (d / "tracker.html.j2").write_text("{{ doc.__class__.__mro__ }}\n", encoding="utf-8")
    with pytest.raises(TemplateProblem):
        render_appendix(hostile, "tracker", "html", tmp_path / "x.html", templates_dir=d)


def test_broken_word_template(hostile, tmp_path):
    from docx import Document

    d = tmp_path / "word"
    d.mkdir()
    doc = Document()
    doc.add_paragraph("{{ doc.title }}")
    doc.add_paragraph("{{ doc.no_such_field }}")
    doc.save(str(d / "tracker.docx"))
    with pytest.raises(TemplateProblem) as err:
        render_appendix(hostile, "tracker", "docx", tmp_path / "x.docx", templates_dir=d)
    assert "tracker.docx" in str(err.value) and "paragraph 2" in str(err.value) and "no_such_field" in str(err.value)


def _luminance(hex_colour: str) -> float:
    def chan(c):
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * chan(r) + 0.7152 * chan(g) + 0.0722 * chan(b)


@pytest.mark.parametrize("rag", ["Red", "Amber", "Green"])
def test_rag_colours_meet_wcag_aa(rag):
    c = RAG_COLOURS[rag]
    a, b = sorted((_luminance(c["fill"]), _luminance(c["ink"])), reverse=True)
    assert (a + 0.05) / (b + 0.05) >= 4.5
    css = (builtin_templates_dir() / "appendix.css").read_text(encoding="utf-8")
    assert f".{c['css']} {{ background: #{c['fill']}; color: #{c['ink']}; }}" in css


def test_templates_are_packaged_and_complete():
    d = builtin_templates_dir()
    for name in ("base.html.j2", "appendix.css", "tracker.html.j2", "rag-analysis.html.j2", "options.html.j2",
                 "tracker.docx", "rag-analysis.docx", "options.docx"):
        assert (d / name).is_file(), name
    from importlib.resources import files

    assert files("savings_tracker").joinpath("templates", "tracker.html.j2").is_file()


def test_cli(tmp_path):
    import typer
    from typer.testing import CliRunner

    from savings_tracker.cli import appendix as cli_appendix

    app = typer.Typer()
    cli_appendix.register(app)

    @app.callback()
    def _root():
        pass

    runner = CliRunner()
    sample = str(SAMPLES_DIR / SAMPLES["tracker"])
    ok = runner.invoke(app, ["appendix", sample, "--format", "all", "--out", str(tmp_path / "all"),
                             "--committee", "Adults"])
    assert ok.exit_code == 0, ok.output  # the sample's one validation error is not on an Adults line
    assert sorted(p.suffix for p in (tmp_path / "all").iterdir()) == [".docx", ".html", ".pdf"]
    missing = runner.invoke(app, ["appendix", str(tmp_path / "nope.csv"), "--out", str(tmp_path / "x.pdf")])
    assert missing.exit_code == 2
    wrong = runner.invoke(app, ["appendix", sample, "--template", "options", "--out", str(tmp_path / "x.pdf")])
    assert wrong.exit_code == 2
    broken = runner.invoke(app, ["appendix", sample, "--format", "html", "--out", str(tmp_path / "x.html"),
                                 "--templates", str(_broken_html(tmp_path))])
    assert broken.exit_code == 2 and "no_such_field" in broken.output
