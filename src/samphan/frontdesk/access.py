"""Fetch-and-authorise for the front desk: the one way the pages and the API get an
arrival alert or an alert rule by id (404 when the user may not see it, 403 without
``perm``), as ``customers.access.customer_for_user`` does for a customer."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from samphan.accounts.models import User
from samphan.core.permissions import require_perm
from samphan.frontdesk.models import Alert, AlertRule
from samphan.frontdesk.services import alerts_open_for


def alert_for_user(
    user: User, pk: int, *, perm: str = "", open_only: bool = False, for_update: bool = False
) -> Alert:
    """An arrival alert on a customer ``user`` may see, with its customer; ``open_only``:
    only one still announced to ``user`` (nobody greeted it yet, ``alerts_open_for``)."""
    if perm:
        require_perm(user, perm)
    alerts: QuerySet[Alert] = (
        alerts_open_for(user)
        if open_only
        else Alert.objects.visible_to(user).select_related("customer")
    )
    if for_update:
        alerts = alerts.select_for_update(of=("self",))
    return get_object_or_404(alerts, pk=pk)


def alert_rule_for_user(
    user: User, pk: int, *, perm: str = "", for_update: bool = False
) -> AlertRule:
    """An alert rule with its tag and team (rules are the shop's: every holder of ``perm``
    sees them all)."""
    if perm:
        require_perm(user, perm)
    rules = AlertRule.objects.select_related("tag", "team")
    if for_update:
        rules = rules.select_for_update(of=("self",))
    return get_object_or_404(rules, pk=pk)
