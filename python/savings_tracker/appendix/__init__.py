"""Committee appendices (savings tracker, RAG analysis, option proformas) as HTML, tagged PDF and Word."""
from .context import TEMPLATES, build_context, plain_text
from .render import FORMATS, builtin_templates_dir, render_appendix
from .demo import SAMPLES, write_all_appendices

__all__ = ["TEMPLATES", "FORMATS", "SAMPLES", "build_context", "plain_text", "render_appendix",
           "builtin_templates_dir", "write_all_appendices"]
