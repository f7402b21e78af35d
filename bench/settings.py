"""Benchmark settings: the real settings, with a fresh database per run."""

from samphan.settings import *  # noqa: F403

ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LOGGING = {"version": 1, "disable_existing_loggers": False}
# The benchmarks time pages and services, not sign-in: their admin has no second step set up.
SAMPHAN_TWO_FACTOR_REQUIRED = False
