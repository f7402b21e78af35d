"""A labelled set of customer pairs, generated the same way every time (seeded).

Positives are one person entered twice: the second record's name with a tone mark
dropped, ศ/ส (and other sound-alike letters) swapped, spaces inserted, a title added, the
nickname typed as the first name, or written only in Latin letters with a common
transliteration variant or a typo. The second record brings what a customer gives at a
counter: the same phone written another way, or mistyped by one digit, the same e-mail in
another case, the same LINE ID, or a new number; and a birthday, company, address or
nickname only where the first record had one. Some (about 6%) share nothing but the
name: they are labelled duplicates, and the finder misses them on purpose (a name alone
is never enough), so they count against its recall.
Negatives are different people who look alike: the same first name, the same last name
(a family, sometimes at one address), a similar first name with the same last name
(siblings), the same Latin first name, and the hardest: the same common full name,
written the same way, with nothing else shared (sometimes in the same province).
"""

import random
from dataclasses import replace
from datetime import date, timedelta

from samphan.customers.dedupe.scoring import CustomerSummary
from samphan.demo.data import FEMALE_FIRST, LAST_NAMES, MALE_FIRST, NICKNAMES, PROVINCES

FIRSTS = FEMALE_FIRST + MALE_FIRST
TONES = "่้๊๋"
SOUND_ALIKE = {"ศ": "ส", "ส": "ศ", "ษ": "ส", "ณ": "น", "น": "ณ", "ธ": "ท", "ท": "ธ", "ภ": "พ"}
THAI_TITLES = ["นาย", "นาง", "นางสาว", "น.ส.", "คุณ", "ดร."]
LATIN_TITLES = ["Mr", "Mrs", "Ms", "Miss", "Dr", "Khun"]
LATIN_VARIANTS = [
    ("ee", "i"), ("i", "ee"), ("oo", "u"), ("u", "oo"), ("th", "t"), ("ph", "p"), ("ch", "j"),
    ("ai", "ay"), ("ai", "aai"), ("kh", "k"), ("ng", "ngg"), ("o", "oh"), ("t", "tt"),
    ("porn", "pon"), ("korn", "kon"), ("w", "v"),
]  # fmt: skip
KEYBOARD = "qwertyuiopasdfghjklzxcvbnm"


def _bangkok_or_not(rng: random.Random) -> str:
    return rng.choices([name for name, _ in PROVINCES], [weight for _, weight in PROVINCES])[0]


def _phone(rng: random.Random) -> str:
    return f"+668{rng.randrange(10_000_000, 99_999_999)}"


def _person(rng: random.Random, first: tuple[str, str], last: tuple[str, str]) -> CustomerSummary:
    latin = rng.random() < 0.5
    return CustomerSummary(
        first_name=first[0],
        last_name=last[0],
        first_name_en=first[1] if latin else "",
        last_name_en=last[1] if latin else "",
        nickname=rng.choice(NICKNAMES) if rng.random() < 0.5 else "",
        phones=frozenset({_phone(rng)}),
        emails=frozenset({f"{first[1].lower()}{rng.randrange(10**9)}@example.com"}),
        line_ids=frozenset({f"{first[1].lower()}.{rng.randrange(10**6)}"})
        if rng.random() < 0.3
        else frozenset(),
        company=rng.choice(["", "", "", "บริษัท สยามฟู้ดส์ จำกัด", "ร้านเจริญกิจ"]),
        birthday=date(1960, 1, 1) + timedelta(days=rng.randrange(16_000))
        if rng.random() < 0.6
        else None,
        address=f"{rng.randrange(1, 300)}/{rng.randrange(1, 50)} ถนนสุขุมวิท"
        if rng.random() < 0.4
        else "",
        province=_bangkok_or_not(rng) if rng.random() < 0.7 else "",
    )


def _thai_variant(rng: random.Random, name: str) -> str:
    kind = rng.randrange(4)
    if kind == 0 and any(mark in name for mark in TONES):
        return "".join(ch for ch in name if ch not in TONES)
    if kind == 1 and any(ch in SOUND_ALIKE for ch in name):
        at = rng.choice([i for i, ch in enumerate(name) if ch in SOUND_ALIKE])
        return name[:at] + SOUND_ALIKE[name[at]] + name[at + 1 :]
    if kind == 2 and len(name) > 3:
        at = rng.randrange(2, len(name) - 1)
        return name[:at] + " " + name[at:]
    return name


def _latin_variant(rng: random.Random, name: str) -> str:
    if rng.random() < 0.5:  # a transliteration variant
        options = [(old, new) for old, new in LATIN_VARIANTS if old in name.lower()]
        if options:
            old, new = rng.choice(options)
            at = name.lower().index(old)
            return name[:at] + (new.capitalize() if at == 0 else new) + name[at + len(old) :]
        return name
    # a typo: two letters swapped, one dropped, one doubled or a neighbour key
    at = rng.randrange(1, max(len(name) - 1, 2))
    kind = rng.randrange(4)
    if kind == 0 and at + 1 < len(name):
        return name[:at] + name[at + 1] + name[at] + name[at + 2 :]
    if kind == 1:
        return name[:at] + name[at + 1 :]
    if kind == 2:
        return name[:at] + name[at] + name[at:]
    return name[:at] + rng.choice(KEYBOARD) + name[at + 1 :]


def _duplicate(
    rng: random.Random, person: CustomerSummary, latin: tuple[str, str]
) -> CustomerSummary:
    """The same person entered again, by someone else, some time later."""
    twin = replace(
        person,
        phones=frozenset({_phone(rng)}),
        emails=frozenset(),
        line_ids=frozenset(),
        company=person.company if rng.random() < 0.7 else "",
        birthday=person.birthday if rng.random() < 0.8 else None,
        address=person.address if rng.random() < 0.7 else "",
        province=person.province if rng.random() < 0.9 else "",
        nickname=person.nickname if rng.random() < 0.5 else "",
        first_name_en="",
        last_name_en="",
    )
    contact = rng.random()
    number = next(iter(person.phones))
    if contact < 0.35:  # the same phone typed another way: certain
        twin = replace(twin, phones=frozenset({f"0{number[3:5]}-{number[5:8]}-{number[8:]}"}))
    elif contact < 0.5:  # the phone mistyped by one digit
        at = rng.randrange(4, len(number))
        digit = rng.choice([d for d in "0123456789" if d != number[at]])
        twin = replace(twin, phones=frozenset({number[:at] + digit + number[at + 1 :]}))
    elif contact < 0.62:  # the same e-mail, in capitals
        twin = replace(twin, emails=frozenset(email.upper() for email in person.emails))
    elif contact < 0.75 and person.line_ids:  # the same LINE ID
        twin = replace(twin, line_ids=person.line_ids)
    kind = rng.randrange(6)
    if kind == 0:  # Thai spelling variants
        twin = replace(
            twin,
            first_name=_thai_variant(rng, person.first_name),
            last_name=_thai_variant(rng, person.last_name),
        )
    elif kind == 1:  # a title typed into the name
        title = rng.choice(THAI_TITLES)
        twin = replace(twin, first_name=title + rng.choice(["", " "]) + person.first_name)
    elif kind == 2 and person.nickname:  # the nickname for the first name
        twin = replace(twin, first_name=person.nickname, nickname="")
    elif kind in (3, 4):  # only in Latin letters, spelt another way or with a typo
        first, last = latin
        if rng.random() < 0.8:
            first = _latin_variant(rng, first)
        else:
            last = _latin_variant(rng, last)
        if rng.random() < 0.2:
            first = f"{rng.choice(LATIN_TITLES)} {first}"
        twin = replace(twin, first_name="", last_name="", first_name_en=first, last_name_en=last)
    elif kind == 5:  # Thai and Latin, the Latin with a variant
        twin = replace(
            twin,
            first_name=_thai_variant(rng, person.first_name),
            first_name_en=_latin_variant(rng, latin[0]),
            last_name_en=latin[1],
        )
    return twin


def _similar_first(rng: random.Random, first: tuple[str, str]) -> tuple[str, str]:
    """Another first name that starts alike (สมชาย, สมศักดิ์) when there is one."""
    alike = [name for name in FIRSTS if name != first and name[0][:2] == first[0][:2]]
    return rng.choice(alike) if alike else rng.choice([n for n in FIRSTS if n != first])


def _other_person(
    rng: random.Random, person: CustomerSummary, first: tuple[str, str], last: tuple[str, str]
) -> CustomerSummary:
    """Someone else who looks like ``person``."""
    kind = rng.randrange(7)
    if kind in (5, 6):  # the same common full name, someone else with nothing else shared
        other = replace(
            _person(rng, first, last),
            first_name_en=person.first_name_en,
            last_name_en=person.last_name_en,
            company="",
            address="",
            nickname="",
            birthday=None if person.birthday or rng.random() < 0.5 else date(1999, 1, 1),
            province=person.province if kind == 6 else "",
        )
        return other
    if kind == 0:  # the same first name, another family
        other = _person(rng, first, rng.choice([n for n in LAST_NAMES if n != last]))
    elif kind == 1:  # the same family, another member, often at the same address
        other = _person(rng, rng.choice([n for n in FIRSTS if n != first]), last)
        if rng.random() < 0.4:
            other = replace(other, address=person.address, province=person.province)
    elif kind == 2:  # a sibling with a similar first name
        other = _person(rng, _similar_first(rng, first), last)
    elif kind == 3:  # a similar first name, another family
        other = _person(rng, _similar_first(rng, first), rng.choice(LAST_NAMES))
    else:  # the same first name in Latin only, another family
        family = rng.choice([n for n in LAST_NAMES if n != last])
        other = replace(
            _person(rng, first, family),
            first_name="",
            last_name="",
            first_name_en=_latin_variant(rng, first[1]),
            last_name_en=family[1],
        )
    if rng.random() < 0.3:  # entered with the same spelling slips as the duplicates
        other = replace(other, first_name=_thai_variant(rng, other.first_name))
    return other


def labelled_pairs(
    count: int = 1200, seed: int = 21
) -> list[tuple[CustomerSummary, CustomerSummary, bool]]:
    """``count`` pairs, half duplicates (True), half different people (False)."""
    rng = random.Random(seed)
    pairs = []
    for index in range(count):
        first = rng.choice(FIRSTS)
        last = rng.choice(LAST_NAMES)
        person = _person(rng, first, last)
        if index % 2 == 0:
            pairs.append((person, _duplicate(rng, person, (first[1], last[1])), True))
        else:
            pairs.append((person, _other_person(rng, person, first, last), False))
    return pairs
