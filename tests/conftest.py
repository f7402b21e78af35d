import datetime as dt
import os
from typing import Any

import pytest
from django.test import Client

from samphan.accounts.models import Role, User
from samphan.accounts.services import token_create
from samphan.core.shop import shop_profile_forget
from samphan.frontdesk import alert_cards
from tests.factories import TeamFactory, UserFactory

# Playwright's sync API runs an event loop in the test thread; Django's ORM is used
# beside it from the same thread, which is safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _process_caches_fresh() -> Any:
    """The shop's profile and the arrival cards are kept in the process; a test's
    rolled-back rows (whose ids the next test reuses) must not outlive it."""
    shop_profile_forget()
    alert_cards.forget()
    yield
    shop_profile_forget()
    alert_cards.forget()


@pytest.fixture
def team(db: Any) -> Any:
    return TeamFactory(name="ทีมกรุงเทพ")


@pytest.fixture
def make_user(db: Any, team: Any) -> Any:
    def make(role: str | None = None, **kwargs: Any) -> User:
        kwargs.setdefault("username", role or "norole")
        kwargs.setdefault("team", team)
        return UserFactory(role=role, **kwargs)

    return make


@pytest.fixture
def admin_user(make_user: Any) -> User:
    return make_user(Role.ADMIN)


@pytest.fixture
def sales_user(make_user: Any) -> User:
    return make_user(Role.SALES)


@pytest.fixture
def admin_client(admin_user: User) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client


@pytest.fixture
def api(admin_user: User) -> Client:
    """A client that calls the API with the admin's bearer token."""
    return token_client(admin_user)


def token_client(user: User) -> Client:
    token = token_create(user=user, name="tests")
    return Client(headers={"Authorization": f"Bearer {token}"})


# The moment tests that depend on what a small demo holds build it at (which deals reached
# "Quoted", whose visit falls today): the day and the hour in Bangkok change it.
DEMO_MOMENT = dt.datetime(2026, 12, 6, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=7)))


@pytest.fixture(scope="session")
def s3_server() -> Any:
    """An S3-compatible server on loopback (moto's server mode, in a thread; one per test
    process) with an empty bucket: its settings, as STORAGES' OPTIONS take them."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    options = {
        "bucket_name": "samphan-test",
        "endpoint_url": f"http://{host}:{port}",
        "region_name": "us-east-1",
        "access_key": "test-key",
        "secret_key": "test-secret",
        "addressing_style": "path",
        "default_acl": "private",
        "file_overwrite": False,
    }
    s3_client(options).create_bucket(Bucket=options["bucket_name"])
    yield options
    server.stop()


def s3_client(options: dict[str, Any]) -> Any:
    """A plain boto3 client of the test server, to look in the bucket behind the app."""
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=options["endpoint_url"],
        region_name=options["region_name"],
        aws_access_key_id=options["access_key"],
        aws_secret_access_key=options["secret_key"],
    )
