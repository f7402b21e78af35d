"""Background work of the sales app, run by ``samphan worker`` (immediately in tests)."""

from django.tasks import task

from samphan.sales.affinities import affinities_rebuild


@task()
def affinities_refresh() -> int:
    """Rebuild the similar-products table; enqueued by order writes. Safe to run twice."""
    return affinities_rebuild().pairs
