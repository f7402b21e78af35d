"""The personal-data registry's entry for an import's failed rows (``registry.py`` lists
it beside the import; kept here because that module is at the line limit)."""

from django.utils.translation import gettext_lazy as _

from samphan.privacy.registry_types import Basis, Erasure, PersonalData

IMPORT_FAILED_ROWS = PersonalData(
    "customers.ImportFailedRow",
    _("Customer imports"),
    _("Bringing the business's own customer list in, and the rows to fix and upload again."),
    Basis.LEGITIMATE_INTEREST,
    None,
    {"cells": Erasure.DELETE, "reason": Erasure.DELETE},
    _(
        "The uploaded file and its failed rows go when the import is deleted. They are "
        "not linked to one customer, so erasing a customer does not find them: delete an "
        "import once its failed rows have been fixed."
    ),
    plain=("column",),
)
