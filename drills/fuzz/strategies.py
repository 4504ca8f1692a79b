"""What the fuzz types into the forms: the inputs careless and hostile visitors send.

Each strategy mixes ordinary values (so that a form is also driven past its validation, into
the services and the database) with the hostile ones the drill is about: NUL bytes and other
control characters, lone surrogates, homoglyph emails, 1 MB fields, htmx attributes and
template syntax in text, huge, negative and NaN numbers, Unicode digits, non-finite and
out-of-range decimals, NUL inside otherwise valid links, forged and tampered ids.
"""

from __future__ import annotations

from hypothesis import strategies as st

# A field of about 1 MB, the size the drill promises to survive.
HUGE = 1 << 20

# Markup that must never come back verbatim in a page: if one of these is found unescaped in a
# response, a template printed user input with |safe or outside autoescape.
INJECTIONS = (
    '<div hx-post="/fuzz/x" hx-trigger="load">',
    '"><img src=x hx-get="/fuzz/admin/" hx-trigger="load">',
    "<script>fuzz()</script>",
    '" hx-on:click="fuzz()',
)
# The same attack without markup characters: harmless when escaped, and a probe of templates
# that build attributes or render user text as a template.
ATTRIBUTES = (
    "hx-get=/admin/",
    "hx-on:click=alert(1)",
    "hx-on::load=fetch('/x')",
    "hx-vals='{\"is_staff\": true}'",
    "{{ request.user.email }}",
    "{% debug %}",
    "{{7*7}}",
    "${7*7}",
)
CONTROLS = (
    *(chr(code) for code in range(0x20)),
    "\x7f",
    "\u0085",
    "\u200b",
    "\u200e",
    "\u2028",
    "\u202e",
    "\ufeff",
)
# Cyrillic and fullwidth look-alikes of the characters email addresses are made of.
HOMOGLYPHS = {
    "a": "\u0430",
    "e": "\u0435",
    "o": "\u043e",
    "c": "\u0441",
    "p": "\u0440",
    "i": "\u0456",
    "@": "\uff20",
    ".": "\uff0e",
    "k": "\u212a",  # the Kelvin sign, which lower() turns into a Latin k
}

# Digits that are not ASCII: ``isdigit()`` is true for all of them, ``int()`` refuses some
# (the superscript) and reads the others as numbers (Arabic-Indic, fullwidth).
UNICODE_DIGITS = ("\u00b2", "\u0661\u0662", "\u0663", "\uff11\uff12", "\u00b9\u00b2\u00b3")
controls = st.sampled_from(CONTROLS)
unicode_digits = st.sampled_from(UNICODE_DIGITS)
surrogates = st.characters(categories=["Cs"])  # lone surrogates; sent as raw UTF-8 bytes
markup = st.sampled_from(INJECTIONS + ATTRIBUTES)
plain = st.text(max_size=12)
fragment = st.one_of(plain, controls, surrogates, markup, st.just("\x00"), unicode_digits)
short_text = st.lists(fragment, max_size=6).map("".join)
# Repeating a short unit keeps Hypothesis's own buffer small while the field is 1 MB.
huge_text = st.one_of(fragment.filter(bool), st.just("a")).map(
    lambda unit: (unit * (HUGE // len(unit) + 1))[:HUGE]
)


@st.composite
def text(draw: st.DrawFn, *, ordinary: st.SearchStrategy[str] | None = None) -> str:
    """One field's value: mostly short and hostile, sometimes ordinary, rarely 1 MB."""
    roll = draw(st.integers(0, 19))
    if roll == 0:
        return draw(huge_text)
    if ordinary is not None and roll < 7:
        return draw(ordinary)
    if ordinary is not None and roll == 7:  # an ordinary value with a NUL byte inside
        return draw(ordinary.flatmap(with_nul))
    if roll == 8:
        return "\x00" * draw(st.integers(1, 3))  # nothing but NUL: stripped, a blank field
    return draw(short_text)


LOCALS = ("pat", "admin", "operator1", "person1", "prospect")
DOMAINS = ("acme.example", "practice.example", "client.example", "gmail.com")


@st.composite
def homoglyph_email(draw: st.DrawFn) -> str:
    """A plausible address with some letters swapped for look-alikes, odd case and padding."""
    address = f"{draw(st.sampled_from(LOCALS))}@{draw(st.sampled_from(DOMAINS))}"
    chars = list(address)
    for index in draw(st.lists(st.integers(0, len(chars) - 1), max_size=3)):
        chars[index] = HOMOGLYPHS.get(chars[index].lower(), chars[index].upper())
    address = "".join(chars)
    return (
        draw(st.sampled_from(("", " ", "\x00", "\t")))
        + address
        + draw(st.sampled_from(("", " ", "\x00", "\n", "\u200b")))
    )


def sized_email(length: int) -> str:
    """A well-formed address of exactly ``length`` characters (labels of at most 63)."""
    local, tld = "x" * 64, "example"
    labels = []
    remaining = length - len(local) - 1 - len(tld)
    while remaining >= 2:
        size = min(63, remaining - 1)
        labels.append("d" * size + ".")
        remaining -= size + 1
    return f"{local}@{''.join(labels)}{tld}" + "e" * remaining


def email(known: tuple[str, ...] = ()) -> st.SearchStrategy[str]:
    """Addresses: valid, known to the app, look-alikes, at the length limits, and junk."""
    return st.one_of(
        st.emails().map(str),
        st.sampled_from(known or ("pat@acme.example",)),
        homoglyph_email(),
        st.sampled_from((253, 254, 255, 319, 320, 321, 400)).map(sized_email),
        text(),
    )


NUMBERS = ("NaN", "nan", "inf", "-inf", "1e309", "-0", "0x10", "1_000", " 1 ", "")
# Decimals a money or measurement field must refuse or store exactly: non-finite, out of range
# in both directions, more digits than any column holds, and more places than it keeps.
DECIMALS = (
    "NaN",
    "sNaN",
    "Infinity",
    "-Infinity",
    "1e999",
    "1e-999",
    "-0",
    "0.001",
    "1" * 20,
    "9" * 40,
    "0." + "1" * 40,
    "-1",
    "1.5",
)
# Ids as a tampered form sends them: not whole, not positive, not ASCII, past every integer
# column (2**63 and beyond).
IDS = ("0", "-1", "1.5", "1e3", str(2**63), str(2**64), "9" * 40, "00", "+1")
numbers = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(NUMBERS + DECIMALS + IDS),
    unicode_digits,
)
ids = st.one_of(st.sampled_from(IDS), unicode_digits, st.integers(0, 2**80).map(str))
decimals = st.one_of(
    st.sampled_from(DECIMALS),
    unicode_digits,
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
)


@st.composite
def with_nul(draw: st.DrawFn, valid: str) -> str:
    """``valid`` with a NUL byte put somewhere inside it (PostgreSQL refuses NUL in text)."""
    at = draw(st.integers(0, len(valid)))
    return valid[:at] + "\x00" + valid[at:]


URLS = (
    "https://a.example/\x00x",
    "https://a.example/x",
    "http://127.0.0.1/",
    "javascript:alert(1)",
    "https://\u0430.example/",
    "https://a.example/" + "x" * 3000,
    "ftp://a.example/",
    "//a.example/",
)


def url() -> st.SearchStrategy[str]:
    """Links: ordinary, with NUL inside, private hosts, other schemes, too long, junk."""
    return st.one_of(
        st.sampled_from(URLS),
        st.sampled_from(URLS[1:3]).flatmap(with_nul),
        text(),
    )


def tampered(token: str) -> st.SearchStrategy[str]:
    """A signed token with one character changed, cut short, or extended."""
    if not token:
        return st.just("")
    return st.one_of(
        st.integers(0, len(token) - 1).flatmap(
            lambda i: st.sampled_from("Aa0-_.:").map(lambda c: token[:i] + c + token[i + 1 :])
        ),
        st.integers(0, len(token)).map(lambda n: token[:n]),
        short_text.map(lambda extra: token + extra),
    )


def form_extras() -> st.SearchStrategy[dict[str, str]]:
    """Fields nobody asked for, such as a filled-in honeypot or a forged role."""
    return st.dictionaries(
        st.sampled_from(("website", "is_staff", "role", "next", "csrfmiddlewaretoken", "id")),
        text(),
        max_size=2,
    )
