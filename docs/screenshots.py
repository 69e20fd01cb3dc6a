"""Screenshots of the page's main views for the README, taken in headless Chromium with Playwright.

Starts ``remontada serve`` over a store on a free port and writes ``docs/web-*.png``:

    python docs/screenshots.py --store /work/store/base.duckdb
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from playwright.sync_api import Page, sync_playwright

from remontada.paths import default_store_path

DOCS = Path(__file__).resolve().parent
EXAMPLES = DOCS.parents[1] / "shared" / "examples"  # ../shared/examples beside the repository
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip


def shoot(page: Page, name: str, selector: str) -> None:
    page.wait_for_selector(selector, timeout=60_000)
    time.sleep(0.3)
    page.screenshot(path=str(DOCS / f"web-{name}.png"), full_page=True)
    print(f"docs/web-{name}.png")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", type=Path, default=default_store_path())
    parser.add_argument("--article", type=Path, default=EXAMPLES / "atalanta-liverpool-2024-04-17.txt")
    args = parser.parse_args()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([sys.executable, "-c", "from remontada.cli import main; main()", "serve", "--store",
                               str(args.store), "--port", str(port), "--log-level", "warning"])  # fmt: skip
    try:
        for _ in range(600):
            try:
                if httpx.get(f"{base}/api/status", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            page = browser.new_page(viewport={"width": 1000, "height": 800})
            page.goto(base + "/")
            page.fill("#tie-home", "Liverpool")
            page.fill("#tie-away", "Atalanta")
            page.fill("#tie-season-typed", "2023-24")
            page.click("#tie-go")
            shoot(page, "tie", "#tie-result:not([hidden])")
            page.click("#tie-to-live")
            page.wait_for_selector("#live-result:not([hidden])")
            page.locator("#live-minute").evaluate("el => { el.value = 60; el.dispatchEvent(new Event('input')); }")
            page.fill("#live-score-away", "1")
            page.wait_for_function("document.querySelector('#live-curve-title').textContent.includes('60')")
            shoot(page, "live", "#live-result:not([hidden])")
            page.goto(base + "/#competition")
            page.click("#sim-form button[type=submit]")
            shoot(page, "competition", "#sim-result:not([hidden]) .simrow svg")
            page.goto(base + "/#article")
            page.fill("#article-text", args.article.read_text())
            page.click("#article-form button[type=submit]")
            shoot(page, "article", "#article-result .through")
            phone = browser.new_page(viewport={"width": 375, "height": 740})
            phone.goto(base + "/#live")
            phone.locator("#live-minute").evaluate("el => { el.value = 60; el.dispatchEvent(new Event('input')); }")
            phone.wait_for_function("document.querySelector('#live-curve-title')?.textContent.includes('60')")
            time.sleep(0.3)
            phone.screenshot(path=str(DOCS / "web-phone.png"), full_page=False)
            print("docs/web-phone.png")
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
