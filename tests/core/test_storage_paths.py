"""Uploaded files are read and written through the storage API only (core/storage.py), so
they work the same on the local disk and on S3-compatible storage: nothing in src/ reads
MEDIA_ROOT outside the settings, nor a FieldFile's or a storage's ``.path`` (a bucket has
no path). Read with ``ast``, every module, no exception list."""

import ast
from pathlib import Path

from django.apps import apps
from django.db import models

SRC = Path(__file__).resolve().parents[2] / "src" / "samphan"
SETTINGS = SRC / "settings.py"


def file_field_names() -> set[str]:
    """The names of every FileField (and ImageField) of every model."""
    return {
        field.name
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, models.FileField)
    }


def offences(source: str, file_fields: set[str]) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Name) and node.id == "MEDIA_ROOT":
            found.append((node.lineno, "MEDIA_ROOT"))
        if isinstance(node, ast.Attribute) and node.attr == "MEDIA_ROOT":
            found.append((node.lineno, "settings.MEDIA_ROOT"))
        if isinstance(node, ast.Constant) and node.value == "MEDIA_ROOT":
            found.append((node.lineno, 'getattr(…, "MEDIA_ROOT")'))
        if isinstance(node, ast.Attribute) and node.attr in {"path", "temporary_file_path"}:
            owner = node.value
            name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", "")
            if name in file_fields or "storage" in name.lower():
                found.append((node.lineno, f"{name}.{node.attr}"))
    return found


def test_no_module_reaches_uploaded_files_by_a_path(db: object) -> None:
    file_fields = file_field_names()
    assert {"photo", "photo_thumbnail", "file", "logo"} <= file_fields
    bad = []
    for module in sorted(SRC.rglob("*.py")):
        if module == SETTINGS or "migrations" in module.parts:
            continue
        for line, what in offences(module.read_text(encoding="utf-8"), file_fields):
            bad.append(f"{module.relative_to(SRC)}:{line}: {what}")
    assert bad == [], "use the storage API (default_storage, a FieldFile's .open):\n" + "\n".join(
        bad
    )


def test_the_check_sees_what_it_forbids() -> None:
    fields = {"photo", "file"}
    assert offences("x = customer.photo.path", fields) == [(1, "photo.path")]
    assert offences("open(job.file.path)", fields) == [(1, "file.path")]
    assert offences("default_storage.path(name)", fields) == [(1, "default_storage.path")]
    assert offences("Path(settings.MEDIA_ROOT) / 'x'", fields) == [(1, "settings.MEDIA_ROOT")]
    assert offences("request.path; os.path.join(a, b); rule.path", fields) == []
