"""Background work of the customers app, run by ``samphan worker`` (immediately in tests)."""

from django.tasks import task

from samphan.customers.dedupe.finder import duplicates_find


@task()
def duplicates_refresh() -> int:
    """A full run of the duplicate finder, on demand; how many pairs it found."""
    return duplicates_find().found
