"""The forms a page offers, read from its HTML, so the guards can post what a person could."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit


@dataclass
class Field:
    name: str
    kind: str  # text, number, date, email, checkbox, radio, select, textarea, file, hidden...
    value: str = ""
    choices: list[str] = field(default_factory=list)
    checked: bool = False


@dataclass
class Form:
    action: str
    fields: list[Field] = field(default_factory=list)

    def baseline(self) -> dict[str, list[str]]:
        """What submitting the form untouched sends (checked boxes, chosen options)."""
        data: dict[str, list[str]] = {}
        for f in self.fields:
            if f.kind in ("checkbox", "radio"):
                if f.checked:
                    data.setdefault(f.name, []).append(f.value or "on")
            elif f.kind == "select":
                chosen = f.value or next((c for c in f.choices if c), "")
                data.setdefault(f.name, []).append(chosen)
            elif f.kind == "submit":
                continue
            elif f.kind != "file":
                data.setdefault(f.name, []).append(f.value)
        return data

    @property
    def names(self) -> dict[str, str]:
        """Every field a person fills in, with its kind."""
        return {
            f.name: f.kind
            for f in self.fields
            if f.kind not in ("hidden", "submit") and f.name != "csrfmiddlewaretoken"
        }


class _FormParser(HTMLParser):
    def __init__(self, base: str) -> None:
        super().__init__(convert_charrefs=True)
        self.base = base
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: Field | None = None
        self._textarea: Field | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            if a.get("method", "get").lower() == "post":
                action = urljoin(self.base, a.get("action") or self.base)
                self._form = Form(action=urlsplit(action).path + _query(action))
                self.forms.append(self._form)
            else:
                self._form = None
            return
        if self._form is None or "name" not in a and tag != "option":
            return
        if tag == "input":
            kind = a.get("type", "text").lower()
            self._form.fields.append(
                Field(a["name"], kind, a.get("value", ""), checked="checked" in a)
            )
        elif tag == "button" and a.get("name"):
            self._form.fields.append(Field(a["name"], "submit", a.get("value", "")))
        elif tag == "select":
            self._select = Field(a["name"], "select")
            self._form.fields.append(self._select)
        elif tag == "option" and self._select is not None:
            self._select.choices.append(a.get("value", ""))
            if "selected" in a:
                self._select.value = a.get("value", "")
        elif tag == "textarea":
            self._textarea = Field(a["name"], "textarea")
            self._form.fields.append(self._textarea)

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea.value += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def _query(url: str) -> str:
    query = urlsplit(url).query
    return f"?{query}" if query else ""


def post_forms(html: str, page_url: str) -> list[Form]:
    parser = _FormParser(f"http://testserver{page_url}")
    parser.feed(html)
    return parser.forms
