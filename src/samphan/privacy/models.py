"""The privacy app's tables. Each concern keeps its models in its own module (who saw
whom in ``access_log.py``); Django finds them through this module."""

from samphan.privacy.access_log import AccessExport, CustomerAccess  # noqa: F401
