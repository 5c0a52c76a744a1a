"""Problems in a data package, and the format rules they refer to.

:class:`Problem` names file, line, field, rule and message; :class:`DataPackageError` carries
them to the caller. The constants say what the reader accepts (types, constraints, booleans).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

#: Descriptor file names looked for in a data folder, in this order.
DESCRIPTOR_NAMES = ("datapackage.yaml", "datapackage.yml", "datapackage.json")
#: The bibliography every ``citation_key`` field refers to, beside the descriptor.
BIBLIOGRAPHY = "references.bib"
#: Fields of this name, in any resource, must name an entry of :data:`BIBLIOGRAPHY`.
CITATION_FIELD = "citation_key"
#: Marker left in scaffolded rows; any cell containing it is an error.
PLACEHOLDER = "FILL IN"
#: Values longer than this are cut in messages.
MAX_SHOWN = 60

SUPPORTED_TYPES = ("string", "integer", "number", "boolean", "date")
SUPPORTED_CONSTRAINTS = {"required", "unique", "enum", "pattern", "minLength", "maxLength"}
SUPPORTED_CONSTRAINTS |= {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"}
DEFAULT_TRUE = ("true", "True", "TRUE", "1")
DEFAULT_FALSE = ("false", "False", "FALSE", "0")
#: The spellings the book accepts, stricter than frictionless (no "+3", " 3", "NaN", "2024-2-3").
STRICT = {
    "integer": re.compile(r"-?[0-9]+"),
    "number": re.compile(r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"),
    "date": re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}"),
}
_SURROGATE = re.compile("[\udc80-\udcff]")
_CONTROL = re.compile("[\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\x9f]|\r(?!\n)")


# ---------------------------------------------------------------------------------------------
# Problems


@dataclass(frozen=True)
class Problem:
    """One broken rule: where (file, line, field), which rule, and the message."""

    file: str
    line: int | None
    field: str | None
    rule: str
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        what = f"{self.field}: " if self.field else ""
        return f"{where}: {what}{self.message}"


class DataPackageError(Exception):
    """The data package is invalid; ``problems`` holds every problem found."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = list(problems)
        count = len(self.problems)
        lines = "\n".join(str(p) for p in self.problems)
        super().__init__(f"invalid data package ({count} problem(s)):\n{lines}")


def shown(value: Any) -> str:
    """``value`` as it appears in a message: quoted, control characters escaped, truncated."""
    text = str(value)
    if len(text) > MAX_SHOWN:
        text = text[: MAX_SHOWN - 1] + "…"
    text = _CONTROL.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)
    text = text.replace("\r", "\\r").replace("\n", "\\n")
    return f'"{text}"'
