"""Background work of the analytics app, run by ``samphan worker`` (immediately in tests)."""

from django.tasks import task

from samphan.analytics.rfm import rfm_rebuild


@task()
def rfm_refresh() -> int:
    """Recompute every customer's RFM scores; enqueued once a day by the pages that show
    them. Safe to run twice."""
    return rfm_rebuild()


@task()
def snapshot_refresh(key: str) -> None:
    """Recompute one snapshot of shared figures; queued when it is a minute old."""
    from samphan.analytics.snapshots import refresh

    refresh(key)


@task()
def forecast_make(scope: str) -> bool:
    """Make today's revenue forecast for one visibility scope; queued by a request that
    found none, or one made before today. Safe to run twice."""
    from samphan.analytics.forecast_store import make

    return make(scope)
