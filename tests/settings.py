"""Test settings: the real settings with fast hashing, immediate tasks and plain static files."""

import os
import tempfile

os.environ.setdefault("SAMPHAN_VAR_DIR", tempfile.mkdtemp(prefix="samphan-test-var-"))

from samphan.settings import *  # noqa: F403

ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = tempfile.mkdtemp(prefix="samphan-test-media-")
LOGGING = {"version": 1, "disable_existing_loggers": False}
os.makedirs(STATIC_ROOT, exist_ok=True)  # noqa: F405 - WhiteNoise warns about a missing directory
SAMPHAN_TWO_FACTOR_REQUIRED = False  # on in tests/accounts/test_two_factor.py and the e2e test
AUTHENTICATION_BACKENDS = [
    "tests.backends.RequestOptionalAxesBackend",  # Client.login has no request (tests/backends.py)
    "samphan.accounts.backends.ModelBackend",
]
