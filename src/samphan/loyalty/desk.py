"""What the front desk's card says of a member (``frontdesk.notes``): their points, and
how far they are from the next tier ("1,240 points · ฿3,200 to Gold"), so staff can
mention it. The alert (no reader) says nothing: a balance is not for the whole audience."""

from decimal import Decimal

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from samphan.accounts.models import User
from samphan.customers.models import Customer
from samphan.loyalty.services import balance_of, programme_current
from samphan.loyalty.services.tiers import next_tier, standing


def points_notes(customer: Customer, reader: User | None) -> list[str]:
    if reader is None or not reader.has_perm("loyalty.view_pointsentry"):
        return []
    points = balance_of(customer.pk)
    parts = [_("%(points)s points") % {"points": f"{points:,}"}] if points else []
    programme = programme_current()
    found = standing(programme, timezone.localdate(), Q(pk=customer.pk))
    if found:
        up = next_tier(programme, found[0][1], Decimal(found[0][2]))
        if up and up.by_points:
            parts.append(
                _("%(gap)s points to %(tier)s") % {"gap": f"{up.short_by:,.0f}", "tier": up.label}
            )
        elif up:
            parts.append(
                _("฿%(gap)s to %(tier)s") % {"gap": f"{up.short_by:,.0f}", "tier": up.label}
            )
    return [" · ".join(parts)] if parts else []
