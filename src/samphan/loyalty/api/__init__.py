"""/api/v1 loyalty: points and the ledger, the programme and its rules, rewards and
vouchers, referrals, the events feed: one router, a module each."""

# The modules add their routes as they are imported, in this order in the schema.
# isort: off
from samphan.loyalty.api import points, programme, tiers, referrals, rewards, events  # noqa: F401

# isort: on
from samphan.loyalty.api.common import router

__all__ = ["router"]
