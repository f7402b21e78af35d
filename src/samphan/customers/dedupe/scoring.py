"""How alike two customers are: blocking keys, and a score with its reasons.

The finder compares only customers who share a key from ``name_keys`` (or a phone or an
e-mail), then ``score`` says how likely the two are one person, from 0 to 1, and why.
The threshold at which a pair is shown for review is ``THRESHOLD``; its precision and
recall on a labelled set of generated pairs are in ``docs/performance.md``.
"""

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext as _

from samphan.customers.dedupe.names import clean, jaro_winkler, latin_key, thai_key

THRESHOLD = 0.72
NAMES_AT_MOST = 0.9  # names alone are never certain; a birthday or an address adds to them

VOWELS = re.compile(r"(?<!^)[aeiou]+")


@dataclass(frozen=True)
class CustomerSummary:
    """What the finder knows of a customer: names, contact values and a few facts."""

    first_name: str = ""
    last_name: str = ""
    first_name_en: str = ""
    last_name_en: str = ""
    nickname: str = ""
    phones: frozenset[str] = frozenset()
    emails: frozenset[str] = frozenset()
    company: str = ""
    birthday: date | None = None
    address: str = ""
    province: str = ""


@dataclass
class Candidate:
    """A pair's score (0 to 1) and the reasons for it, in the reader's language."""

    score: float
    reasons: list[str] = field(default_factory=list)


def phone_key(phone: str) -> str:
    """A phone in any form as its national digits: +66 81-234-5678 and 0812345678 meet."""
    digits = re.sub(r"\D", "", phone or "")
    if digits.startswith("66") and len(digits) >= 10:
        digits = digits[2:]
    return digits.lstrip("0")


def skeleton(key: str) -> str:
    """A Latin key's consonants (and its first letter): short vowels spelled a or o meet."""
    return VOWELS.sub("", key)


def _name_forms(person: CustomerSummary) -> list[tuple[str, str, str]]:
    """(first key, last key, as written) for the Thai and the Latin names."""
    forms = []
    for first, last in (
        (person.first_name, person.last_name),
        (person.first_name_en, person.last_name_en),
    ):
        if clean(first) or clean(last):
            shown = " ".join(part for part in (first.strip(), last.strip()) if part)
            forms.append((latin_key(first), latin_key(last), shown))
    return forms


def name_keys(
    first: str, last: str, first_en: str = "", last_en: str = "", nickname: str = ""
) -> set[str]:
    """The blocking keys of one person: two customers are compared when they share one.

    Built from the consonant skeletons of the name's Latin key (from the Thai spelling
    and from the Latin one): the first name with the start of the last name, the last
    name with the first letter of the first, and the nickname with the start of the last name,
    so a typo in one of the two names, or a nickname for the first name, still meets.
    """
    keys = set()
    firsts = {latin_key(first), latin_key(first_en)} - {""}
    lasts = {latin_key(last), latin_key(last_en)} - {""}
    nick = latin_key(nickname)
    for last_key in lasts or {""}:
        last_skeleton = skeleton(last_key)
        for first_key in firsts:
            first_skeleton = skeleton(first_key)
            keys.add(f"fl:{first_skeleton}|{last_skeleton[:3]}")
            if last_skeleton:
                keys.add(f"lf:{last_skeleton}|{first_skeleton[:1]}")
        if nick and last_skeleton:
            keys.add(f"fl:{skeleton(nick)}|{last_skeleton[:3]}")
    return keys


def summary_keys(person: CustomerSummary) -> set[str]:
    """Every key of a customer: names (``name_keys``), phones and e-mails."""
    keys = name_keys(
        person.first_name,
        person.last_name,
        person.first_name_en,
        person.last_name_en,
        person.nickname,
    )
    keys |= {f"p:{phone_key(phone)}" for phone in person.phones if phone_key(phone)}
    keys |= {f"e:{email.strip().lower()}" for email in person.emails if email.strip()}
    return keys


def _shared(values_a: Iterable[str], values_b: Iterable[str], key: Callable[[str], str]) -> str:
    """The first of ``values_a`` that is also in ``values_b`` once both are keyed."""
    keyed_b = {key(value) for value in values_b} - {""}
    return next((value for value in values_a if key(value) in keyed_b), "")


def _thai_same(a: CustomerSummary, b: CustomerSummary) -> bool:
    return bool(
        thai_key(a.first_name)
        and thai_key(a.first_name) == thai_key(b.first_name)
        and thai_key(a.last_name) == thai_key(b.last_name)
    )


def _strict(similarity: float) -> float:
    """Below 0.9 two names are more likely different than misspelt: count that twice."""
    return similarity if similarity >= 0.9 else similarity * similarity


def _name_score(a: CustomerSummary, b: CustomerSummary) -> tuple[float, str]:
    """How alike the names are (0 to 1) and the reason, from the best pair of forms."""
    forms_a, forms_b = _name_forms(a), _name_forms(b)
    if _thai_same(a, b):
        shown_a, shown_b = forms_a[0][2], forms_b[0][2]
        if " ".join(shown_a.split()) == " ".join(shown_b.split()):
            return 1.0, _("same name: %(name)s") % {"name": shown_a}
        return 0.97, _("names sound alike: %(a)s ~ %(b)s") % {"a": shown_a, "b": shown_b}
    best, reason = 0.0, ""
    nick_a, nick_b = latin_key(a.nickname), latin_key(b.nickname)
    for first_a, last_a, shown_a in forms_a:
        for first_b, last_b, shown_b in forms_b:
            first = jaro_winkler(first_a, first_b)
            if first < 0.9 and ((nick_a and nick_a == first_b) or (nick_b and nick_b == first_a)):
                first = 0.9  # a nickname for the first name
            if last_a and last_b:
                last = jaro_winkler(last_a, last_b)
                similarity = _strict(first) * _strict(last)
            else:  # one of them without a last name: the first name alone says less
                similarity = _strict(first) * 0.85
            if similarity > best:
                best = similarity
                if first_a == first_b and last_a == last_b:
                    reason = _("names sound alike: %(a)s ~ %(b)s") % {"a": shown_a, "b": shown_b}
                else:
                    reason = _("names look alike: %(a)s ~ %(b)s") % {"a": shown_a, "b": shown_b}
    return best, reason


def _norm_text(text: str) -> str:
    return re.sub(r"[\s.,/\-]+", "", (text or "").lower())


def score(a: CustomerSummary, b: CustomerSummary) -> Candidate:
    """How likely ``a`` and ``b`` are one customer, from 0 to 1, with the reasons.

    The same phone in any form or the same e-mail in any case is certain (1.0). Otherwise
    the names decide (their Thai sound keys, then the Jaro-Winkler similarity of their
    Latin keys), and a shared company, birthday or address raises the score; a different
    birthday lowers it.
    """
    phone = _shared(a.phones, b.phones, phone_key)
    if phone:
        return Candidate(1.0, [_("same phone: %(phone)s") % {"phone": phone}])
    email = _shared(a.emails, b.emails, lambda value: value.strip().lower())
    if email:
        return Candidate(1.0, [_("same e-mail: %(email)s") % {"email": email}])
    value, reason = _name_score(a, b)
    value *= NAMES_AT_MOST
    reasons = [reason] if reason else []
    if a.birthday and b.birthday:
        if a.birthday == b.birthday:
            value += 0.15
            reasons.append(_("same birthday"))
        else:
            value -= 0.25
            reasons.append(_("different birthdays"))
    if _norm_text(a.company) and _norm_text(a.company) == _norm_text(b.company):
        value += 0.1
        reasons.append(_("same company: %(company)s") % {"company": a.company})
    if _norm_text(a.address) and _norm_text(a.address) == _norm_text(b.address):
        value += 0.1
        reasons.append(_("same address"))
    elif a.province and b.province and a.province != b.province:
        value -= 0.05
    return Candidate(round(min(max(value, 0.0), 0.99), 4), reasons)
