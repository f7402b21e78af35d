"""/api/v1 customers, companies, contact points, interactions, consent and tags: one
router, a module each.

Thin: parse with strict schemas, authorise, call the same services and queries as the
HTML views, serialise.
"""

# The modules add their routes as they are imported: this order is the paths' order in
# the schema, kept as it was when the API was one module.
# isort: off
from samphan.customers.api import (  # noqa: F401 - they add routes
    customers,
    contact_points,
    interactions,
    consent,
    tags,
    merges,
    imports,
    duplicates,
)

# isort: on
from samphan.customers.api.common import router

__all__ = ["router"]
