"""collectstatic compresses what pages link (the hashed names), once: the same bytes reach
browsers for half the compression time."""

import json
from pathlib import Path

from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.management import call_command
from django.test import override_settings

STORAGE = {"BACKEND": "samphan.core.staticfiles.HashedCompressedStaticFilesStorage"}


def test_only_the_hashed_names_are_compressed(tmp_path, settings):
    with override_settings(
        STATIC_ROOT=tmp_path, STORAGES={**settings.STORAGES, "staticfiles": STORAGE}
    ):
        call_command("collectstatic", interactive=False, verbosity=0)
        linked = staticfiles_storage.url("vendor/echarts/echarts.min.js")
    hashed = tmp_path / linked.removeprefix(settings.STATIC_URL)
    assert hashed.name != "echarts.min.js" and hashed.exists()
    for suffix in (".br", ".gz"):
        assert Path(f"{hashed}{suffix}").stat().st_size < hashed.stat().st_size / 2
    plain = tmp_path / "vendor" / "echarts" / "echarts.min.js"
    assert plain.read_bytes() == hashed.read_bytes()  # still there, served as it is
    assert not Path(f"{plain}.br").exists() and not Path(f"{plain}.gz").exists()
    manifest = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    compressed = {
        str(path.relative_to(tmp_path).with_suffix("")) for path in tmp_path.rglob("*.br")
    }
    assert compressed and compressed <= set(manifest.values())  # hashed names only
