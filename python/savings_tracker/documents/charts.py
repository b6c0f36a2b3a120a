"""Planned vs forecast by RAG: a grouped bar chart as inline SVG (HTML and PDF) and as PNG (Word).

Both come from the chart dict built in ``context`` (categories with one value per series, already savings as
positive numbers). Alt text (``alt_text``) lists every value, so the chart is never the only way to read them.
The PNG is drawn with Pillow, which WeasyPrint already depends on; no plotting library is needed.
"""
from __future__ import annotations

from decimal import Decimal
from html import escape
from pathlib import Path

from markupsafe import Markup

from ..core.money import fmt

SERIES_COLOURS = ("#5F6B77", "#1F4E79")  # each at least 3:1 against white (WCAG 1.4.11)
RAG_TEXT = {"Red": "#000000", "Amber": "#000000", "Green": "#000000"}
FONT_PATHS = ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "DejaVuSans.ttf")


def _fmt(v, chart) -> str:
    return "n/a" if v is None else fmt(Decimal(v), chart["precision"])


def alt_text(chart: dict) -> str:
    parts = []
    for cat in chart["categories"]:
        vals = [f"{name.lower()} {_fmt(v, chart)}" for name, v in zip(chart["series"], cat["values"]) if v is not None]
        parts.append(f"{cat['label']}: {', '.join(vals)}")
    return f"Bar chart, {chart['title']}. " + "; ".join(parts) + "."


def _scale(chart) -> float:
    values = [float(v) for c in chart["categories"] for v in c["values"] if v is not None]
    return max([abs(v) for v in values] + [0.0]) or 1.0


def _layout(chart, width, height):
    top, bottom, left, right = 40, 48, 16, 16
    plot_h = height - top - bottom
    n = max(len(chart["categories"]), 1)
    band = (width - left - right) / n
    nser = len(chart["series"])
    bar_w = band * 0.7 / nser
    peak = _scale(chart)
    bars = []
    for ci, cat in enumerate(chart["categories"]):
        for si, v in enumerate(cat["values"]):
            if v is None:
                continue
            h = max(float(v), 0.0) / peak * (plot_h - 16)
            x = left + ci * band + band * 0.15 + si * bar_w
            bars.append((x, top + plot_h - h, bar_w - 2, h, si, _fmt(v, chart)))
    labels = [(left + ci * band + band / 2, top + plot_h + 18, c["label"]) for ci, c in enumerate(chart["categories"])]
    return top, plot_h, left, right, bars, labels


def svg(chart: dict, *, width: int = 640, height: int = 300, ident: str = "chart") -> Markup:
    """Inline SVG with role="img", <title> and <desc> (the alt text). Every string is escaped here."""
    top, plot_h, left, right, bars, labels = _layout(chart, width, height)
    e = lambda t: escape(str(t), quote=True)  # noqa: E731
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" aria-labelledby="{ident}-title {ident}-desc" class="chart">',
           f'<title id="{ident}-title">{e(chart["title"])}</title>',
           f'<desc id="{ident}-desc">{e(alt_text(chart))}</desc>',
           f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" stroke="#000"/>']
    for x, y, w, h, si, text in bars:
        out.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" fill="{SERIES_COLOURS[si % 2]}"/>')
        out.append(f'<text x="{x + w / 2:.1f}" y="{y - 3:.1f}" font-size="10" text-anchor="middle">{e(text)}</text>')
    for x, y, text in labels:
        out.append(f'<text x="{x:.1f}" y="{y:.1f}" font-size="12" text-anchor="middle">{e(text)}</text>')
    lx = left
    for si, name in enumerate(chart["series"]):
        out.append(f'<rect x="{lx}" y="10" width="12" height="12" fill="{SERIES_COLOURS[si % 2]}"/>')
        out.append(f'<text x="{lx + 16}" y="20" font-size="11">{e(name)} ({e(chart["unit"])})</text>')
        lx += 30 + 7 * (len(name) + len(chart["unit"]) + 3)
    out.append("</svg>")
    return Markup("".join(out))


def png(chart: dict, path: Path, *, width: int = 1280, height: int = 600) -> Path:
    """The same chart as a PNG for Word (drawn at 2x for print)."""
    from PIL import Image, ImageDraw, ImageFont

    def font(size):
        for p in FONT_PATHS:
            try:
                return ImageFont.truetype(p, size)
            except OSError:
                continue
        return ImageFont.load_default(size)

    k = width / 640
    img = Image.new("RGB", (width, height), "white")
    d = ImageDraw.Draw(img)
    top, plot_h, left, right, bars, labels = _layout(chart, 640, height / k)
    small, normal = font(int(10 * k)), font(int(12 * k))
    d.line([(left * k, (top + plot_h) * k), ((640 - right) * k, (top + plot_h) * k)], fill="black", width=2)
    for x, y, w, h, si, text in bars:
        d.rectangle([x * k, y * k, (x + w) * k, (y + h) * k], fill=SERIES_COLOURS[si % 2])
        d.text(((x + w / 2) * k, (y - 3) * k), text, fill="black", font=small, anchor="ms")
    for x, y, text in labels:
        d.text((x * k, y * k), text, fill="black", font=normal, anchor="ms")
    lx = left
    for si, name in enumerate(chart["series"]):
        d.rectangle([lx * k, 10 * k, (lx + 12) * k, 22 * k], fill=SERIES_COLOURS[si % 2])
        label = f"{name} ({chart['unit']})"
        d.text(((lx + 16) * k, 20 * k), label, fill="black", font=small, anchor="ls")
        lx += 30 + d.textlength(label, font=small) / k
    path = Path(path)
    img.save(path, "PNG", optimize=True)
    return path
