"""Fetch-and-authorise for marketing: the one way the pages and the API get a segment or a
campaign by id (404 when there is none, 403 without ``perm``), as
``customers.access.customer_for_user`` does for a customer. Segments and campaigns are the
shop's: every holder of the permission sees them all (the customers in them follow the
user's visibility, in ``queries``)."""

from django.shortcuts import get_object_or_404

from samphan.accounts.models import User
from samphan.core.permissions import require_perm
from samphan.marketing.models import Campaign, Segment


def segment_for_user(
    user: User, pk: int, *, perm: str = "", static_only: bool = False, for_update: bool = False
) -> Segment:
    """A segment; ``static_only``: a static list (404 for a segment by rules)."""
    if perm:
        require_perm(user, perm)
    segments = Segment.objects.all()
    if static_only:
        segments = segments.filter(kind=Segment.Kind.STATIC)
    if for_update:
        segments = segments.select_for_update()
    return get_object_or_404(segments, pk=pk)


def campaign_for_user(user: User, pk: int, *, perm: str = "", for_update: bool = False) -> Campaign:
    """A campaign with its segment."""
    if perm:
        require_perm(user, perm)
    campaigns = Campaign.objects.select_related("segment")
    if for_update:
        campaigns = campaigns.select_for_update(of=("self",))
    return get_object_or_404(campaigns, pk=pk)
