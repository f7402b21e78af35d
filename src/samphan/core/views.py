from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.views.static import serve

from samphan.customers.models import Customer, Interaction


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """A landing page until the analytics dashboard arrives: counts and latest activity."""
    visible = Customer.objects.visible_to(request.user).active()
    counts = {
        "people": visible.people().count(),
        "companies": visible.companies().count(),
        "vip": visible.filter(is_vip=True).count(),
    }
    recent = (
        Interaction.objects.filter(customer__in=visible)
        .select_related("customer", "user")
        .order_by("-occurred_at", "-id")[:10]
    )
    return render(request, "home.html", {"counts": counts, "recent": recent})


@login_required
def media(request: HttpRequest, path: str) -> HttpResponseBase:
    """Uploaded files (customer photos) are personal data: staff only, never public."""
    response = serve(request, path, document_root=str(settings.MEDIA_ROOT))
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response
