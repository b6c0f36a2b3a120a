"""Planned vs forecast by RAG: a grouped bar chart as inline SVG (HTML and PDF) and as PNG (Word).

Both come from the chart dict built in ``context`` (categories with one value per series, under the document's sign
rule, the same as its tables). Alt text (``alt_text``) lists every value, so the chart is never the only way to read them.
The PNG is drawn with Pillow; no plotting library is needed.
"""
from __future__ import annotations

import math
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


def _series_name(name: str) -> str:
    """'Planned saving' -> 'planned saving', but 'RAG' stays 'RAG'."""
    return name[:1].lower() + name[1:] if name[1:2].islower() else name


def alt_text(chart: dict) -> str:
    parts = []
    for cat in chart["categories"]:
        vals = [f"{_series_name(name)} {_fmt(v, chart)}" for name, v in zip(chart["series"], cat["values"])
                if v is not None]
        parts.append(f"{cat['label']}: {', '.join(vals)}")
    note = f" {chart['sign_note']}" if chart.get("sign_note") else ""
    return f"Bar chart, {chart['title']}. " + "; ".join(parts) + "." + note


def _nice_step(span: float) -> float:
    raw = span / 4 or 1.0
    mag = 10 ** math.floor(math.log10(raw))
    return next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)


def ticks(chart) -> tuple[float, float, list[float]]:
    """The value axis: from the lowest to the highest value (zero always on it), in round steps."""
    values = [float(v) for c in chart["categories"] for v in c["values"] if v is not None] or [0.0]
    lo, hi = min(values + [0.0]), max(values + [0.0])
    step = _nice_step(hi - lo)
    lo, hi = math.floor(lo / step) * step, math.ceil(hi / step) * step
    if hi == lo:
        hi = lo + step
    n = int(round((hi - lo) / step))
    return lo, hi, [lo + i * step for i in range(n + 1)]


def _tick_label(v: float, chart) -> str:
    return fmt(Decimal(str(round(v, 6))), 0 if float(v).is_integer() else chart["precision"])


def _layout(chart, width, height):
    top, bottom, left, right = 40, 48, 78, 16
    plot_h = height - top - bottom
    n = max(len(chart["categories"]), 1)
    band = (width - left - right) / n
    nser = len(chart["series"])
    bar_w = band * 0.7 / nser
    lo, hi, marks = ticks(chart)
    y_of = lambda v: top + (hi - v) / (hi - lo) * plot_h  # noqa: E731
    zero = y_of(0.0)
    bars = []
    for ci, cat in enumerate(chart["categories"]):
        for si, v in enumerate(cat["values"]):
            if v is None:
                continue
            y = y_of(float(v))
            x = left + ci * band + band * 0.15 + si * bar_w
            bars.append((x, min(y, zero), bar_w - 2, abs(zero - y), si, _fmt(v, chart), float(v) < 0))
    labels = [(left + ci * band + band / 2, top + plot_h + 18, c["label"]) for ci, c in enumerate(chart["categories"])]
    axis = {"x": left, "zero": zero, "ticks": [(y_of(t), _tick_label(t, chart)) for t in marks],
            "title": f"{chart['unit']}", "top": top, "bottom": top + plot_h}
    return top, plot_h, left, right, bars, labels, axis


def svg(chart: dict, *, width: int = 640, height: int = 300, ident: str = "chart") -> Markup:
    """Inline SVG with role="img", <title> and <desc> (the alt text), a labelled value axis and a zero line.
    Every string is escaped here."""
    top, plot_h, left, right, bars, labels, axis = _layout(chart, width, height)
    e = lambda t: escape(str(t), quote=True)  # noqa: E731
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" aria-labelledby="{ident}-title {ident}-desc" class="chart" '
           f'font-family="DejaVu Sans, Arial, sans-serif">',
           f'<title id="{ident}-title">{e(chart["title"])}</title>',
           f'<desc id="{ident}-desc">{e(alt_text(chart))}</desc>',
           f'<line x1="{left}" y1="{axis["top"]}" x2="{left}" y2="{axis["bottom"]}" stroke="#000"/>']
    for y, text in axis["ticks"]:
        out.append(f'<line x1="{left - 4}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#D0D0D0"/>')
        out.append(f'<text x="{left - 6}" y="{y + 3:.1f}" font-size="10" text-anchor="end">{e(text)}</text>')
    out.append(f'<text x="12" y="{(axis["top"] + axis["bottom"]) / 2:.1f}" font-size="11" text-anchor="middle" '
               f'transform="rotate(-90 12 {(axis["top"] + axis["bottom"]) / 2:.1f})">{e(axis["title"])}</text>')
    for x, y, w, h, si, text, neg in bars:
        out.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" fill="{SERIES_COLOURS[si % 2]}"/>')
        ty = y + h + 11 if neg else y - 3
        out.append(f'<text x="{x + w / 2:.1f}" y="{ty:.1f}" font-size="10" text-anchor="middle">{e(text)}</text>')
    out.append(f'<line x1="{left}" y1="{axis["zero"]:.1f}" x2="{width - right}" y2="{axis["zero"]:.1f}" stroke="#000"/>')
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
    top, plot_h, left, right, bars, labels, axis = _layout(chart, 640, height / k)
    small, normal = font(int(10 * k)), font(int(12 * k))
    for y, text in axis["ticks"]:
        d.line([((left - 4) * k, y * k), ((640 - right) * k, y * k)], fill="#D0D0D0", width=1)
        d.text(((left - 6) * k, (y + 3) * k), text, fill="black", font=small, anchor="rs")
    d.line([(left * k, axis["top"] * k), (left * k, axis["bottom"] * k)], fill="black", width=2)
    title_img = Image.new("RGBA", (int(200 * k), int(16 * k)), (255, 255, 255, 0))
    ImageDraw.Draw(title_img).text((100 * k, 12 * k), axis["title"], fill="black", font=normal, anchor="ms")
    title_img = title_img.rotate(90, expand=True)
    img.paste(title_img, (int(2 * k), int(((axis["top"] + axis["bottom"]) / 2 - 100) * k)), title_img)
    for x, y, w, h, si, text, neg in bars:
        d.rectangle([x * k, y * k, (x + w) * k, (y + h) * k], fill=SERIES_COLOURS[si % 2])
        ty = y + h + 11 if neg else y - 3
        d.text(((x + w / 2) * k, ty * k), text, fill="black", font=small, anchor="ms")
    d.line([(left * k, axis["zero"] * k), ((640 - right) * k, axis["zero"] * k)], fill="black", width=2)
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
