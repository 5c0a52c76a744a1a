"""The book's sentences as text files an editor can change: Jinja2 templates in ``prose/``.

Each file holds the sentences of one part of the book as macros, one macro per sentence or
passage, named by what it says and taking the facts it words as named arguments::

    {% macro harms(n_with, n_without) -%}
      {{ n_with | counted("study reports", "studies report") | capital }} an adverse event
      or a withdrawal; {{ n_without | counted("study reports", "studies report") }} none.
    {%- endmacro %}

The library computes the facts and calls :func:`sentence` (or :func:`passage`); an editor
changes the words in the file, with no Python. A fact a macro uses but is not given stops the
build (``StrictUndefined``). Filters for agreement and number words come from inflect:

* ``n | words`` - "three" up to twelve, digits above (``n | words(capital=True)``);
* ``n | counted("study", "studies")`` - "one study", "five studies", "no studies";
* ``n | count("study", "studies")`` - the same with digits: "1 study", "5 studies";
* ``items | join`` - "a", "a and b", "a, b and c" (``join("or")`` for "or");
* ``text | capital`` - the first letter in upper case, the rest as it is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from typing import Any

import inflect
import jinja2

from ivigbook.paths import ROOT

#: The folder of the book's prose templates (one ``.jinja`` file per part of the book).
PROSE_DIR = ROOT / "prose"
#: Numbers up to this one are written as words ("twelve"), larger ones as digits.
WORDS_UP_TO = 12

_ENGINE = inflect.engine()


def words(n: int, capital: bool = False) -> str:
    """``3`` -> ``"three"``, ``0`` -> ``"no"``; numbers above twelve as digits (``1,234``)."""
    n = int(n)
    if n == 0:
        word = "no"
    elif 0 < n <= WORDS_UP_TO:
        word = str(_ENGINE.number_to_words(str(n)))
    else:
        word = f"{n:,}"
    return _capital(word) if capital else word


def counted(n: int, singular: str, plural: str | None = None, capital: bool = False) -> str:
    """A count in words with its noun (and verb) agreeing: "one study reports", "no studies"."""
    n = int(n)
    noun = singular if n == 1 else (plural or str(_ENGINE.plural(singular)))
    return f"{words(n, capital=capital)} {noun}"


def count(n: int, singular: str, plural: str | None = None) -> str:
    """A count in digits with its noun agreeing: "1 study", "5 studies"."""
    n = int(n)
    return f"{n:,} {singular if n == 1 else (plural or _ENGINE.plural(singular))}"


def join(items: Iterable[object], conj: str = "and") -> str:
    """``"a"``, ``"a and b"``, ``"a, b and c"`` (no serial comma; empty for no items)."""
    listed = [str(i) for i in items]
    if len(listed) <= 1:
        return "".join(listed)
    return str(_ENGINE.join(listed, sep=",", final_sep="", conj=conj))


def _capital(text: object) -> str:
    text = str(text)
    return text[:1].upper() + text[1:]


@cache
def environment() -> jinja2.Environment:
    """The templates' environment: strict about missing facts, no HTML escaping (the output
    is Markdown), and the agreement filters above."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(PROSE_DIR),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters.update(words=words, counted=counted, count=count, join=join, capital=_capital)
    return env


def _macro(part: str, name: str) -> Any:
    module = environment().get_template(f"{part}.jinja").module
    macro = getattr(module, name, None)
    if macro is None:
        msg = f"prose/{part}.jinja has no macro {name!r}"
        raise KeyError(msg)
    return macro


_SPACE = re.compile(r"[ \t\r\n]+")
_BEFORE_PUNCT = re.compile(r" ([,.;:)])")


def takes(part: str, name: str) -> frozenset[str]:
    """The facts macro ``name`` of ``prose/<part>.jinja`` takes, by name."""
    return frozenset(_macro(part, name).arguments)


def sentence(part: str, name: str, /, **facts: object) -> str:
    """Macro ``name`` of ``prose/<part>.jinja`` filled with ``facts``, on one line (runs of
    white space, line breaks included, become one space; no space before punctuation)."""
    text = _SPACE.sub(" ", str(_macro(part, name)(**facts))).strip()
    return _BEFORE_PUNCT.sub(r"\1", text)


def document(part: str, name: str, /, **facts: object) -> str:
    """Macro ``name`` of ``prose/<part>.jinja`` filled with ``facts``, line for line as the
    template writes it (for generated files such as ``data/README.md``)."""
    return str(_macro(part, name)(**facts))


def passage(part: str, name: str, /, **facts: object) -> str:
    """Like :func:`sentence`, but paragraphs (blank lines) and Markdown list items (lines
    starting with ``- ``) are kept on lines of their own."""
    raw = str(_macro(part, name)(**facts))
    blocks = re.split(r"\n\s*\n", raw.strip())
    out = []
    for block in blocks:
        items = re.split(r"\n\s*(?=- )", block.strip())
        out.append("\n".join(_BEFORE_PUNCT.sub(r"\1", _SPACE.sub(" ", i).strip()) for i in items))
    return "\n\n".join(out)
