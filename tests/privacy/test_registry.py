"""The registry of personal data covers every model and field of the project's apps that
can hold it (PDPA: know what you hold, why and on which basis)."""

from django.apps import apps
from django.db import models

from samphan.customers.models import Customer
from samphan.privacy.registry import NOT_PERSONAL, REGISTRY, Basis, Erasure


def project_models() -> list[type[models.Model]]:
    return [model for model in apps.get_models() if model.__module__.startswith("samphan.")]


def looks_personal(field: models.Field) -> bool:  # type: ignore[type-arg]
    """Free text (not a fixed choice), e-mail, phone, dates such as a birthday, images and
    files, JSON and bytes: what may hold something about a person."""
    if isinstance(field, models.CharField | models.TextField):
        return not field.choices
    if isinstance(field, models.DateField) and not isinstance(field, models.DateTimeField):
        return True
    return isinstance(field, models.FileField | models.JSONField | models.BinaryField)


def belongs_to_a_customer() -> set[str]:
    """Models with a foreign key to Customer, or to a model that does, to any depth."""
    found = {Customer._meta.label}
    grew = True
    while grew:
        grew = False
        for model in project_models():
            label = model._meta.label
            if label in found:
                continue
            if any(
                field.is_relation
                and field.related_model is not None
                and field.related_model._meta.label in found
                for field in model._meta.concrete_fields
            ):
                found.add(label)
                grew = True
    return found


def test_every_model_with_personal_data_is_registered() -> None:
    registered = {item.model for item in REGISTRY}
    owned = belongs_to_a_customer()
    missing = []
    for model in project_models():
        label = model._meta.label
        if label in registered or label in NOT_PERSONAL:
            continue
        fields = [f.name for f in model._meta.concrete_fields if looks_personal(f)]
        if label in owned or fields:
            missing.append(f"{label} ({', '.join(fields) or 'belongs to a customer'})")
    assert not missing, (
        "Register these in privacy/registry.py (REGISTRY: purpose, basis, path, erasure) "
        f"or say why they are not personal (NOT_PERSONAL): {missing}"
    )


def test_every_personal_looking_field_of_a_registered_model_is_registered() -> None:
    missing = [
        f"{item.model}.{field.name}"
        for item in REGISTRY
        for field in item.model_class._meta.concrete_fields
        if looks_personal(field) and field.name not in {*item.fields, *item.plain}
    ]
    assert not missing, f"Say what erasure does to these (fields) or list them in plain: {missing}"


def test_models_that_belong_to_a_customer_have_a_path_that_works() -> None:
    owned = belongs_to_a_customer()
    for item in REGISTRY:
        model = item.model_class
        assert set(item.fields) <= {f.name for f in model._meta.concrete_fields}, item.model
        assert isinstance(item.basis, Basis) and item.purpose and item.erasure
        assert all(isinstance(action, Erasure) for action in item.fields.values())
        if item.model in owned:
            assert item.path is not None, f"{item.model} belongs to a customer: give its path"
        if item.path is not None:
            str(model._default_manager.filter(**{item.customer_filter: 1}).query)
    assert not {item.model for item in REGISTRY} & set(NOT_PERSONAL)


def test_a_new_unregistered_field_fails(monkeypatch: object) -> None:
    """The check sees a field added to a registered model without an entry."""
    item = next(item for item in REGISTRY if item.model == "customers.Customer")
    fields = dict(item.fields)
    del fields["nickname"]
    missing = [
        f.name
        for f in Customer._meta.concrete_fields
        if looks_personal(f) and f.name not in {*fields, *item.plain}
    ]
    assert missing == ["nickname"]
