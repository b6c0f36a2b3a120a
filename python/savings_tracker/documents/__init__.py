"""Committee appendices (savings tracker, RAG analysis, option proformas) as HTML, tagged PDF and Word.

``context`` builds one context per template from the register (every figure worked out by the core);
``render`` holds the registry of formats and the one entry point, ``render_appendix``; each format is a module:
``html``, ``docx`` (with ``docx_rows``, ``docx_cells`` and ``docx_tables``), ``pdf``; ``templates`` finds
templates and reports broken ones; ``charts`` draws the charts; ``demo`` writes every appendix of the bundled samples.
"""
from .context import TEMPLATES, build_context, plain_text
from .demo import SAMPLES, write_all_appendices
from .render import FORMATS, builtin_templates_dir, render_appendix

__all__ = ["TEMPLATES", "FORMATS", "SAMPLES", "build_context", "plain_text", "render_appendix",
           "builtin_templates_dir", "write_all_appendices"]
