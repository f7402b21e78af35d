"""The request path imports nothing heavy: on a busy two-core machine, loading SciPy,
statsmodels and the LINE SDK inside the first request took longer than gunicorn's
timeout, which killed the worker mid-import (and the next one, and the next).

Each check runs in a fresh interpreter, since this one has long imported everything."""

import datetime as dt
import json
import os
import subprocess
import sys
import textwrap
from typing import Any

import pytest

# What a page must not load: each is imported only where it is used (a forecast, a PDF,
# an XLSX download, LINE's webhook and sender), never by a module the URLs reach. NumPy is
# not here: the home page's figures are computed with it, and the apps load it at start.
HEAVY = ("scipy", "statsmodels", "linebot", "weasyprint", "openpyxl", "polars", "pandas",
         "duckdb", "pyarrow", "matplotlib", "aiohttp")  # fmt: skip

# Loads what the server loads before and while it answers its first requests: the
# settings and apps, the WSGI handler (its middleware), every URL pattern's view, every
# views/api/hooks/public module (a view not yet routed counts too), and the templates'
# tag libraries and context processors.
PROBE = textwrap.dedent(
    """
    import importlib, json, pkgutil, sys

    import django
    from django.core.wsgi import get_wsgi_application

    django.setup()
    get_wsgi_application()

    import samphan
    from django.template import engines
    from django.urls import URLPattern, URLResolver, get_resolver

    def walk(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns)
            elif isinstance(pattern, URLPattern):
                yield pattern.callback

    views = list(walk(get_resolver().url_patterns))
    for module in pkgutil.walk_packages(samphan.__path__, "samphan."):
        parts = module.name.split(".")
        if any(p in ("views", "api", "urls", "hooks", "public") or p.endswith("_views")
               for p in parts[1:]):
            importlib.import_module(module.name)
    for engine in engines.all():
        template_engine = getattr(engine, "engine", None)
        if template_engine is not None:
            template_engine.template_context_processors
            template_engine.template_builtins
            for library in template_engine.libraries.values():
                importlib.import_module(library)
    import threading
    from django.db import connections

    opened = [alias for alias in connections if connections[alias].connection is not None]
    print(json.dumps({"views": len(views), "modules": sorted(sys.modules), "opened": opened,
                      "threads": threading.active_count()}))
    """
)


@pytest.fixture(scope="module")
def loaded() -> dict[str, Any]:
    """What the probe loaded, opened and started, from a fresh interpreter (once)."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"}
    result = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_url_configuration_loads_no_heavy_module(loaded):
    top_level = {name.split(".")[0] for name in loaded["modules"]}
    assert loaded["views"] > 100  # the walk did reach the URL patterns
    assert "samphan" in top_level and "ninja" in top_level
    assert sorted(top_level.intersection(HEAVY)) == []


def test_loading_the_app_opens_no_connection_and_starts_no_thread(loaded):
    """gunicorn --preload loads the app once and forks its workers from it: a database
    connection or a thread made while loading would be shared by, or lost to, every
    worker."""
    assert loaded["opened"] == []
    assert loaded["threads"] == 1


@pytest.fixture
def statsmodels_unloaded() -> Any:
    """This process without statsmodels loaded (put back afterwards, as it was)."""
    saved = {name: module for name, module in sys.modules.items() if _is_statsmodels(name)}
    for name in saved:
        del sys.modules[name]
    yield
    for name in [name for name in sys.modules if _is_statsmodels(name)]:
        del sys.modules[name]
    sys.modules.update(saved)


def _is_statsmodels(name: str) -> bool:
    return name == "statsmodels" or name.startswith("statsmodels.")


def _statsmodels_loaded() -> bool:
    return any(_is_statsmodels(name) for name in sys.modules)


@pytest.mark.django_db
def test_the_forecast_panel_and_api_never_fit(admin_user, sales_user, statsmodels_unloaded):
    """Enough history that a fit would run (its backtest fits ETS models), and every state
    the panel and the API can be in: none made yet, one of yesterday (today's queued), and
    today's, for a user who sees all records and for a sales rep. Requests only read; the
    worker's job is what loads statsmodels (checked last, so this test can fail)."""
    from django.test import Client
    from django.utils import timezone

    from samphan.analytics import forecast_store
    from tests.analytics.test_forecast import fill_days
    from tests.conftest import token_client

    fill_days(300, timezone.localdate())

    def look() -> None:
        for user in (admin_user, sales_user):
            client = Client()
            client.force_login(user)
            assert client.get("/insights/forecast/").status_code == 200
            assert token_client(user).get("/api/v1/analytics/forecast").status_code in (200, 202)

    look()  # none made yet: tasks queued (they run after the request, in the worker)
    assert not _statsmodels_loaded()
    forecast_store.make("all")  # the worker
    assert _statsmodels_loaded()
    for name in [name for name in sys.modules if _is_statsmodels(name)]:
        del sys.modules[name]
    from samphan.analytics.models import StoredForecast

    StoredForecast.objects.update(made_on=timezone.localdate() - dt.timedelta(days=1))
    look()  # yesterday's: shown, today's queued
    look()  # and again
    assert not _statsmodels_loaded()
