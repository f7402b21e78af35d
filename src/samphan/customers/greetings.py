"""How staff greet a customer, written once: the front-desk card, arrival alerts, the
customer page and campaigns' ``{{ greeting }}`` all ask ``greeting_for``.

Thai (the everyday greeting): "คุณ" and the nickname, else "คุณ" and the first name
(คุณแอน, คุณอัญชลี), whatever the title: a formal title (นาย, นาง, นางสาว, ดร. …) never
goes with a nickname ("นางสาวบี" is wrong), so it has no place in the everyday greeting.
Formal Thai (``formal=True``, e.g. a letter or the customer page's "formally"): the
formal title and the first name (นางสาวอัญชลี, ดร.สมชาย); "คุณ" and the first name when
there is no formal title.

English: title and last name (Mr Smith, Dr Chai; a Thai title in its English form) when
both are known, else the first name, else the nickname.

Companies are greeted by their name. A person without any name usable above gets their
display name, so a greeting is never empty while the customer has a name at all.
"""

from typing import Protocol

from django.utils import translation


class Named(Protocol):
    """What a greeting reads of a customer (``Customer`` is one; the model calls this
    module, so it is described here rather than imported)."""

    title: str
    first_name: str
    first_name_en: str
    last_name: str
    last_name_en: str
    nickname: str
    company_name: str
    company_name_en: str

    @property
    def is_company(self) -> bool: ...

    def compute_display_name(self) -> str: ...


EVERYDAY_THAI = "คุณ"
# Titles that only say "Khun" in another spelling: no formal title at all.
KHUN = {"คุณ", "k", "khun"}
# Formal titles, as typed (lower case, without a final dot) → their English form.
ENGLISH_TITLE = {
    "นาย": "Mr",
    "นาง": "Mrs",
    "นางสาว": "Ms",
    "น.ส": "Ms",
    "ดร": "Dr",
    "ศ": "Prof",
    "ศ.ดร": "Prof",
    "mr": "Mr",
    "mrs": "Mrs",
    "ms": "Ms",
    "miss": "Miss",
    "dr": "Dr",
    "prof": "Prof",
}


def _title_key(title: str) -> str:
    return title.strip().rstrip(".").strip().lower()


def _with_thai_title(title: str, name: str) -> str:
    """Thai writes a title against a Thai name (คุณแอน, ดร.สมชาย), with a space before a
    Latin one (คุณ John)."""
    is_thai = "\u0e00" <= name[0] <= "\u0e7f"
    return f"{title}{name}" if is_thai else f"{title} {name}"


def _thai(customer: Named, *, formal: bool) -> str:
    first = customer.first_name.strip() or customer.first_name_en.strip()
    title = customer.title.strip()
    if formal and first and title and _title_key(title) not in KHUN:
        return _with_thai_title(title, first)
    # Formally the first name; without one, the everyday greeting is the best there is.
    name = (formal and first) or customer.nickname.strip() or first
    return _with_thai_title(EVERYDAY_THAI, name) if name else ""


def _english(customer: Named) -> str:
    title = ENGLISH_TITLE.get(_title_key(customer.title), "")
    last = customer.last_name_en.strip() or customer.last_name.strip()
    if title and last:
        return f"{title} {last}"
    return (
        customer.first_name_en.strip() or customer.first_name.strip() or customer.nickname.strip()
    )


def greeting_for(customer: Named, language: str | None = None, *, formal: bool = False) -> str:
    """How to greet ``customer`` in ``language`` (the active language when not given)."""
    language = (language or translation.get_language() or "th").lower()
    if customer.is_company:
        if language.startswith("en"):
            return customer.company_name_en.strip() or customer.company_name.strip()
        return customer.company_name.strip() or customer.company_name_en.strip()
    english = language.startswith("en")
    greeting = _english(customer) if english else _thai(customer, formal=formal)
    return greeting or customer.compute_display_name().strip()
