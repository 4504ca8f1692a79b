"""Which existing identities a lead's company name or email domain looks like (pure).

A lead named "Acme" with a Greek capital Alpha for its "A", next to the client "Acme", or
written from "acrne.example" next to "acme.example", is how someone passes for a client.
The comparison is the confusables library's: it walks both strings over Unicode's
confusables table (the data of UTS #39), multi-character look-alikes such as "rn" for "m"
included. Names that are the same once case and Unicode form are set aside are not
look-alikes: they are the same name, and the intake already keeps a newcomer out of an
existing organisation of that name.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import confusables

# Past this length nobody is fooled by one swapped glyph, and the comparison walks both
# strings: a bound on what a form can make it do.
MAX_COMPARED = 200


@dataclass(frozen=True)
class Lookalike:
    kind: str  # "company" or "domain"
    typed: str  # what the lead gave
    existing: str  # the known name or domain it looks like

    def as_data(self) -> dict[str, str]:
        return {"kind": self.kind, "typed": self.typed, "existing": self.existing}


def plain_name(value: str) -> str:
    """A name as two names are compared: NFKC, lower case, spaces collapsed. Names equal in
    this form are the same name (the intake links a lead to a member's organisation by it);
    names that differ in it may still look alike (``looks_like``)."""
    return " ".join(unicodedata.normalize("NFKC", value).lower().split())


@lru_cache(maxsize=4096)
def _first_glyphs(char: str) -> frozenset[str]:
    """The characters a look-alike of ``char`` can begin with (``char`` itself included)."""
    return frozenset(glyphs[0] for glyphs in confusables.confusable_characters(char) or [char])


def _may_look_alike(typed: str, existing: str) -> bool:
    """A cheap test that rules out most pairs before the library walks them: look-alikes
    begin with look-alike characters (the table goes both ways) and differ in length by
    little (one glyph stands for at most a few)."""
    shorter, longer = sorted((len(typed), len(existing)))
    if longer > 3 * shorter:
        return False
    return existing[0] in _first_glyphs(typed[0]) or typed[0] in _first_glyphs(existing[0])


def _differing_parts(a: str, b: str) -> tuple[str, str]:
    """``a`` and ``b`` without the start and end they share letter for letter: what is the
    same there is not what could fool anyone, and setting it aside spares the library its
    slowest case (a long shared start, as in "Client Company 1" and "Client Company 2")."""
    start = 0
    while start < min(len(a), len(b)) and a[start] == b[start]:
        start += 1
    end = 0
    while end < min(len(a), len(b)) - start and a[-1 - end] == b[-1 - end]:
        end += 1
    return a[start : len(a) - end], b[start : len(b) - end]


def looks_like(typed: str, existing: str) -> bool:
    """Whether ``typed`` could be taken for ``existing`` without being the same text."""
    if not typed or not existing or max(len(typed), len(existing)) > MAX_COMPARED:
        return False
    if plain_name(typed) == plain_name(existing):
        return False
    typed_part, existing_part = _differing_parts(typed, existing)
    if not typed_part or not existing_part or not _may_look_alike(typed_part, existing_part):
        return False
    return bool(confusables.is_confusable(typed_part, existing_part))


def find_lookalikes(
    *, company: str, domain: str, names: Iterable[str], domains: Iterable[str]
) -> list[Lookalike]:
    """The known organisation ``names`` that ``company`` looks like, and the known email
    ``domains`` (those of the users and organisations already here) that ``domain`` looks
    like, each once."""
    found = [Lookalike("company", company, name) for name in names if looks_like(company, name)]
    found += [Lookalike("domain", domain, known) for known in domains if looks_like(domain, known)]
    return list(dict.fromkeys(found))
