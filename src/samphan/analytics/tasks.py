"""Background work of the analytics app, run by ``samphan worker`` (immediately in tests).

Each task is defined beside the code it runs and enqueues it (``rfm``, ``snapshots``,
``forecast_store``), so that no module and this one import each other; this module
lists them, and keeps the paths of tasks queued before they moved importable."""

from samphan.analytics.forecast_store import forecast_make
from samphan.analytics.rfm import rfm_refresh
from samphan.analytics.snapshots import snapshot_refresh

__all__ = ["forecast_make", "rfm_refresh", "snapshot_refresh"]
