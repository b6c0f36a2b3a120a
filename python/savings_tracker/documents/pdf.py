"""Tagged PDF (PDF/UA-1) from the appendix HTML with WeasyPrint, at a cost that grows in step with the register.

cProfile of 300- to 2,000-line trackers found two costs besides WeasyPrint's own steady ~30 ms a line:

- pydyf 0.13's ``PDF.page_references`` rebuilds the tuple of every page's reference each time it is read, and
  WeasyPrint's PDF/UA tagging reads it once per tagged element (every table cell), so tagging grew with lines
  times pages. ``_cached_page_references`` keeps the tuple until a page is added (pages are only ever added).
- Python's cyclic garbage collector walks WeasyPrint's hundreds of thousands of live box objects over and
  over while it builds and lays them out: a quarter of the time at 1,000 lines. It is paused while WeasyPrint
  works; the boxes are alive until the PDF is written anyway, so peak memory is the same.
"""
from __future__ import annotations

import gc
from contextlib import contextmanager
from pathlib import Path

PDF_VARIANT = "pdf/ua-1"
_PATCHED_PYDYF = "0.13.0"  # the version whose page_references is known; others are left as they are


def _cached_page_references(pdf) -> tuple:
    kids = pdf.pages["Kids"]  # [number, 0, 'R', ...], only ever extended by add_page
    cached = pdf.__dict__.get("_page_references")
    if cached is None or cached[0] != len(kids):
        cached = (len(kids), tuple(f"{number} 0 R".encode("ascii") for number in kids[::3]))
        pdf.__dict__["_page_references"] = cached
    return cached[1]


def _cache_page_references() -> None:
    import pydyf

    if getattr(pydyf, "__version__", "") == _PATCHED_PYDYF and not getattr(pydyf.PDF, "_st_cached", False):
        pydyf.PDF.page_references = property(_cached_page_references)
        pydyf.PDF._st_cached = True


@contextmanager
def _collector_paused():
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def html_to_pdf(html: str, out: Path, base_url: str) -> Path:
    from weasyprint import HTML

    _cache_page_references()
    with _collector_paused():
        HTML(string=html, base_url=base_url).write_pdf(str(out), pdf_variant=PDF_VARIANT)
    return out


def write(ctx: dict, template: str, out: Path, templates_dir: Path | None = None) -> Path:
    """The PDF appendix: the HTML appendix laid out by WeasyPrint, tagged as PDF/UA-1."""
    from .html import render_html
    from .templates import builtin_templates_dir

    html = render_html(ctx, template, templates_dir)
    return html_to_pdf(html, out, str(Path(templates_dir) if templates_dir else builtin_templates_dir()))
