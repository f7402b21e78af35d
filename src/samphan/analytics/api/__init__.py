"""/api/v1/analytics: top customers and their share, a customer's cadence, who is
expected today and who is overdue, RFM segments, funnels, the forecast and the sums per
customer group. Figures follow the caller's visibility. One router, a module each."""

# isort: off
# The order of these imports is the order of the paths in the OpenAPI schema.
from samphan.analytics.api import (  # noqa: F401 - they add routes
    top,
    cadence,
    rfm,
    funnel,
    forecast,
    groups,
)

# isort: on
from samphan.analytics.api.common import router

__all__ = ["router"]
