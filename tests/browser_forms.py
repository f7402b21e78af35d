"""A form submitted as a browser submits it: what the page shows is what is sent back.

The Django test client posts whatever a test writes; a browser posts what the HTML holds:
the text inputs' ``value``, the checked boxes, the selected options, and a textarea's
content with its line breaks as CRLF (the HTML standard's form encoding). Tests that must
see what a user's unchanged save does read the form from the page with this module.
"""

import re
from html.parser import HTMLParser
from typing import Any

SKIPPED_INPUTS = {"submit", "button", "reset", "image", "file"}
# The HTML standard's value sanitization: a value the input type cannot hold is dropped
# (a Thai "23/05/2526" in <input type="date"> is sent as nothing).
VALID_VALUES = {
    "date": re.compile(r"\d{4,}-\d{2}-\d{2}"),
    "datetime-local": re.compile(r"\d{4,}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?"),
    "time": re.compile(r"\d{2}:\d{2}(:\d{2}(\.\d+)?)?"),
    "month": re.compile(r"\d{4,}-\d{2}"),
    "number": re.compile(r"-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?"),
}


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict[str, Any]] = []
        self._form: dict[str, Any] | None = None
        self._textarea: tuple[str, list[str]] | None = None
        self._select: dict[str, Any] | None = None
        self._option: dict[str, Any] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value if value is not None else "" for name, value in attrs}
        if tag == "form":
            self._form = {"attrs": attributes, "fields": []}
            self.forms.append(self._form)
        elif self._form is None or "disabled" in attributes:
            return
        elif tag == "input":
            self._input(attributes)
        elif tag == "textarea" and attributes.get("name"):
            self._textarea = (attributes["name"], [])
        elif tag == "select" and attributes.get("name"):
            self._select = {
                "name": attributes["name"],
                "options": [],
                "multiple": "multiple" in attributes,
            }
        elif tag == "option" and self._select is not None:
            self._option = {
                "value": attributes.get("value"),
                "selected": "selected" in attributes,
                "text": "",
            }
            self._select["options"].append(self._option)

    def _input(self, attributes: dict[str, str]) -> None:
        kind = attributes.get("type", "text").lower()
        name = attributes.get("name")
        if not name or kind in SKIPPED_INPUTS:
            return
        if kind in ("checkbox", "radio"):
            if "checked" in attributes:
                self._form["fields"].append((name, attributes.get("value", "on")))  # type: ignore[index]
            return
        value = attributes.get("value", "")
        if kind in VALID_VALUES and not VALID_VALUES[kind].fullmatch(value):
            value = ""
        if kind not in ("hidden", "password"):
            value = value.replace("\r", "").replace("\n", "")  # a one-line input has no breaks
        self._form["fields"].append((name, value))  # type: ignore[index]

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea[1].append(data)
        elif self._option is not None:
            self._option["text"] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "textarea" and self._textarea is not None:
            name, parts = self._textarea
            text = "".join(parts)
            text = text[1:] if text.startswith("\n") else text  # the parser keeps what HTML drops
            self._form["fields"].append((name, text.replace("\r\n", "\n").replace("\n", "\r\n")))  # type: ignore[index]
            self._textarea = None
        elif tag == "option":
            self._option = None
        elif tag == "select" and self._select is not None:
            self._close_select()

    def _close_select(self) -> None:
        select, self._select = self._select, None
        options = select["options"]  # type: ignore[index]
        chosen = [option for option in options if option["selected"]]
        if not chosen and options and not select["multiple"]:  # type: ignore[index]
            chosen = options[:1]
        for option in chosen:
            value = option["value"] if option["value"] is not None else option["text"].strip()
            self._form["fields"].append((select["name"], value))  # type: ignore[index]


def form_data(html: str, *, having: str) -> dict[str, list[str]]:
    """The fields the first POST form holding a field named ``having`` would send."""
    parser = _Forms()
    parser.feed(html)
    for form in parser.forms:
        names = [name for name, _value in form["fields"]]
        if form["attrs"].get("method", "get").lower() == "post" and having in names:
            data: dict[str, list[str]] = {}
            for name, value in form["fields"]:
                data.setdefault(name, []).append(value)
            return data
    raise AssertionError(f"no POST form with a field named {having!r}")
