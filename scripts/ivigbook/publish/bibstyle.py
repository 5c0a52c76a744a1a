"""Sphinx extension: the bibliography style of the book (``bibtex_default_style: ivigbook``).

It is pybtex's ``alpha`` style with one difference in the labels. pybtex tells apart entries
whose labels collide ("Syn26") by appending ``chr(ord("a") + k)``, which after the 26th
entry runs past "z" into ``{``, ``|``, ``}``, ``~`` and the DEL control character; LaTeX
stops at the latter ("Text line contains an invalid character"), so a book with many
references by authors of the same name and year could not be printed. Here the suffixes go
on as a spreadsheet's columns do: a ... z, aa, ab, ...
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any

import pybtex.plugin
from pybtex.style.formatting.alpha import Style as AlphaStyle
from pybtex.style.labels.alpha import LabelStyle as AlphaLabelStyle
from sphinx.application import Sphinx

STYLE_NAME = "ivigbook"


def letter_suffix(index: int) -> str:
    """0 -> "a", 25 -> "z", 26 -> "aa", 27 -> "ab", ... (letters only, never exhausted)."""
    if index < 0:
        msg = f"suffix index must be at least 0, not {index}"
        raise ValueError(msg)
    letters = ""
    number = index + 1
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(ord("a") + remainder) + letters
    return letters


class LabelStyle(AlphaLabelStyle):
    """pybtex's alpha labels, with letter suffixes that never leave a-z."""

    def format_labels(self, sorted_entries: Iterable[Any]) -> Iterator[str]:
        labels = [self.format_label(entry) for entry in sorted_entries]
        totals = Counter(labels)
        seen: Counter[str] = Counter()
        for label in labels:
            if totals[label] == 1:
                yield label
            else:
                yield label + letter_suffix(seen[label])
                seen[label] += 1


class Style(AlphaStyle):
    default_label_style = STYLE_NAME


def register() -> None:
    """Make the style known to pybtex (idempotent)."""
    for group, plugin in (
        ("pybtex.style.labels", LabelStyle),
        ("pybtex.style.formatting", Style),
    ):
        try:
            pybtex.plugin.find_plugin(group, STYLE_NAME)
        except pybtex.plugin.PluginNotFound:
            pybtex.plugin.register_plugin(group, STYLE_NAME, plugin)


def setup(app: Sphinx) -> dict[str, Any]:
    register()
    return {"parallel_read_safe": True}
