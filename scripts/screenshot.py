"""Screenshots of a running Samphan, desktop and phone width, for review and the docs.

    .venv/bin/python scripts/screenshot.py --user admin --password … /customers/ /customers/1/

Writes var/screenshots/<name>.png and <name>-phone.png. Uses Debian's Chromium.
"""

import argparse
import re
import shutil
from pathlib import Path

from playwright.sync_api import sync_playwright

ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--user", default="admin")
    parser.add_argument("--password", required=True)
    parser.add_argument("--out", default="var/screenshots")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=shutil.which("chromium") or "/usr/bin/chromium", args=ARGS
        )
        page = browser.new_context(viewport={"width": 1280, "height": 860}).new_page()
        page.goto(f"{args.base}/login/")
        page.fill("input[name=username]", args.user)
        page.fill("input[name=password]", args.password)
        page.click("button[type=submit]")
        page.wait_for_url(re.compile(r".*/$"))
        for path in args.paths:
            name = re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "home"
            page.set_viewport_size({"width": 1280, "height": 860})
            page.goto(f"{args.base}{path}")
            page.screenshot(path=out / f"{name}.png", full_page=True)
            page.set_viewport_size({"width": 390, "height": 844})
            page.screenshot(path=out / f"{name}-phone.png", full_page=True)
            print(out / f"{name}.png")
        browser.close()


if __name__ == "__main__":
    main()
