"""The customer page's personal-data actions: the access ZIP (one click, any role that
may see the customer) and the erasure confirm page (admins only, type the name)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samphan.core.http import Request
from samphan.customers.access import customer_for_user
from samphan.privacy.erasure import (
    ErasureRefusedError,
    customer_erase,
    erasure_refusals,
    keeps_tax_id,
)
from samphan.privacy.registry import BASIS_LABELS, REGISTRY, Erasure
from samphan.privacy.subject_export import customer_export, export_file_name

VIEW = "customers.view_customer"
ERASE = "customers.erase_customer"


def zip_response(content: bytes, file_name: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{file_name}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def customer_personal_data(request: Request, pk: int) -> HttpResponse:
    """The ZIP of everything about the customer (audited)."""
    customer = customer_for_user(request.user, pk, perm=VIEW)
    return zip_response(customer_export(customer, actor=request.user), export_file_name(customer))


class EraseForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Type the customer's name to confirm"), max_length=250
    )
    reason = forms.CharField(
        label=gettext_lazy("The request this answers"),
        max_length=500,
        help_text=gettext_lazy("E.g. the request's number and date; kept in the audit log."),
    )

    def __init__(self, *args: object, expected: str, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.expected = expected

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"].strip()
        if name != self.expected.strip():
            raise forms.ValidationError(
                _("Type the name exactly as shown: %(name)s") % {"name": self.expected}
            )
        return name


@login_required
def customer_erase_confirm(request: Request, pk: int) -> HttpResponse:
    """What erasure does and keeps (and why), and the form that does it."""
    customer = customer_for_user(request.user, pk, perm=ERASE)
    refusals = erasure_refusals(customer)
    form = EraseForm(request.POST or None, expected=customer.display_name)
    if request.method == "POST" and not refusals and form.is_valid():
        try:
            customer_erase(customer, actor=request.user, reason=form.cleaned_data["reason"])
        except ErasureRefusedError as refused:
            refusals = refused.messages
        else:
            messages.success(request, _("Personal data erased. Orders and figures are kept."))
            return redirect("customer_detail", pk=pk)
    kept = [
        (item, [name for name, action in item.fields.items() if action is Erasure.KEEP])
        for item in REGISTRY
        if item.path is not None
    ]
    context = {
        "customer": customer,
        "form": form,
        "refusals": refusals,
        "keeps_tax_id": keeps_tax_id(customer),
        "entries": [(item, BASIS_LABELS[item.basis]) for item in REGISTRY if item.path is not None],
        "kept": kept,
    }
    return render(request, "privacy/subject_erase.html", context)
