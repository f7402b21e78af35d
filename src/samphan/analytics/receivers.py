"""The analytics roll-ups follow the customers app's history through its signals (the
customers app may not import analytics); sales calls ``analytics.rollups`` directly."""

from typing import Any

from samphan.analytics.rollups import (
    activity_add,
    activity_refresh,
    hourly_add,
    hourly_refresh,
    local_date,
)
from samphan.customers.signals import history_changed, visit_logged


def on_visit_logged(sender: Any, *, customer_id: int, occurred_at: Any, **kwargs: Any) -> None:
    activity_add(customer_id, occurred_at, visit=True)
    hourly_add(occurred_at, visits=1)


def on_history_changed(
    sender: Any, *, customer_ids: list[int], moments: Any = (), **kwargs: Any
) -> None:
    activity_refresh(customer_ids)
    hourly_refresh(local_date(moment) for moment in moments if moment)


def connect() -> None:
    visit_logged.connect(on_visit_logged, dispatch_uid="analytics.visit")
    history_changed.connect(on_history_changed, dispatch_uid="analytics.history")
