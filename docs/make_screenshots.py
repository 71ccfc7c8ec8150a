#!/usr/bin/env python3
"""Regenerate the README pictures from the committed outputs.

Usage: python docs/make_screenshots.py   (needs playwright and Debian's chromium)
Pages are opened from file:// with every http(s) request refused, as a user
offline would see them.
"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
PAGES = {"network.html": "network.png", "summary.html": "summary.png"}


def main() -> None:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.route("http*://**", lambda route: route.abort())
        for src, png in PAGES.items():
            html = ROOT / "outputs" / src
            if not html.is_file():
                continue
            page.goto(html.as_uri())
            page.wait_for_timeout(3000)  # let the layout settle and freeze
            page.screenshot(path=str(ROOT / "docs" / png))  # the first screen: what a visitor sees
            print(f"docs/{png}")
        browser.close()


if __name__ == "__main__":
    main()
