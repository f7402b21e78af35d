"""What a Thai reader sees on a page, and what on it is not Thai: the checks behind the
crawl of every page (tests/test_thai_pages.py), kept apart so they can be tested alone.

A page's visible text is its text nodes and the attributes a reader meets (placeholder,
title, aria-label, alt, the label of a button input), without what is not prose: scripts
and styles, literal text set as code (``<code>``, ``<pre>``, ``<kbd>``: column names of a
file to import, the rule syntax), a field's own value (``<textarea>``), a bot trap no
person sees (``.honeypot``), and text declared to be in another language (``lang="en"``:
the English poster beside the Thai one).
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from html.parser import HTMLParser

from django.apps import apps
from django.db import models
from django.utils.translation import trans_real

READ_ATTRIBUTES = ("placeholder", "title", "aria-label", "alt")
NOT_PROSE = {"script", "style", "code", "pre", "kbd", "samp", "textarea"}
VOID_ELEMENTS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                 "source", "track", "wbr"}  # fmt: skip
BUTTON_INPUTS = {"submit", "button", "reset"}

# Latin words a Thai page may carry. Each is a name or a unit a Thai user meets in
# English everywhere; anything else on a Thai page is an untranslated word.
ALLOWED_WORDS = {
    "LINE",  # the messenger's name
    "Samphan",  # the product's name
    "PromptPay",  # the payment scheme's name
    "SMS",
    "CSV",  # file formats, named on download buttons
    "XLSX",
    "ZIP",
    "PDF",
    "PNG",
    "JPEG",  # image formats, named where a logo is uploaded
    "WebP",
    "API",
    "VIP",  # a status Thai shops use as is
    "RFM",  # the analysis' name (recency, frequency, money)
    "NPS",  # Net Promoter Score, called so in Thai business writing
    "SLA",  # a service-level agreement, called so in Thai business writing (support)
    "SKU",  # the shop's product code, as Thai retail says it
    "English",  # the language switch names each language in itself
    "Gini",  # the concentration index' name
    "MAPE",  # the forecast error's name
    "ETS",  # the forecasting method's name
    "Facebook",  # the social network's name (a lead source)
    "Excel",  # the spreadsheet's name, beside XLSX
    "JSON",  # the rule editor's format
    "Google",  # the authenticator apps' names, as the app stores list them
    "Microsoft",
    "Authenticator",
    "TOTP",  # the standard's name, as authenticator apps label it
    "UTF",  # a file's encoding (UTF-8)
    "GSM",  # an SMS alphabet (GSM-7)
    "PDPA",  # the Thai data protection act, called so in Thai
    "VAT",  # Thai receipts and prices say VAT
    "USB",  # the card scanner's plug
    "Enter",  # the key's label
}
# Words the system writes into values a reader may see: e-mail addresses and links are
# stripped before the words are read.
EMAIL_OR_LINK = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+|(?:https?://|www\.)\S+")
TEMPLATE_VARIABLE = re.compile(r"\{\{.*?\}\}")
# Underscores belong to a word, so that a code such as ``walk_in`` is read whole.
LATIN_WORD = re.compile(r"(?<![\w-])[A-Za-z][\w'’]*(?:-[A-Za-z]+)*")
ISO_DATE = re.compile(r"(?<!\d)\d{4}-\d{2}-\d{2}(?!\d)")
# A time as a machine writes it: after a "T", with fractions of a second, or with an
# offset from UTC (a clock time such as 13:57:40 is how Thai pages show time).
ISO_TIME = re.compile(
    r"T\d{2}:\d{2}(?::\d{2})?(?:\.\d+)?|\d{2}:\d{2}:\d{2}\.\d+|(?<=\d)[+-]\d{2}:\d{2}(?!\d)|\bUTC\b"
)
THAI_LETTER = re.compile(r"[\u0e00-\u0e7f]")
THAI_PLURAL_S = re.compile(r"[\u0e00-\u0e7f]s\b")


@dataclass(frozen=True)
class Offence:
    check: str
    found: str
    context: str

    def __str__(self) -> str:
        return f"{self.check}: {self.found!r} in {self.context!r}"


class VisibleText(HTMLParser):
    """Collects the strings of a page a reader sees, one per text node or attribute."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.strings: list[str] = []
        # The open elements, each with whether its content is left out.
        self.open: list[tuple[str, bool]] = []

    @property
    def skipping(self) -> bool:
        return bool(self.open) and self.open[-1][1]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        skip = (
            self.skipping
            or tag in NOT_PROSE
            or "honeypot" in (values.get("class") or "").split()
            or (values.get("lang") or "th")[:2] != "th"
        )
        if tag not in VOID_ELEMENTS:
            self.open.append((tag, skip))
        if skip:
            return
        for name in READ_ATTRIBUTES:
            if values.get(name):
                self.strings.append(values[name] or "")
        if tag == "input" and values.get("type") in BUTTON_INPUTS and values.get("value"):
            self.strings.append(values["value"] or "")

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.open) - 1, -1, -1):
            if self.open[depth][0] == tag:
                del self.open[depth:]
                return

    def handle_data(self, data: str) -> None:
        text = " ".join(data.split())
        if text and not self.skipping:
            self.strings.append(text)


def visible_strings(html: str) -> list[str]:
    parser = VisibleText()
    parser.feed(html)
    parser.close()
    return parser.strings


def choice_codes() -> set[str]:
    """Every stored value of every model field's choices that differs from its label
    (``walk_in`` → ``walk-in``): shown raw, it is a code, not a word. Numbers are left
    out: a number is shown as itself."""
    codes = set()
    for model in apps.get_models():
        for field in model._meta.get_fields():
            for value, label in getattr(field, "flatchoices", None) or ():
                if isinstance(value, str) and re.search("[A-Za-z]", value) and value != str(label):
                    codes.add(value)
    return codes


def translated_message_ids() -> set[str]:
    """The English messages (Samphan's and Django's) that have a Thai translation: one
    shown as it is was not passed through the translation."""
    catalogue = trans_real.translation("th")._catalog  # type: ignore[attr-defined]
    found = set()
    for key, translation in catalogue.items():
        message = key if isinstance(key, str) else key[0]
        message = message.split("\x04")[-1]  # drop a context
        if message and translation and translation != message and re.search("[A-Za-z]", message):
            found.add(message)
    return found


def data_words(fields: Iterable[tuple[type[models.Model], str]]) -> set[str]:
    """The Latin words in users' data (English names, product codes): they are data, not
    the interface, and may stand on a Thai page."""
    words: set[str] = set()
    for model, field in fields:
        for value in model._default_manager.values_list(field, flat=True).distinct():
            words.update(LATIN_WORD.findall(EMAIL_OR_LINK.sub(" ", str(value or ""))))
    return words


class ThaiPageChecker:
    def __init__(self, *, codes: set[str], messages: set[str], data: set[str]) -> None:
        self.codes = codes
        self.messages = messages
        self.allowed = ALLOWED_WORDS | data
        # A code as a whole word: "walk_in", not the "line" inside "online".
        self.code_pattern = re.compile(
            r"(?<![\w-])("
            + "|".join(map(re.escape, sorted(codes, key=len, reverse=True)))
            + r")(?![\w-])"
        )

    def offences(self, html: str) -> list[Offence]:
        found: list[Offence] = []
        for text in visible_strings(html):
            found.extend(self.offences_in(text))
        return found

    def offences_in(self, text: str) -> list[Offence]:
        found = []
        if text in self.messages and not set(LATIN_WORD.findall(text)) <= self.allowed:
            found.append(Offence("untranslated", text, text))
        plain = TEMPLATE_VARIABLE.sub(" ", EMAIL_OR_LINK.sub(" ", text))
        codes = [code for code in self.code_pattern.findall(plain) if code not in self.allowed]
        words = [
            word
            for word in LATIN_WORD.findall(plain)
            if len(re.sub("[^A-Za-z]", "", word)) >= 3
            and word not in self.allowed
            and word not in self.codes  # reported as a code
        ]
        found += [Offence("raw code", code, text) for code in codes]
        found += [Offence("ISO date", date, text) for date in ISO_DATE.findall(plain)]
        found += [Offence("ISO time", time, text) for time in ISO_TIME.findall(plain)]
        found += [Offence("English", word, text) for word in words]
        return found
