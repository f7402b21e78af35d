"""Sections other apps add to a campaign's page (support: the recommendation scores of the
surveys a campaign sent), each loaded by its own request, as on the customer page
(``customers.panels``): marketing knows nothing of support."""

CAMPAIGN_PANELS: list[str] = []


def campaign_panel_register(url_name: str) -> None:
    """``url_name``: a view taking the campaign's ``pk`` and returning an HTML fragment
    (empty when it has nothing to say of this campaign)."""
    if url_name not in CAMPAIGN_PANELS:
        CAMPAIGN_PANELS.append(url_name)
