"""The database connection's own settings."""

import pytest
from django.db import connection


@pytest.mark.django_db
def test_postgresql_runs_without_jit():
    """The JIT compiled the funnel's statement for 0.8 s to run it in 0.1 s (issue 22)."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)


def test_statements_are_prepared_unless_turned_off(monkeypatch):
    """Planning was half of PostgreSQL's time under load (issue 22); behind an old
    PgBouncer in transaction mode preparing must be possible to turn off."""
    from samphan.settings import database_settings

    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@127.0.0.1:5432/samphan")
    options = database_settings()["OPTIONS"]
    assert options["server_side_binding"] is True and options["prepare_threshold"] == 2
    monkeypatch.setenv("SAMPHAN_DB_PREPARED", "0")
    assert "server_side_binding" not in database_settings()["OPTIONS"]


@pytest.mark.django_db
def test_a_statement_run_again_is_prepared():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    connection.ensure_connection()
    for _ in range(3):
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM accounts_user WHERE id > %s", [0])
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements")
        assert cursor.fetchone()[0] >= 1
