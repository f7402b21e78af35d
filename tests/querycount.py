"""The one way tests count database queries.

``assert_queries(n)`` pins an exact count; on a mismatch the failure lists every captured
statement, numbered, so the extra (or missing) query is read off the message.

``assert_queries()`` with no number only captures: a test that holds a count steady as the
data grows measures the small case first and pins the large case to it::

    with assert_queries() as few:
        client.get(url)
    add_rows()
    with assert_queries(len(few)):
        client.get(url)
"""

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

SHOWN = 300  # characters of each statement in a failure: enough to tell them apart


def queries_listed(captured: CaptureQueriesContext) -> str:
    return "\n".join(
        f"{index}. {query['sql'][:SHOWN]}"
        for index, query in enumerate(captured.captured_queries, 1)
    )


@contextmanager
def assert_queries(expected: int | None = None) -> Iterator[CaptureQueriesContext]:
    """Capture the queries of the block; with ``expected``, fail unless exactly that many ran."""
    with CaptureQueriesContext(connection) as captured:
        yield captured
    if expected is not None and len(captured) != expected:
        pytest.fail(
            f"{len(captured)} queries on {connection.vendor}, expected {expected}:\n"
            + queries_listed(captured),
        )
