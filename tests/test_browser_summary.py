"""The summary page in a real browser (Debian's Chromium through Playwright).

Skips when Playwright or /usr/bin/chromium is missing. The page is opened
from file:// with every http(s) request aborted and recorded. Set
FZ_SCREENSHOT_DIR to keep full-page screenshots (summary.png, and
summary-print.png with the print stylesheet).
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")

sync_api = pytest.importorskip("playwright.sync_api")
if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is not installed", allow_module_level=True)

from kg.pages import summary


def _corpus():
    """tests/test_summary.py, loaded by path (tests/ need not be a package)."""
    name = "fz_test_summary_corpus"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name("test_summary.py"))
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


@pytest.fixture(scope="module")
def page_file(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("browser-summary")
    store = _corpus().build_graph(root)
    path = root / "summary.html"
    path.write_text(summary.summary_html(store.select), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        try:
            b = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        except sync_api.Error as exc:  # a broken install is a skip, not a failure
            pytest.skip(f"cannot launch {CHROMIUM}: {exc}")
        yield b
        b.close()


class Watched:
    """A page whose outside requests, console errors and dialogs are recorded."""

    def __init__(self, browser, width: int = 1280):
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.context = browser.new_context(viewport={"width": width, "height": 900})
        self.page = self.context.new_page()
        self.context.route("**/*", self._route)
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", self._dialog)

    def _route(self, route):
        url = route.request.url
        if url.startswith(("http://", "https://")):
            self.requests.append(url)
            route.abort()
        else:
            route.continue_()

    def _dialog(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def close(self):
        self.context.close()


@pytest.fixture()
def watched(browser):
    w = Watched(browser)
    yield w
    w.close()


def test_page_in_browser(watched, page_file):
    page = watched.page
    page.goto(page_file.as_uri(), wait_until="load")
    page.wait_for_timeout(200)
    assert watched.requests == [], "the page fetches nothing from outside"
    assert watched.errors == []
    assert watched.dialogs == [], "report text never runs as script"

    matrix = page.locator("table.matrix")
    assert matrix.is_visible()
    rect = page.locator("#chart-mechanism svg g.bar rect").first
    assert rect.is_visible()
    box = rect.bounding_box()
    assert box and box["width"] > 10 and box["height"] > 5
    assert page.locator("#chart-programme svg g.bar").count() >= 1
    assert page.locator("article.card").count() == 3
    assert page.locator("script, img").count() == 0

    # a tick takes the reader to the evidence sentence in the town's card
    tick = page.locator("table.matrix tbody tr", has_text="岔河镇").locator("a.tick").first
    href = tick.get_attribute("href")
    tick.click()
    page.wait_for_timeout(100)
    assert page.evaluate("location.hash") == href
    target = page.locator(href)
    assert target.is_visible()
    assert target.locator("mark").count() == 1
    assert page.evaluate(
        "(id) => { const r = document.getElementById(id).getBoundingClientRect();"
        " return r.top >= 0 && r.top < window.innerHeight; }", href[1:])

    out = os.environ.get("FZ_SCREENSHOT_DIR")
    if out:
        Path(out).mkdir(parents=True, exist_ok=True)
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(Path(out) / "summary.png"), full_page=True)
    assert watched.requests == [] and watched.errors == [] and watched.dialogs == []


def test_print_layout_fits_a4(browser, page_file):
    # A4 less 12 mm margins each side is about 703 CSS pixels wide.
    w = Watched(browser, width=703)
    try:
        page = w.page
        page.emulate_media(media="print")
        page.goto(page_file.as_uri(), wait_until="load")
        assert page.evaluate("document.documentElement.scrollWidth") <= 703, "nothing wider than the paper"
        table = page.locator("table.matrix").bounding_box()
        assert table and table["width"] <= 703
        assert page.locator("nav.toc").is_hidden()
        fixed = page.evaluate("[...document.querySelectorAll('*')]"
                              ".filter(e => ['fixed', 'sticky'].includes(getComputedStyle(e).position)).length")
        assert fixed == 0
        assert page.evaluate("getComputedStyle(document.querySelector('article.card')).breakInside") == "avoid"
        pdf = page.pdf(prefer_css_page_size=True, print_background=True)
        assert pdf.startswith(b"%PDF")
        out = os.environ.get("FZ_SCREENSHOT_DIR")
        if out:
            Path(out).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(Path(out) / "summary-print.png"), full_page=True)
        assert w.requests == [] and w.errors == [] and w.dialogs == []
    finally:
        w.close()
