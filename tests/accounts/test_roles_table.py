"""The roles table of the user guide is written from the code (issue 20)."""

from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from samphan.accounts.capabilities import (
    CAPABILITIES,
    END,
    ROLE_CAPABILITIES,
    START,
    role_may,
    roles_table_in,
)
from samphan.accounts.models import Role

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "user-guide.md"


def test_the_user_guide_holds_the_table_the_code_makes():
    text = GUIDE.read_text(encoding="utf-8")
    assert roles_table_in(text) == text, (
        "the roles table is stale: samphan roles_table --write docs/user-guide.md"
    )


def test_the_table_keeps_the_promises_of_issue_20():
    assert not role_may(Role.MARKETING, "log_interactions")
    assert not role_may(Role.MARKETING, "front_desk")
    assert not role_may(Role.SUPPORT, "front_desk")
    assert role_may(Role.MANAGER, "audit_log")
    assert set(ROLE_CAPABILITIES) == set(Role.NAMES)
    assert len({c.key for c in CAPABILITIES}) == len(CAPABILITIES)


def test_the_command_writes_and_checks_the_table(tmp_path):
    page = tmp_path / "guide.md"
    page.write_text(f"# Guide\n{START}\n| stale |\n{END}\nafter\n", encoding="utf-8")
    with pytest.raises(CommandError, match="stale"):
        call_command("roles_table", check=str(page))
    call_command("roles_table", write=str(page))
    text = page.read_text(encoding="utf-8")
    assert "| stale |" not in text
    assert "| Open the audit log | ✓ | ✓ | — |" in text
    assert text.endswith(f"{END}\nafter\n")
    call_command("roles_table", check=str(page))


def test_a_page_without_markers_is_refused(tmp_path):
    page = tmp_path / "guide.md"
    page.write_text("# Guide\n", encoding="utf-8")
    with pytest.raises(CommandError, match="markers"):
        call_command("roles_table", write=str(page))
    assert page.read_text(encoding="utf-8") == "# Guide\n"
