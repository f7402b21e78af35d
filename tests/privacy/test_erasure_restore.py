"""Erasure survives a restore (PDPA s.33): a backup taken before the erasure is restored
for real (SQLite's online backup API, both ways), and ``samphan erasures_reapply`` erases
the person again from the ledger kept outside the database."""

import sqlite3
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

from samphan.customers.models import Customer
from samphan.privacy.erasure import customer_erase
from samphan.privacy.erasure_ledger import ledger_customer_ids, ledger_path
from tests.privacy.conftest import Person
from tests.privacy.test_erasure import found_anywhere

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the backup is SQLite's; PostgreSQL's is pg_dump"
)


def copy_database(source: sqlite3.Connection, target: sqlite3.Connection) -> None:
    source.backup(target)


@pytest.mark.django_db(transaction=True)
def test_a_restored_backup_is_erased_again_from_the_ledger(
    person: Person, settings: Any, tmp_path: Any
) -> None:
    settings.SAMPHAN_ERASURE_LEDGER = tmp_path / "erasures.log"
    connection.ensure_connection()
    live = connection.connection
    backup = sqlite3.connect(":memory:")
    copy_database(live, backup)  # last night's backup: the person is in it

    customer_erase(person.customer, actor=person.admin, reason="PDPA request 2026-002")
    assert found_anywhere() == []
    assert ledger_customer_ids() == [person.customer.pk]
    assert "0891357924" not in ledger_path().read_text(encoding="utf-8")
    assert ledger_path().stat().st_mode & 0o777 == 0o600

    copy_database(backup, live)  # the restore brings the person back
    assert Customer.objects.get(pk=person.customer.pk).erased_at is None
    assert found_anywhere() != []

    call_command("erasures_reapply")
    assert found_anywhere() == []
    assert Customer.objects.get(pk=person.customer.pk).erased_at is not None
    # Run again, nothing is left to do, and the ledger still names the person once.
    call_command("erasures_reapply")
    assert ledger_customer_ids() == [person.customer.pk]


def test_a_rolled_back_erasure_is_not_in_the_ledger(
    person: Person, settings: Any, tmp_path: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.SAMPHAN_ERASURE_LEDGER = tmp_path / "erasures.log"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        customer_erase(person.customer, actor=person.admin, reason="PDPA")
    assert len(callbacks) >= 1 and ledger_customer_ids() == []  # written only on commit


def test_a_half_written_line_is_skipped(settings: Any, tmp_path: Any) -> None:
    settings.SAMPHAN_ERASURE_LEDGER = tmp_path / "erasures.log"
    ledger_path().write_text(
        "12\t2026-12-06T10:00:00+00:00\n7\t2026\n12\t2026\n3", encoding="utf-8"
    )
    assert ledger_customer_ids() == [12, 7, 3]
    ledger_path().write_text("12\t2026\nx\t\n", encoding="utf-8")
    assert ledger_customer_ids() == [12]
