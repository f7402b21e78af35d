"""The shapes of the personal-data registry (``privacy/registry.py``): the lawful bases,
what erasure does to a field, and one model's entry."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final

from django.apps import apps
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise


class Basis(StrEnum):
    """The lawful bases of PDPA section 24 (and consent, section 19)."""

    CONSENT = "consent"
    CONTRACT = "contract"
    LEGAL_OBLIGATION = "legal obligation"
    LEGITIMATE_INTEREST = "legitimate interest"
    VITAL_INTEREST = "vital interest"
    PUBLIC_TASK = "public task"


BASIS_LABELS: Final[Mapping[Basis, StrOrPromise]] = {
    Basis.CONSENT: _("consent (s.19)"),
    Basis.CONTRACT: _("contract (s.24(3))"),
    Basis.LEGAL_OBLIGATION: _("legal obligation (s.24(6))"),
    Basis.LEGITIMATE_INTEREST: _("legitimate interest (s.24(5))"),
    Basis.VITAL_INTEREST: _("vital interest (s.24(2))"),
    Basis.PUBLIC_TASK: _("public task (s.24(4))"),
}


class Erasure(StrEnum):
    """What ``customer_erase`` does to a field (or, for DELETE, to the whole row)."""

    ANONYMISE = "anonymise"  # emptied or replaced by a neutral value; the row stays
    DELETE = "delete"  # the row goes
    KEEP = "keep"  # kept, for the reason the entry gives


@dataclass(frozen=True)
class PersonalData:
    """One model holding personal data. ``path`` is the lookup from the model to the
    customer ("" for the customer itself; None for data not about customers, e.g.
    staff). ``fields`` maps each personal field to what erasure does with it; ``plain``
    names the model's other text or date fields, which say nothing about the person."""

    model: str
    title: StrOrPromise
    purpose: StrOrPromise
    basis: Basis
    path: str | None
    fields: Mapping[str, Erasure]
    erasure: StrOrPromise
    plain: tuple[str, ...] = field(default=())

    @property
    def model_class(self) -> type[models.Model]:
        return apps.get_model(self.model)

    @property
    def customer_filter(self) -> str:
        """The lookup that takes a customer's pk."""
        return f"{self.path}__pk" if self.path else "pk"
