"""The HTML appendices pass axe-core at WCAG 2.2 AA, run in Debian's Chromium through chromium-driver (issue 13).

scripts/bootstrap installs chromium, chromium-driver and axe-core (npm, in .venv/node): a missing part is a
failure here, never a skip."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from savings_tracker.documents import SAMPLES, render_appendix
from savings_tracker.documents.demo import SAMPLES_DIR
from savings_tracker.readers import read_register

ROOT = Path(__file__).resolve().parents[1]
AXE = ROOT / ".venv" / "node" / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@pytest.fixture(scope="module")
def browser():
    assert AXE.is_file(), f"axe-core is not installed at {AXE}: run scripts/bootstrap"
    chromium, driver = shutil.which("chromium"), shutil.which("chromedriver")
    assert chromium and driver, "chromium and chromium-driver are needed: run scripts/bootstrap"
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = chromium
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1400,1000"):
        opts.add_argument(arg)
    b = webdriver.Chrome(service=Service(driver), options=opts)
    b.set_script_timeout(120)
    yield b
    b.quit()


def axe_violations(browser, html: Path) -> list[dict]:
    browser.get(html.resolve().as_uri())
    browser.execute_script(AXE.read_text(encoding="utf-8"))
    result = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}, resultTypes: ['violations']})"
        ".then(r => done(JSON.stringify(r.violations))).catch(e => done(JSON.stringify([{id: 'axe-error', "
        "description: String(e), nodes: []}])));", TAGS)
    return json.loads(result)


CASES_SAMPLE = "business_cases_2017-18.csv"   # seed 001 (issue 15): its two appendices are checked too


@pytest.mark.parametrize("name", ["tracker", "rag-analysis", "options", "programme-summary", "business-cases"])
def test_html_appendix_has_no_axe_violations(browser, name, tmp_path):
    reg = read_register(SAMPLES_DIR / SAMPLES.get(name, CASES_SAMPLE))
    out = render_appendix(reg, name, "html", tmp_path / f"{name}.html")
    violations = axe_violations(browser, out)
    report = [(v["id"], v.get("impact"), v["description"], [n.get("target") for n in v.get("nodes", [])][:3])
              for v in violations]
    assert not violations, report


def test_axe_finds_a_planted_violation(browser, tmp_path):
    """The check can fail: an image without alt text and low-contrast text are reported."""
    bad = tmp_path / "bad.html"
    bad.write_text('<!DOCTYPE html><html lang="en-GB"><head><title>x</title></head><body><main>'
                   '<img src="x.png"><p style="color:#bbb;background:#fff">faint</p></main></body></html>',
                   encoding="utf-8")
    ids = {v["id"] for v in axe_violations(browser, bad)}
    assert {"image-alt", "color-contrast"} <= ids


BROKEN_WORDS = """
const out = [];
for (const cell of document.querySelectorAll(arguments[0])) {
  const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (const m of node.textContent.matchAll(/\\S+/g)) {
      const range = document.createRange();
      range.setStart(node, m.index);
      range.setEnd(node, m.index + m[0].length);
      const tops = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
      if (tops.size > 1) out.push(m[0]);
    }
  }
}
return out;"""


@pytest.mark.parametrize("width", [1400, 1000, 800])
def test_tracker_headers_and_short_cells_wrap_between_words_only(browser, width, tmp_path):
    """Measured in Chromium: no word of a header, of the Direction column ("Worsening"), of a RAG cell or of a
    reference is broken across two lines, at a wide and at a narrow window."""
    reg = read_register(SAMPLES_DIR / SAMPLES["tracker"])
    out = render_appendix(reg, "tracker", "html", tmp_path / "tracker.html")
    browser.set_window_size(width, 1000)
    try:
        browser.get(out.resolve().as_uri())
        broken = browser.execute_script(BROKEN_WORDS, "table thead th, td.dot, td.rag, tbody th, td.num")
    finally:
        browser.set_window_size(1400, 1000)
    assert broken == [], sorted(set(broken))[:20]
