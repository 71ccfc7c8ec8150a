"""The network page in a real browser: Debian's Chromium driven by Playwright.

Skipped (with the reason) where Playwright or /usr/bin/chromium is missing.
Set FZ_SCREENSHOT_DIR to also save a screenshot of the small page there as
network.png (nothing is written into the repository otherwise).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

import conftest_viz_helpers  # tests/ is on sys.path (pytest prepend mode)

CHROMIUM = "/usr/bin/chromium"

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - depends on the machine
    sync_playwright = None

if sync_playwright is None:
    pytest.skip("playwright is not installed (pip install playwright)", allow_module_level=True)
if not os.access(CHROMIUM, os.X_OK):
    pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium fonts-noto-cjk)", allow_module_level=True)

from kg.pages import network as viz  # noqa: E402




H = conftest_viz_helpers
ID = H.ID
SETTLE_LIMIT_S = 10.0


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            yield b
        finally:
            b.close()


class Session:
    """One page in its own context, every request outside file: aborted and recorded."""

    def __init__(self, browser, viewport=(1400, 900)):
        self.context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]},
                                           device_scale_factor=1)
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        self.page.on("dialog", self._dialog)

    def _route(self, route):
        url = route.request.url
        if url.startswith("file:"):
            route.continue_()
        else:
            self.requests.append(url)
            route.abort()

    def _dialog(self, dialog):
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def open(self, path: Path, timeout_s: float = 30.0) -> float:
        start = time.perf_counter()
        self.page.goto(path.as_uri())
        self.page.wait_for_function("window.fzState && window.fzState.settled === true",
                                    timeout=timeout_s * 1000)
        return time.perf_counter() - start

    def close(self):
        self.context.close()


@pytest.fixture(scope="module")
def small_page(tmp_path_factory):
    html = viz.network_html(H.select_of(H.small_graph()))
    path = tmp_path_factory.mktemp("viz") / "network.html"
    path.write_text(html, encoding="utf-8")
    return path


@pytest.fixture()
def session(browser):
    s = Session(browser)
    yield s
    s.close()


def _visible_ids(page) -> set[str]:
    return set(page.evaluate(
        "() => fzNetwork.body.data.nodes.get({filter: n => !n.hidden}).map(n => n.id)"))


def test_opens_offline_without_requests_errors_or_dialogs(session, small_page):
    session.open(small_page)
    page = session.page
    page.wait_for_timeout(300)
    expect = H.small_expectations()
    assert page.evaluate("fzNetwork.body.data.nodes.length") == expect["nodes"]
    assert page.evaluate("fzNetwork.body.data.edges.length") == expect["edges"]
    assert page.evaluate("Object.keys(fzNetwork.body.nodes).length") == expect["nodes"]
    # physics frozen once stabilised
    assert page.evaluate("fzNetwork.physics.physicsEnabled") is False
    # nothing from the report text turned into elements
    assert page.evaluate("document.querySelectorAll('img, iframe, object, embed, link').length") == 0
    assert page.evaluate("document.scripts.length") == 3
    assert session.requests == []
    assert session.errors == []
    assert session.dialogs == []


def test_tooltip_is_plain_text(session, small_page):
    session.open(small_page)
    page = session.page
    nid = ID + "mechanism/枫桥经验"
    pos = page.evaluate("id => fzNetwork.canvasToDOM(fzNetwork.getPositions([id])[id])", nid)
    box = page.locator("#fz-network").bounding_box()
    page.mouse.move(box["x"] + pos["x"], box["y"] + pos["y"])
    page.wait_for_function("() => { const t = document.querySelector('div.vis-tooltip');"
                           " return t && t.style.visibility !== 'hidden' && t.textContent.length > 0; }",
                           timeout=5000)
    tip = page.locator("div.vis-tooltip")
    text = tip.inner_text()
    assert "<img src=x onerror=alert(1)>" in text  # shown as text ...
    assert tip.evaluate("t => t.querySelectorAll('*:not(br)').length") == 0  # ... not as an element
    assert page.evaluate("document.querySelectorAll('img').length") == 0
    assert session.dialogs == [] and session.errors == [] and session.requests == []


def test_search_focuses_and_highlights(session, small_page):
    session.open(small_page)
    page = session.page
    page.fill("#fz-search", "三所联动")
    assert page.evaluate("fzNetwork.getSelectedNodes()") == [ID + "mechanism/三所联动"]
    assert page.evaluate("fzState.focused") == ID + "mechanism/三所联动"
    # neighbours keep their colour, the rest is dimmed
    colours = page.evaluate("() => Object.fromEntries(fzNetwork.body.data.nodes.get()"
                            ".map(n => [n.id, n.color.background]))")
    assert colours[ID + "body/岔河镇"] == "#3F4F63"
    assert colours[ID + "institution/司法所"] != "#0072B2"
    results = page.locator("#fz-results li").all_inner_texts()
    assert results and results[0].startswith("三所联动")

    page.fill("#fz-search", "岔河")  # prefix of the label
    assert page.evaluate("fzNetwork.getSelectedNodes()") == [ID + "body/岔河镇"]
    page.fill("#fz-search", "行政处罚法")  # an altLabel
    assert page.evaluate("fzNetwork.getSelectedNodes()") == [ID + "law/中华人民共和国行政处罚法"]
    page.fill("#fz-search", "alert")  # the malicious town, found as text
    assert page.evaluate("fzNetwork.getSelectedNodes()") == [
        ID + "body/%3Cscript%3Ealert%281%29%3C%2Fscript%3E%E9%95%87"]
    assert page.locator("#fz-results li").first.inner_text().startswith("<script>alert(1)</script>镇")
    page.fill("#fz-search", "")
    assert page.evaluate("fzNetwork.getSelectedNodes()") == []
    assert session.dialogs == [] and session.errors == []


def test_search_folds_names_as_the_command_line_does(session, small_page):
    session.open(small_page)
    page = session.page
    for typed, found in (("岔河鎮", "body/岔河镇"),  # traditional script
                         ('"三所联动"', "mechanism/三所联动"),  # ASCII quotes
                         ("三所 联动", "mechanism/三所联动"),  # a space inside
                         ("「三所聯動」", "mechanism/三所联动"),  # corner quotes, traditional
                         ("岔河镇（如东县）", "body/岔河镇")):  # full-width brackets around the county
        page.fill("#fz-search", typed)
        assert page.evaluate("fzNetwork.getSelectedNodes()") == [ID + found], typed
    assert page.evaluate("fzFold('  ＡＢＣ《三所聯動》')") == "abc三所联动"
    assert session.errors == []


def test_class_and_year_filters_hide_nodes(session, small_page):
    session.open(small_page)
    page = session.page
    all_ids = _visible_ids(page)
    assert len(all_ids) == 12
    roles = {ID + "role/法律明白人", ID + "role/法律顾问"}
    page.uncheck('input.fz-class[data-class="role"]')
    assert _visible_ids(page) == all_ids - roles
    assert page.evaluate("id => fzNetwork.body.nodes[id].options.hidden", ID + "role/法律顾问") is True
    hidden_edges = page.evaluate("fzNetwork.body.data.edges.get({filter: e => e.hidden}).length")
    assert hidden_edges == 4  # every hasRole link
    page.check('input.fz-class[data-class="role"]')
    assert _visible_ids(page) == all_ids

    page.uncheck('input.fz-year[data-year="2022"]')  # 2023 only
    visible = _visible_ids(page)
    assert ID + "body/%3Cscript%3Ealert%281%29%3C%2Fscript%3E%E9%95%87" not in visible  # its report is 2022
    assert ID + "mechanism/枫桥经验" not in visible  # named only in 2022
    assert ID + "body/岔河镇" in visible  # reports in 2022 and 2023
    page.check('input.fz-year[data-year="2022"]')
    assert _visible_ids(page) == all_ids
    assert session.errors == []


def test_screenshot_when_asked(session, small_page):
    out_dir = os.environ.get("FZ_SCREENSHOT_DIR")
    if not out_dir:
        pytest.skip("set FZ_SCREENSHOT_DIR to save network.png")
    session.open(small_page)
    session.page.wait_for_timeout(300)
    path = Path(out_dir) / "network.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    session.page.screenshot(path=str(path))
    assert path.stat().st_size > 10_000


def test_five_thousand_nodes_settle_quickly(browser, tmp_path, capsys):
    g = H.large_graph(towns=1000, concepts=4000, links_per_town=8)
    t = time.perf_counter()
    html = viz.network_html(H.select_of(g), max_nodes=5000)
    render_s = time.perf_counter() - t
    path = tmp_path / "large.html"
    path.write_text(html, encoding="utf-8")

    s = Session(browser)
    try:
        elapsed = s.open(path, timeout_s=SETTLE_LIMIT_S)
        page = s.page
        settle_ms = page.evaluate("fzState.settleMs")
        n = page.evaluate("fzNetwork.body.data.nodes.length")
        physics_on = page.evaluate("fzNetwork.physics.physicsEnabled")
        with capsys.disabled():
            print(f"\n[viz] 5,000-node page: python render {render_s:.2f} s, {len(html) / 1e6:.1f} MB; "
                  f"browser open->settled {elapsed:.2f} s (page clock {settle_ms} ms, "
                  f"{viz.stabilization_iterations(n)} iterations), physics after: {physics_on}")
        assert n == 5000
        assert physics_on is False
        assert elapsed < SETTLE_LIMIT_S
        # still usable: search finds and focuses a node
        page.fill("#fz-search", "概念0007")
        assert page.evaluate("fzNetwork.getSelectedNodes()") == [ID + "programme/概念0007"]
        assert s.requests == [] and s.errors == [] and s.dialogs == []
    finally:
        s.close()
