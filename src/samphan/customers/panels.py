"""Sections other apps add to the customer page, each loaded by its own request.

The customers app knows nothing of sales or support; an app registers the URL name of
a view that takes the customer's ``pk`` and returns an HTML fragment, and the page
loads it with HTMX once it is shown. The customer page's own queries stay fixed.
"""

CUSTOMER_PANELS: list[str] = []


def customer_panel_register(url_name: str) -> None:
    if url_name not in CUSTOMER_PANELS:
        CUSTOMER_PANELS.append(url_name)
