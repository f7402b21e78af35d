"""Thai ships complete: every message of the catalogue is translated, none is a guess
left by msgmerge (fuzzy), and the compiled catalogue is the one of the sources."""

import subprocess
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parents[1] / "src" / "samphan" / "locale" / "th" / "LC_MESSAGES"


def entries(flag: str) -> list[str]:
    command = ["msgattrib", flag, "--no-wrap", str(LOCALE / "django.po")]
    found = subprocess.run(command, capture_output=True, text=True, check=True)  # noqa: S603
    return [line for line in found.stdout.splitlines() if line.startswith("msgid ")][1:]


@pytest.mark.parametrize("flag", ["--untranslated", "--only-fuzzy"])
def test_every_message_has_a_thai_translation(flag):
    assert entries(flag) == []


def test_the_compiled_catalogue_matches_the_sources(tmp_path):
    compiled = tmp_path / "django.mo"
    command = ["msgfmt", "--check-format", "-o", str(compiled), str(LOCALE / "django.po")]
    subprocess.run(command, check=True)  # noqa: S603
    assert compiled.read_bytes() == (LOCALE / "django.mo").read_bytes()
