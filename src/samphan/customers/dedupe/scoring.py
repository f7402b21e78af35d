"""How alike two customers are: blocking keys, and a score with its reasons.

A name, however alike, is never enough: a shop has many different people called สมชาย
ใจดี. A pair is a candidate when it shares a phone or an e-mail (certain), or when the
names are alike *and* a second thing is shared: a birthday, a company, an address, a
nickname, a LINE ID, or a phone or e-mail that differs by one keystroke.

The finder compares only customers who share a key from ``summary_keys``: a phone, an
e-mail, or a name key (``name_keys``) joined to one of those second signals, so a block
holds the few namesakes who also share, say, a birthday, never all the สมชาย ใจดี.
``score`` then says how likely the two are one person, from 0 to 1, and why. The
threshold at which a pair is shown for review is ``THRESHOLD``; its precision and
recall on a labelled set of generated pairs are in ``docs/performance.md``.
"""

import re
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from django.utils.translation import gettext as _

from samphan.customers.dedupe.names import clean, jaro_winkler, latin_key, thai_key

THRESHOLD = 0.72
NAMES_AT_MOST = 0.7  # alike names weigh this much; a second signal must add the rest
NAMES_ALONE_AT_MOST = 0.6  # with nothing else shared a pair stays well below THRESHOLD
# What each second signal adds to the names' weight.
SUPPORT = {
    "birthday": 0.2,
    "line": 0.3,
    "phone_near": 0.2,
    "email_near": 0.2,
    "address": 0.15,
    "company": 0.1,
    "nickname": 0.05,
}
# Not enough with the names alone: a few dozen nicknames (แนน, ต้น, บี …) cover most people,
# and two accounts that differ by a digit (somchai1@, somchai2@) are usually two people.
WEAK = {"nickname"}

VOWELS = re.compile(r"(?<!^)[aeiou]+")
_DIGITS = re.compile(r"\d")


@dataclass(frozen=True, slots=True)
class CustomerSummary:
    """What the finder knows of a customer: names, contact values and a few facts."""

    first_name: str = ""
    last_name: str = ""
    first_name_en: str = ""
    last_name_en: str = ""
    nickname: str = ""
    phones: Collection[str] = ()
    emails: Collection[str] = ()
    company: str = ""
    birthday: date | None = None
    address: str = ""
    province: str = ""
    line_ids: Collection[str] = ()


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


@lru_cache(maxsize=65_536)
def name_keys(
    first: str, last: str, first_en: str = "", last_en: str = "", nickname: str = ""
) -> frozenset[str]:
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
    return frozenset(keys)


def email_key(email: str) -> str:
    return (email or "").strip().lower()


def norm_text(text: str) -> str:
    """A company or an address compared without case, spaces or punctuation."""
    return re.sub(r"[\s.,/\-]+", "", (text or "").lower())


def signal_keys(person: CustomerSummary) -> set[str]:
    """The second signals a name key is joined to: two customers with alike names meet
    in a block only when they also share one of these (not a nickname, too weak alone:
    a pair with one is found through its other signal). A phone is keyed by its first
    five and its last four digits, so a number mistyped by one digit still meets; an
    e-mail by the last four letters before the @ (not its start: most begin with the
    person's name, which would put every namesake in one block)."""
    keys = set()
    if person.birthday:
        keys.add(f"b:{person.birthday.isoformat()}")
    for prefix, text in (("c:", person.company), ("a:", person.address)):
        if norm_text(text):
            keys.add(prefix + norm_text(text))
    keys |= {f"l:{email_key(line)}" for line in person.line_ids if email_key(line)}
    for phone in person.phones:
        digits = phone_key(phone)
        if len(digits) >= 8:
            keys |= {f"pp:{digits[:5]}", f"ps:{digits[-4:]}"}
    for email in person.emails:
        local = email_key(email).rpartition("@")[0]
        if len(local) >= 6:
            keys.add(f"ez:{local[-4:]}")
    return keys


def summary_keys(person: CustomerSummary) -> set[str]:
    """Every blocking key of a customer: each phone and e-mail alone, and each name key
    (``name_keys``) joined to each second signal (``signal_keys``)."""
    names = name_keys(
        person.first_name,
        person.last_name,
        person.first_name_en,
        person.last_name_en,
        person.nickname,
    )
    signals = signal_keys(person)
    keys = {f"{name}#{signal}" for name in names for signal in signals}
    keys |= {f"p:{phone_key(phone)}" for phone in person.phones if phone_key(phone)}
    keys |= {f"e:{email_key(email)}" for email in person.emails if email_key(email)}
    return keys


def within_one_edit(a: str, b: str) -> bool:
    """True when ``a`` and ``b`` differ by one letter typed wrong, added, dropped or two
    neighbours swapped (not when they are equal)."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        return len(diff) == 1 or (
            len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]]
            and a[diff[1]] == b[diff[0]]
        )  # fmt: skip
    short, long = (a, b) if len(a) < len(b) else (b, a)
    i = next((i for i, (x, y) in enumerate(zip(short, long, strict=False)) if x != y), len(short))
    return short[i:] == long[i + 1 :]


def _near(
    values_a: Iterable[str], values_b: Iterable[str], key: Callable[[str], str], *, text: bool
) -> str:
    """The first of ``values_a`` within one keystroke of one of ``values_b``; for text
    (e-mails) not when only a digit differs (somchai1@ and somchai2@ are two accounts)."""
    keyed_b = {key(value) for value in values_b} - {""}
    for value in values_a:
        keyed = key(value)
        for other in keyed_b:
            if len(keyed) >= 6 and within_one_edit(keyed, other):
                if text and _DIGITS.sub("", keyed) == _DIGITS.sub("", other):
                    continue
                return value
    return ""


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


def _support(a: CustomerSummary, b: CustomerSummary) -> list[tuple[str, str]]:
    """The second signals the two share: (``SUPPORT`` key, reason)."""
    found = []
    if a.birthday and a.birthday == b.birthday:
        found.append(("birthday", _("same birthday")))
    line = _shared(a.line_ids, b.line_ids, email_key)
    if line:
        found.append(("line", _("same LINE ID: %(line)s") % {"line": line}))
    phone = _near(a.phones, b.phones, phone_key, text=False)
    if phone:
        found.append(("phone_near", _("phone one digit apart: %(phone)s") % {"phone": phone}))
    email = _near(a.emails, b.emails, email_key, text=True)
    if email:
        found.append(("email_near", _("e-mail one letter apart: %(email)s") % {"email": email}))
    if norm_text(a.company) and norm_text(a.company) == norm_text(b.company):
        found.append(("company", _("same company: %(company)s") % {"company": a.company}))
    if norm_text(a.address) and norm_text(a.address) == norm_text(b.address):
        found.append(("address", _("same address")))
    if latin_key(a.nickname) and latin_key(a.nickname) == latin_key(b.nickname):
        found.append(("nickname", _("same nickname: %(nickname)s") % {"nickname": a.nickname}))
    return found


def score(a: CustomerSummary, b: CustomerSummary) -> Candidate:
    """How likely ``a`` and ``b`` are one customer, from 0 to 1, with the reasons.

    The same phone in any form or the same e-mail in any case is certain (1.0). Otherwise
    the names count up to ``NAMES_AT_MOST`` (their Thai sound keys, then the
    Jaro-Winkler similarity of their Latin keys), and each second signal they share adds
    its ``SUPPORT``; with none, the pair stays at ``NAMES_ALONE_AT_MOST``, under the
    threshold, however alike the names. Different birthdays, or provinces, lower it.
    """
    phone = _shared(a.phones, b.phones, phone_key)
    if phone:
        return Candidate(1.0, [_("same phone: %(phone)s") % {"phone": phone}])
    email = _shared(a.emails, b.emails, email_key)
    if email:
        return Candidate(1.0, [_("same e-mail: %(email)s") % {"email": email}])
    value, reason = _name_score(a, b)
    value *= NAMES_AT_MOST
    reasons = [reason] if reason else []
    support = _support(a, b)
    if all(signal in WEAK for signal, _why in support):
        value = min(value, NAMES_ALONE_AT_MOST)
    for signal, why in support:
        value += SUPPORT[signal]
        reasons.append(why)
    if a.birthday and b.birthday and a.birthday != b.birthday:
        value -= 0.3
        reasons.append(_("different birthdays"))
    if a.province and b.province and a.province != b.province:
        value -= 0.05
    return Candidate(round(min(max(value, 0.0), 0.99), 4), reasons)
