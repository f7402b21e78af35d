from django.conf import settings
from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from samphan.core.forms import add_errors
from samphan.core.http import Request
from samphan.core.permissions import require_perm
from samphan.customers.access import customer_for_user
from samphan.loyalty import services
from samphan.loyalty.forms import PointsForm
from samphan.loyalty.models import PointsEntry

RECENT = 5


@login_required
def customer_points(request: Request, pk: int) -> HttpResponse:
    """The customer page's panel: the balance, how it is made and the last changes; a
    POST redeems or adjusts (the panel comes back with the field's error, or the new
    balance)."""
    customer = customer_for_user(request.user, pk)
    partial = request.htmx
    if request.method == "POST":
        require_perm(request.user, "loyalty.add_pointsentry")
    elif not request.user.has_perm("loyalty.view_pointsentry"):
        return HttpResponse("")  # no panel for those who may not see points
    form, saved = PointsForm(), False
    if request.method == "POST":
        form = PointsForm(request.POST)
        if form.is_valid():
            try:
                services.points_record(actor=request.user, customer=customer, **form.cleaned_data)
            except ValidationError as error:
                add_errors(form, error)
            else:
                if not partial:
                    flash.success(request, _("Points recorded."))
                    return redirect("customer_detail", customer.pk)
                form, saved = PointsForm(), True
        if not partial and form.errors:
            flash.error(request, " ".join(str(m) for ms in form.errors.values() for m in ms))
            return redirect("customer_detail", customer.pk)
    context = {
        "customer": customer,
        "balance": services.balance_of(customer.pk),
        "per": settings.SAMPHAN_BAHT_PER_POINT,
        "entries": PointsEntry.objects.filter(customer=customer).select_related("created_by")[
            :RECENT
        ],
        "form": form,
        "saved": saved,
    }
    return render(request, "loyalty/customer_points.html", context)
