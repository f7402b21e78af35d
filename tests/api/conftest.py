# The messaging tests' customer reachable on every channel (the support API sends replies).
from tests.messaging.conftest import reachable  # noqa: F401
