"""Fuzz every API operation from its OpenAPI schema: no input may give a 5xx, and every
response must match the documented status codes and shapes.

Schema-valid requests may still be refused with a 422 naming the field: business rules
(a person needs a name, a referenced company must exist) are beyond what JSON Schema
says, so the "positive data acceptance" check is left out.
"""

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from samphan.accounts.services import token_create
from samphan.wsgi import application
from tests.factories import CustomerFactory

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.fixture
def keep_test_connection():
    """Schemathesis calls the WSGI app directly, whose request signals would close the
    test's database connection (inside its transaction); Django's own test client avoids
    that the same way."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def bearer(admin_user, keep_test_connection):
    CustomerFactory()  # something for list and get operations to return
    return token_create(user=admin_user, name="schemathesis")


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_api_conforms_to_its_schema(case, bearer):
    case.call_and_validate(
        headers={"Authorization": f"Bearer {bearer}"}, excluded_checks=[positive_data_acceptance]
    )
