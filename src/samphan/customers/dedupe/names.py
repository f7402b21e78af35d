"""Names reduced to what they sound like, so spellings of one name meet on one key.

Three forms of a name:

- ``thai_key``: the Thai spelling without a title, spaces, punctuation, tone marks or
  silent letters (with the การันต์), letters that sound alike folded to one (ศ/ษ/ส,
  ณ/น, ธ/ท/ฑ/ฒ …) and final consonants folded to their sound class (ก, ด, บ, น).
- ``romanise``: a compact Thai → Latin transcription after the Royal Thai General System
  (RTGS): สมชาย → somchai, ประเสริฐ → prasoet. It reads syllables by the usual rules
  (a leading vowel, an initial consonant or a ร/ล/ว cluster, vowel marks, one final
  consonant, an inherent "o" or "a" when no vowel is written), which is enough for names.
- ``latin_key``: a Latin spelling with the usual transliteration variants folded
  (ch/j, ph/p, th/t, kh/k, ee/i, oo/u, a final y, doubled letters, a silent r),
  so สมชาย, Somchai, Somchay and Somchaai all give ``somjai``.
"""

import re
import unicodedata
from functools import lru_cache

# Titles, longest first so นางสาว is not read as นาง + สาว.
THAI_TITLES = sorted(
    ["นาย", "นาง", "นางสาว", "น.ส.", "นส.", "คุณ", "ด.ช.", "ด.ญ.", "เด็กชาย", "เด็กหญิง",
     "ดร.", "ศ.", "รศ.", "ผศ.", "นพ.", "พญ.", "ทพ.", "ทพญ."],
    key=len,
    reverse=True,
)  # fmt: skip
LATIN_TITLES = {"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "khun", "k"}

CONSONANTS = "กขฃคฅฆงจฉชซฌญฎฏฐฑฒณดตถทธนบปผฝพฟภมยรลวศษสหฬอฮ"
LEADING_VOWELS = "เแโใไ"
FOLLOWING_VOWELS = "ะัาำิีึืุูๅ"
TONE_MARKS = "่้๊๋็"  # the four tone marks and ไม้ไต่คู้ (a short vowel, no sound of its own)
KARAN = "์"
THAI_DIGITS = "๐๑๒๓๔๕๖๗๘๙"

# Letters that sound alike at the start of a syllable.
THAI_FOLD = str.maketrans(
    {
        "ศ": "ส", "ษ": "ส", "ซ": "ส", "ณ": "น", "ธ": "ท", "ฑ": "ท", "ฒ": "ท", "ฐ": "ท",
        "ถ": "ท", "ภ": "พ", "ผ": "พ", "ฎ": "ด", "ฏ": "ต", "ญ": "ย", "ฬ": "ล", "ฃ": "ค",
        "ข": "ค", "ฅ": "ค", "ฆ": "ค", "ฌ": "ช", "ฉ": "ช", "ฝ": "ฟ", "ฮ": "ห",
    }
)  # fmt: skip
# A final consonant's sound: k, t, p or n (ง, ม, ย, ว stay themselves).
FINAL_CLASS = {
    **dict.fromkeys("กขฃคฅฆ", "ก"),
    **dict.fromkeys("ดตถทธฎฏฐฑฒจฉชซฌศษส", "ด"),
    **dict.fromkeys("บปผพฟภ", "บ"),
    **dict.fromkeys("นณญรลฬ", "น"),
}

# RTGS: (initial, final) for each consonant.
RTGS = {
    "ก": ("k", "k"), "ข": ("kh", "k"), "ฃ": ("kh", "k"), "ค": ("kh", "k"), "ฅ": ("kh", "k"),
    "ฆ": ("kh", "k"), "ง": ("ng", "ng"), "จ": ("ch", "t"), "ฉ": ("ch", "t"), "ช": ("ch", "t"),
    "ซ": ("s", "t"), "ฌ": ("ch", "t"), "ญ": ("y", "n"), "ฎ": ("d", "t"), "ฏ": ("t", "t"),
    "ฐ": ("th", "t"), "ฑ": ("th", "t"), "ฒ": ("th", "t"), "ณ": ("n", "n"), "ด": ("d", "t"),
    "ต": ("t", "t"), "ถ": ("th", "t"), "ท": ("th", "t"), "ธ": ("th", "t"), "น": ("n", "n"),
    "บ": ("b", "p"), "ป": ("p", "p"), "ผ": ("ph", "p"), "ฝ": ("f", "p"), "พ": ("ph", "p"),
    "ฟ": ("f", "p"), "ภ": ("ph", "p"), "ม": ("m", "m"), "ย": ("y", "i"), "ร": ("r", "n"),
    "ล": ("l", "n"), "ว": ("w", "o"), "ศ": ("s", "t"), "ษ": ("s", "t"), "ส": ("s", "t"),
    "ห": ("h", ""), "ฬ": ("l", "n"), "อ": ("", ""), "ฮ": ("h", ""),
}  # fmt: skip
SIMPLE_VOWELS = {
    "ะ": "a", "ั": "a", "า": "a", "ำ": "am", "ิ": "i", "ี": "i", "ึ": "ue", "ื": "ue",
    "ุ": "u", "ู": "u", "ๅ": "a",
}  # fmt: skip
CLUSTER_SECONDS = "รลว"
CLUSTER_FIRSTS = "กขคตปผพบดทศสซฟ"
SILENT_R_AFTER = "ศษสซ"  # ประเสริฐ → prasoet, ทราย → sai (but ศรี stays sri, as names write it)

_SILENT = re.compile(f"(?:ทร|ตร|[{CONSONANTS}])[ิุ]?{KARAN}")
_NOT_LETTER = re.compile(r"[^0-9a-z\u0e01-\u0e4e]+")


def _strip_marks(text: str) -> str:
    """Latin letters without accents, lower case; Thai kept; everything else dropped."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch) or ch >= "\u0e00")


def strip_title(name: str) -> str:
    """The name without a leading Thai or Latin title (นาย, น.ส., คุณ, Mr, Dr …).

    A title glued to the name is taken off only when at least two letters are left that
    start a syllable, so a title alone (นางสาว) or a name that begins like one stays.
    """
    name = (name or "").strip()
    for title in THAI_TITLES:
        if name == title:
            break
        rest = name[len(title) :].lstrip(" .")
        if name.startswith(title) and len(rest) >= 2 and rest[0] not in FOLLOWING_VOWELS:
            name = rest
            break
    words = name.split()
    if len(words) > 1 and words[0].lower().rstrip(".") in LATIN_TITLES:
        name = " ".join(words[1:])
    return name


def clean(name: str) -> str:
    """Title, spaces and punctuation removed; Latin in lower case without accents."""
    name = strip_title(name)
    return _NOT_LETTER.sub("", _strip_marks(name))


def _drop_silent(thai: str) -> str:
    thai = "".join(ch for ch in thai if ch not in TONE_MARKS)
    thai = _SILENT.sub("", thai)
    return thai.replace(KARAN, "").replace("ฤๅ", "รือ").replace("ฤ", "ริ").replace("ฦ", "ลึ")


@lru_cache(maxsize=65_536)  # the same names come back customer after customer
def thai_key(name: str) -> str:
    """The Thai sound key: สมศักดิ์ and สมสัก, ณัฐพล and นัทพน give one key each."""
    thai = "".join(ch for ch in clean(name) if "\u0e01" <= ch <= "\u0e4e")
    thai = _drop_silent(thai)
    thai = re.sub("รร(?=[ก-ฮ])", "ั", thai).replace("รร", "ัน")  # วรรณ = วัณ, สรร = สัน
    out = []
    for i, ch in enumerate(thai):
        before = thai[i - 1] if i else ""
        after = thai[i + 1] if i + 1 < len(thai) else ""
        last = i + 1 == len(thai)
        final = ch in FINAL_CLASS and (
            (
                before
                and before in "ัาิีึืุู"
                and not (after and after in FOLLOWING_VOWELS)
                and not (after and i + 2 == len(thai))  # ศิริพร: พ starts พร
                and not (ch in "รลว" and before == "ั")  # ัว is the vowel "ua"
            )
            or (last and before and before in CONSONANTS)  # ณัฐพล: ล after พ
        )
        out.append(FINAL_CLASS[ch] if final else ch.translate(THAI_FOLD))
    return "".join(out).replace("ั", "")


def _at(thai: str, k: int) -> str:
    return thai[k] if 0 <= k < len(thai) else ""


def _is(letter: str, letters: str) -> bool:
    return bool(letter) and letter in letters


def _onset(thai: str, i: int, lead: str) -> tuple[str, int]:
    """The initial consonant or cluster at ``i``: its sound and the position after it."""
    first, nxt, after = thai[i], _at(thai, i + 1), _at(thai, i + 2)
    if first == "ห" and _is(nxt, "งญนมยรลว"):  # ห only sets the tone: หญิง, หมอ
        return RTGS[nxt][0], i + 2
    if first == "อ" and nxt == "ย" and (lead or _is(after, FOLLOWING_VOWELS)):
        return "y", i + 2
    cluster = (
        _is(nxt, CLUSTER_SECONDS)
        and first in CLUSTER_FIRSTS
        and (nxt != "ว" or (first in "กขค" and not lead))
        and (bool(lead) or _is(after, FOLLOWING_VOWELS))
    )
    if not cluster:
        return RTGS[first][0], i + 1
    if nxt == "ร" and (first == "ท" or (first in SILENT_R_AFTER and (lead or after != "ี"))):
        return "s", i + 2
    return RTGS[first][0] + RTGS[nxt][0], i + 2


def _vowel_with_e(thai: str, i: int) -> tuple[str, int]:
    """The vowels written with เ before the consonant: เ-า, เ-ีย, เ-ือ, เ-อ, เ-ิ …"""
    nxt, after = _at(thai, i), _at(thai, i + 1)
    if nxt == "า":
        return ("o", i + 2) if after == "ะ" else ("ao", i + 1)
    if nxt == "ี" and after == "ย":
        return "ia", i + 2
    if nxt == "ื" and after == "อ":
        return "uea", i + 2
    if nxt == "ิ":
        return "oe", i + 1
    if nxt == "อ":
        return "oe", i + (2 if after == "ะ" else 1)
    if nxt == "ย" and not after:
        return "oei", i + 1
    return "e", i + (nxt == "ะ")


# How the vowel reads, "open" when the syllable ends with it (no final consonant),
# "inherent" when no vowel is written (สม: s-o-m) and "written" otherwise.
Vowel = tuple[str, int, str]


def _vowel(thai: str, i: int, lead: str) -> Vowel:
    nxt, after = _at(thai, i), _at(thai, i + 1)
    if lead == "เ":
        return (*_vowel_with_e(thai, i), "written")
    if lead:
        return {"แ": "ae", "โ": "o"}.get(lead, "ai"), i + (nxt == "ะ"), "written"
    if nxt == "ั" and after == "ว":
        return "ua", i + 2, "written"
    if nxt and nxt in SIMPLE_VOWELS:
        if nxt in "ืึ" and after == "อ":
            return SIMPLE_VOWELS[nxt], i + 2, "written"
        return SIMPLE_VOWELS[nxt], i + 1, "open" if nxt == "ะ" else "written"
    if nxt == "ร" and after == "ร":  # รร: "an" at the end, "a" before a final
        i += 2
        closed = _is(_at(thai, i), CONSONANTS) and not _is(_at(thai, i + 1), FOLLOWING_VOWELS)
        return ("a", i, "written") if closed else ("an", i, "open")
    if nxt == "อ" and not _is(after, FOLLOWING_VOWELS):
        return "o", i + 1, "written"
    if _is(nxt, CONSONANTS) and after == "ร" and _at(thai, i + 2) == "ร":
        return "a", i, "open"
    if nxt == "ว" and _is(after, CONSONANTS) and not _is(_at(thai, i + 2), FOLLOWING_VOWELS):
        return "ua", i + 1, "written"
    if _is(nxt, CONSONANTS) and not _is(after, FOLLOWING_VOWELS):
        return "o", i, "inherent"
    # no vowel written and the next letter starts a syllable: the short "a" of ชนิดา
    return ("o" if not nxt and len(thai) <= 2 else "a"), i, "open"


GLIDE_I = {"a": "ai", "o": "oi", "u": "ui", "oe": "oei", "ue": "ueai", "ua": "uai"}
GLIDE_O = {"a": "ao", "i": "io", "e": "eo", "ae": "aeo", "ia": "iao"}


def _with_final(thai: str, i: int, vowel: str, how: str, lead: str) -> tuple[str, int]:
    """The vowel and the final consonant at ``i``, unless that letter starts a syllable."""
    letter, following, then = _at(thai, i), _at(thai, i + 1), _at(thai, i + 2)
    if how == "open" or not _is(letter, CONSONANTS):
        return vowel, i
    if lead and lead in "ใไ":  # ไ and ใ take no final; the ย of ไทย is silent
        return vowel, i + (letter == "ย")
    starts_next = (
        _is(following, FOLLOWING_VOWELS)
        or (_is(following, CONSONANTS) and not then)  # ศิริพร: พร is one syllable
        or (following == "ว" and _is(then, CONSONANTS))  # โชติช่วง: ช่วง
        or (following == "ร" and then == "ร")  # สุวรรณ: วรรณ
        or (letter == "ร" and _is(following, CONSONANTS) and how == "written")  # ธีรวัฒน์
        or letter == "อ"
    )
    if starts_next:
        return vowel, i
    final = RTGS[letter][1]
    if final == "i":
        return GLIDE_I.get(vowel, vowel + "i"), i + 1
    if final == "o":
        return GLIDE_O.get(vowel, vowel + "o"), i + 1
    return vowel + final, i + 1


def _syllable(thai: str, i: int) -> tuple[str, int]:
    """One syllable from position ``i``: its Latin form and where the next one starts."""
    lead = ""
    if thai[i] in LEADING_VOWELS:
        lead, i = thai[i], i + 1
    if not _is(_at(thai, i), CONSONANTS):
        return "", i
    onset, i = _onset(thai, i, lead)
    vowel, i, how = _vowel(thai, i, lead)
    rhyme, i = _with_final(thai, i, vowel, how, lead)
    return onset + rhyme, i


def romanise(name: str) -> str:
    """A Thai name in Latin letters after RTGS (สมชาย → somchai); Latin passes through."""
    text = clean(name)
    thai = _drop_silent(text)
    out: list[str] = []
    i = 0
    while i < len(thai):
        ch = thai[i]
        if ch in CONSONANTS or ch in LEADING_VOWELS:
            part, i = _syllable(thai, i)
            out.append(part)
        else:
            out.append(SIMPLE_VOWELS.get(ch, ch if ch.isascii() else ""))
            i += 1
    return "".join(out)


_LATIN_FOLDS = [
    (re.compile(r"[^a-z]"), ""),
    (re.compile(r"ee|ii|ie(?=[^aeiou]|$)"), "i"),
    (re.compile(r"oo|uu|ou"), "u"),
    (re.compile(r"(?<=[aeiou])h(?=[^aeiou]|$)"), ""),  # Sohmsak, Nohppadon
    (re.compile(r"(.)\1+"), r"\1"),  # doubled letters: Somchaai, Nattapon
    (re.compile(r"ay(?=[^aeiou])"), "ai"),  # Saysuwan
    (re.compile(r"tch"), "ch"),
    (re.compile(r"sh"), "s"),
    (re.compile(r"ch|j|c(?!k)|dj"), "j"),
    (re.compile(r"ck|q|g(?=[^aeioung]|$)(?<!ng)"), "k"),
    (re.compile(r"([bcdfgjklmnpqrstvwxz])h"), r"\1"),  # ph, th, kh: aspiration dropped
    (re.compile(r"v"), "w"),
    (re.compile(r"(?<=[aeiou])w(?=[^aeiou]|$)"), "o"),  # Kaew / kaeo
    (re.compile(r"z"), "s"),
    (re.compile(r"x"), "ks"),
    (re.compile(r"oe|eu"), "e"),
    (re.compile(r"ue"), "u"),
    (re.compile(r"(?<=[aeiou])r(?=[^aeiouy]|$)"), ""),  # korn, porn, sert: a silent r
    (re.compile(r"ay$|aye$|ai$|aai$"), "ai"),
    (re.compile(r"y$"), "i"),
    (re.compile(r"(?<=[aeiou])[dsjt]$"), "t"),  # finals by sound: Pairoj, Suwad
    (re.compile(r"(?<=[aeiou])b$"), "p"),
    (re.compile(r"(?<=[aeiou])l$"), "n"),  # Chaimongkol / chaimongkhon
    (re.compile(r"(.)\1+"), r"\1"),
]


@lru_cache(maxsize=65_536)
def latin_key(name: str) -> str:
    """A Latin spelling with transliteration variants folded (Somchay → somjai)."""
    key = clean(name)
    if any("\u0e01" <= ch <= "\u0e4e" for ch in key):
        key = romanise(key)
    for pattern, replacement in _LATIN_FOLDS:
        key = pattern.sub(replacement, key)
    return key


def jaro_winkler(a: str, b: str) -> float:
    """Jaro-Winkler similarity, 0 (nothing alike) to 1 (equal)."""
    if a == b:
        return 1.0 if a else 0.0
    if not a or not b:
        return 0.0
    window = max(max(len(a), len(b)) // 2 - 1, 0)
    a_matched = [False] * len(a)
    b_matched = [False] * len(b)
    matches = 0
    for i, ch in enumerate(a):
        for j in range(max(0, i - window), min(len(b), i + window + 1)):
            if not b_matched[j] and b[j] == ch:
                a_matched[i] = b_matched[j] = True
                matches += 1
                break
    if not matches:
        return 0.0
    a_seq = [ch for ch, m in zip(a, a_matched, strict=True) if m]
    b_seq = [ch for ch, m in zip(b, b_matched, strict=True) if m]
    transpositions = sum(x != y for x, y in zip(a_seq, b_seq, strict=True)) / 2
    jaro = (matches / len(a) + matches / len(b) + (matches - transpositions) / matches) / 3
    prefix = 0
    for x, y in zip(a[:4], b[:4], strict=False):
        if x != y:
            break
        prefix += 1
    return jaro + prefix * 0.1 * (1 - jaro)
