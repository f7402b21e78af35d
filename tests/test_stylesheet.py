"""The stylesheet's blocks close where they open: a merge once left a phone-only
``@media`` block open, and every rule after it (the import pages') applied on phones only."""

import re
from pathlib import Path

CSS = Path(__file__).resolve().parent.parent / "src" / "samphan" / "static" / "css" / "app.css"


def test_every_block_of_the_stylesheet_closes():
    text = re.sub(
        r"/\*.*?\*/", lambda m: "\n" * m.group().count("\n"), CSS.read_text("utf-8"), flags=re.S
    )
    depth = 0
    for number, line in enumerate(text.splitlines(), 1):
        depth += line.count("{") - line.count("}")
        assert depth >= 0, f"app.css:{number} closes a block that is not open"
    assert depth == 0, "app.css ends inside a block: one is not closed"
