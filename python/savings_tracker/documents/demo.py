"""All three appendices in all three formats from the bundled samples, with a PNG of each PDF's first page."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Callable

from ..readers import read_register
from .render import FORMATS, render_appendix

SAMPLES_DIR = Path(__file__).resolve().parent.parent / "samples"
SAMPLES = {
    "tracker": "tracker_2017-18_october.csv",
    "rag-analysis": "programme_psr_2017-18.csv",
    "options": "budget_options_2018-19.csv",
}


def pdf_first_page_png(pdf: Path, *, dpi: int = 80) -> Path | None:
    """``pdftoppm -png -r 80 -f 1 -l 1``; None when poppler-utils is not installed."""
    exe = shutil.which("pdftoppm")
    if not exe:
        return None
    stem = pdf.with_suffix("")
    subprocess.run([exe, "-png", "-r", str(dpi), "-f", "1", "-l", "1", "-singlefile", str(pdf), str(stem)],
                   check=True, capture_output=True, timeout=120)
    png = stem.with_suffix(".png")
    return png if png.exists() else None


def write_all_appendices(out_dir, samples: dict[str, Path | str] | None = None, *,
                         formats=FORMATS, templates_dir: Path | None = None, preview: bool = True,
                         on_file: Callable[[Path], None] | None = None) -> list[Path]:
    """Write every appendix (template -> register file; the bundled samples by default) in every format to
    ``out_dir``; returns the files written, PDF previews (PNG) included."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    samples = samples or {t: SAMPLES_DIR / f for t, f in SAMPLES.items()}
    written: list[Path] = []
    for template, source in samples.items():
        reg = read_register(Path(source))
        for fmt in formats:
            path = render_appendix(reg, template, fmt, out_dir / f"{template}.{fmt}", templates_dir=templates_dir)
            written.append(path)
            if on_file:
                on_file(path)
            if fmt == "pdf" and preview:
                png = pdf_first_page_png(path)
                if png:
                    written.append(png)
    return written
