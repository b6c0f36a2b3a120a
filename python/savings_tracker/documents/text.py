"""Register text as documents show it: plain text, never markup (HTML fragments such as the ``<p>`` paragraphs in
seed 003 become lines; anything else is kept exactly as typed), and the marks that tie a figure to its note."""
from __future__ import annotations

import html
import re

import nh3

FOOTNOTE_MARKS = "*†‡§¶#"

# ---- register text --------------------------------------------------------------------------------
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_TAG = re.compile(r"</?([a-zA-Z][a-zA-Z0-9]*)(?:\s[^<>]*)?/?>")
# Tags that published registers use for formatting. Text containing only these is an HTML fragment and is
# flattened to plain text; text with any other tag (e.g. <script>) is not formatting: it is shown as typed.
FORMAT_TAGS = {"p", "br", "ul", "ol", "li", "b", "strong", "i", "em", "u", "span", "div", "font", "sup", "sub"}
_BLOCK = re.compile(r"</?(?:p|div|ul|ol)(?:\s[^<>]*)?>|<br\s*/?>", re.I)


def plain_text(value) -> str:
    """A register text cell as plain text lines. Never returns markup: the caller escapes it."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    text = _CONTROL.sub("", str(value).replace("\r\n", "\n").replace("\r", "\n"))
    if "<" not in text:  # most cells: no tag to look for
        return text.strip()
    tags = {m.group(1).lower() for m in _TAG.finditer(text)}
    if tags and tags <= FORMAT_TAGS:
        cleaned = nh3.clean(text, tags={"p", "br", "ul", "ol", "li", "div"}, attributes={})
        cleaned = re.sub(r"<li(?:\s[^<>]*)?>", "\n• ", cleaned, flags=re.I)
        cleaned = re.sub(r"</li>", "\n", cleaned, flags=re.I)
        cleaned = _BLOCK.sub("\n", cleaned)
        text = html.unescape(cleaned)
        text = "\n".join(re.sub(r"[ \t]+", " ", line).strip() for line in text.split("\n"))
        text = re.sub(r"\n{2,}", "\n", text)
    return text.strip()
