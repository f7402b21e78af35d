"""What higher apps want staff to know when a customer arrives (support: an open ticket, a
recent unhappy answer): a line each on the desk's card and in the alert that announces
them. Frontdesk knows no higher app, so they register a source here in their ``ready()``.

A source is asked with the user who will read the card, and details only what that user
may see; asked with None (the alert, shown to its whole audience) it says only that there
is something, without the record's details."""

from collections.abc import Callable

from samphan.accounts.models import User
from samphan.customers.models import Customer

ArrivalNotes = Callable[[Customer, User | None], list[str]]
_sources: list[ArrivalNotes] = []


def arrival_notes_register(source: ArrivalNotes) -> None:
    if source not in _sources:
        _sources.append(source)


def arrival_notes(customer: Customer, reader: User | None = None) -> list[str]:
    return [note for source in _sources for note in source(customer, reader)]


# Sections higher apps add to the desk's card (loyalty: the rewards to redeem), each the
# URL name of a view taking the customer's ``pk`` that answers an HTML fragment, loaded
# by the card once it is shown (the card's own queries stay fixed).
DESK_PANELS: list[str] = []


def desk_panel_register(url_name: str) -> None:
    if url_name not in DESK_PANELS:
        DESK_PANELS.append(url_name)
