"""The customer page's two forms as a visitor first sees them (unbound), rendered once per
language, time zone and minute instead of at every view (issue 22: about a tenth of the
page's CPU).

Their HTML holds nothing of the customer or the user: the interaction form's kinds and
fields, with "when" set to the current minute (``forms._this_minute``), and the consent
form's three choices, all in the page's language. The CSRF token and the forms' actions
stay in the page's template, rendered for each request; a form sent back with errors is
rendered as before, from the bound form.
"""

import datetime as dt

from django.template import loader
from django.utils import timezone, translation
from django.utils.safestring import SafeString

from samphan.customers.forms import ConsentForm, InteractionForm

TEMPLATE = "customers/detail.html"
# (language, time zone) -> (the minute the interaction form shows, the HTML by context name)
_RENDERED: dict[tuple[str, str], tuple[dt.datetime, dict[str, SafeString]]] = {}


def unbound_form_fields() -> dict[str, SafeString]:
    """``interaction_fields`` and ``consent_fields`` for the page's context."""
    key = (translation.get_language() or "", timezone.get_current_timezone_name())
    minute = timezone.now().replace(second=0, microsecond=0)
    cached = _RENDERED.get(key)
    if cached is not None and cached[0] == minute:
        return cached[1]
    fields = {
        "interaction_fields": _render(
            "interaction-fields", interaction_form=InteractionForm(initial={"kind": "call"})
        ),
        "consent_fields": _render("consent-fields", consent_form=ConsentForm()),
    }
    _RENDERED[key] = (minute, fields)
    return fields


def _render(partial: str, **context: object) -> SafeString:
    return SafeString(loader.get_template(f"{TEMPLATE}#{partial}").render(context))
