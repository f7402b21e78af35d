"""Similar products on the customer page (a panel); the deal page's card is in deals.py."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from samphan.core.http import Request
from samphan.sales import queries
from samphan.sales.views.common import panel_customer


@login_required
def customer_suggestions(request: Request, pk: int) -> HttpResponse:
    """Products the customer has not bought yet, each with the reason it is offered."""
    customer = panel_customer(request, pk)
    if customer is None:
        return HttpResponse("")
    context = {
        "customer": customer,
        "suggestions": queries.customer_suggestions(pk),
        "has_bought": queries.customer_sales(pk).order_count > 0,
    }
    return render(request, "sales/customer_suggestions.html", context)
