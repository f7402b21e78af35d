"""Pages a customer reaches from a message, without logging in: one-click unsubscribe and
the preference page. Each shows what it is about (a channel, the business) and nothing
of the customer's data."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from samphan.core.public import in_link_language
from samphan.customers.models import PURPOSES_EXPLAINED, ConsentRecord, Customer
from samphan.messaging import links, services


# No CSRF token: RFC 8058's one-click POST comes from the mail provider, which has none;
# the signed link is the credential. A GET only shows the button, because mail scanners
# follow links.
@csrf_exempt
@require_http_methods(["GET", "POST"])
@in_link_language
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    message = links.message_of(token)
    if message is None:
        return render(request, "messaging/unsubscribe.html", {"invalid": True}, status=404)
    context: dict[str, object] = {"channel": message.get_channel_display(), "token": token}
    if request.method == "POST":
        changed = services.unsubscribe(message)
        context |= {
            "done": True,
            "changed": changed,
            "preferences_url": links.preferences_url(message.customer_id),
        }
    return render(request, "messaging/unsubscribe.html", context)


@require_http_methods(["GET", "POST"])
@in_link_language
def preferences(request: HttpRequest, token: str) -> HttpResponse:
    customer_id = links.customer_id_of(token)
    customer = None
    if customer_id is not None:
        customer = Customer.objects.filter(pk=customer_id, archived_at__isnull=True).first()
    if customer is None:
        return render(request, "messaging/preferences.html", {"invalid": True}, status=404)
    saved = None
    if request.method == "POST":
        wanted = {
            key: f"{key[0]}:{key[1]}" in request.POST.getlist("on")
            for key in services.preferences_of(customer)
        }
        saved = services.preferences_save(customer, wanted)
    current = services.preferences_of(customer)
    rows = [
        {
            "channel": channel.label,
            "boxes": [
                {"name": f"{channel}:{purpose}", "checked": current[(channel, purpose)],
                 "label": purpose.label}
                for purpose in ConsentRecord.Purpose
            ],
        }
        for channel in services.PREFERENCE_CHANNELS
    ]  # fmt: skip
    return render(
        request,
        "messaging/preferences.html",
        {"rows": rows, "saved": saved, "token": token, "explained": PURPOSES_EXPLAINED},
    )
