"""/privacy/retention/: the retention periods (admins), with what applying them would do
today, before anything is done."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from samphan.core.forms import ModelForm, add_errors
from samphan.core.http import Request
from samphan.core.permissions import require_perm
from samphan.privacy.retention import (
    POLICY_FIELDS,
    retention_apply,
    retention_plan,
    retention_policy_update,
)
from samphan.privacy.retention_models import RetentionPolicy

MANAGE = "accounts.change_user"  # the "users" capability: administrators


class RetentionForm(ModelForm[RetentionPolicy]):
    class Meta:
        model = RetentionPolicy
        fields = POLICY_FIELDS


@login_required
def retention_settings(request: Request) -> HttpResponse:
    require_perm(request.user, MANAGE)
    policy = RetentionPolicy.current()
    form = RetentionForm(None, instance=policy)
    if request.method == "POST" and "apply" in request.POST:
        done = retention_apply(actor=request.user)
        total = sum(done.values())
        messages.success(
            request,
            ngettext("Applied: %(count)s record.", "Applied: %(count)s records.", total)
            % {"count": total},
        )
        return redirect("retention_settings")
    if request.method == "POST":
        # A copy: the form writes what was typed onto it, the plan reads the saved one.
        form = RetentionForm(request.POST, instance=RetentionPolicy.current())
        if form.is_valid():
            try:
                retention_policy_update(actor=request.user, data=form.cleaned_data)
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(request, _("Retention periods saved."))
                return redirect("retention_settings")
    context = {
        "form": form,
        "policy": policy,
        "plan": retention_plan(timezone.localdate(), policy),
        "today": timezone.localdate(),
    }
    return render(request, "privacy/retention.html", context)
