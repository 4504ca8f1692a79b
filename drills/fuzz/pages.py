"""What one HTML page offers to send: its ``<form>`` elements (inputs, selects with their
options, textareas, checkboxes, file inputs, the action) and the elements carrying
``hx-post``/``hx-put``/``hx-delete`` with their ``hx-vals``, and its links. Read with the
standard library's HTML parser."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit


@dataclass
class Field:
    name: str
    kind: str  # the input's type, or select / textarea
    value: list[str] = field(default_factory=list)  # what the page filled in or selected
    options: list[str] = field(default_factory=list)  # selects, radios and checkboxes
    multiple: bool = False


@dataclass
class Form:
    method: str  # POST, GET, PUT or DELETE
    action: str  # a path
    fields: dict[str, Field] = field(default_factory=dict)
    multipart: bool = False
    htmx: bool = False

    def add(self, name: str, kind: str, value: str | None, *, chosen: bool = True) -> Field:
        existing = self.fields.get(name)
        if existing is None:
            existing = self.fields[name] = Field(name, kind)
        elif kind in ("checkbox", "select"):
            existing.multiple = existing.multiple or kind == "checkbox"
        if kind in ("radio", "checkbox") and value is not None:
            existing.options.append(value)
        if value is not None and chosen:
            existing.value.append(value)
        return existing


class PageParser(HTMLParser):
    """The forms, htmx actions and links of one HTML page."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.forms: list[Form] = []
        self.links: list[str] = []
        self._form: Form | None = None
        self._select: Field | None = None
        self._option: tuple[str | None, bool] | None = None
        self._option_text = ""
        self._textarea: Field | None = None
        self._textarea_text = ""

    def _url(self, value: str | None) -> str:
        return urlsplit(urljoin(self.page, value or "")).path

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(urljoin(self.page, a["href"]))
        htmx = next(
            ((verb, a[f"hx-{verb}"]) for verb in ("post", "put", "delete") if a.get(f"hx-{verb}")),
            None,
        )
        if tag == "form":
            method = (a.get("method") or "get").upper()
            self._form = Form(
                method=htmx[0].upper() if htmx else method,
                action=self._url(htmx[1] if htmx else a.get("action")),
                multipart="multipart" in (a.get("enctype") or a.get("hx-encoding") or ""),
                htmx=htmx is not None,
            )
            self.forms.append(self._form)
            self._hx_vals(self._form, a)
            return
        name = a.get("name")
        if htmx and self._form is None:  # an htmx action outside any form
            lone = Form(method=htmx[0].upper(), action=self._url(htmx[1]), htmx=True)
            self._hx_vals(lone, a)
            if name:
                lone.add(name, "hidden", a.get("value") or "")
            self.forms.append(lone)
            return
        form = self._form
        if form is None or a.get("disabled") is not None:
            return
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset"):
                return
            if kind in ("radio", "checkbox"):
                form.add(name, kind, a.get("value") or "on", chosen="checked" in a)
            elif kind == "file":
                form.add(name, kind, None)
                form.multipart = True
            else:
                form.add(name, kind, a.get("value") or "")
        elif tag == "button" and name:
            form.add(name, "hidden", a.get("value") or "")
        elif tag == "select" and name:
            self._select = form.add(name, "select", None)
            self._select.multiple = "multiple" in a
        elif tag == "option" and self._select is not None:
            self._option = (a.get("value"), "selected" in a)
            self._option_text = ""
        elif tag == "textarea" and name:
            self._textarea = form.add(name, "textarea", None)
            self._textarea_text = ""

    def handle_data(self, data: str) -> None:
        if self._option is not None:
            self._option_text += data
        if self._textarea is not None:
            self._textarea_text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "option" and self._select is not None and self._option is not None:
            value, selected = self._option
            value = self._option_text.strip() if value is None else value
            self._select.options.append(value)
            if selected:
                self._select.value.append(value)
            self._option = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self._textarea.value.append(self._textarea_text)
            self._textarea = None
        elif tag == "form":
            self._form = None

    @staticmethod
    def _hx_vals(form: Form, attrs: Mapping[str, str | None]) -> None:
        try:
            values = json.loads(attrs.get("hx-vals") or "{}")
        except ValueError:
            return  # js: expressions: nothing static to send
        if isinstance(values, dict):
            for name, value in values.items():
                form.add(str(name), "hidden", str(value))
