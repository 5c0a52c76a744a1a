"""The bibliography's labels stay printable letters however many entries share a label."""

from __future__ import annotations

import pybtex.plugin
import pytest
from pybtex.database import parse_string

from ivigbook.publish import bibstyle


@pytest.mark.parametrize(
    ("index", "suffix"),
    [(0, "a"), (1, "b"), (25, "z"), (26, "aa"), (27, "ab"), (51, "az"), (52, "ba"), (701, "zz")],
)
def test_letter_suffix(index: int, suffix: str) -> None:
    assert bibstyle.letter_suffix(index) == suffix


def test_letter_suffix_refuses_negative() -> None:
    with pytest.raises(ValueError, match="at least 0"):
        bibstyle.letter_suffix(-1)


def _entries(n: int) -> str:
    return "\n".join(
        f"@article{{synthetic{i:04d}, author = {{Synthetic, S.}}, title = {{Study {i}}}, "
        f"journal = {{J}}, year = {{2026}}}}"
        for i in range(n)
    )


def test_many_colliding_labels_stay_letters_and_unique() -> None:
    bibstyle.register()
    style = pybtex.plugin.find_plugin("pybtex.style.formatting", bibstyle.STYLE_NAME)()
    data = parse_string(_entries(1000), "bibtex")
    labels = [entry.label for entry in style.format_entries(data.entries.values())]
    assert len(set(labels)) == 1000
    assert all(label.isascii() and label.isalnum() for label in labels), labels[-5:]
    assert labels[:2] == ["Syn26a", "Syn26b"]
    assert labels[26] == "Syn26aa"


def test_pybtex_alpha_alone_would_not() -> None:
    """The reason for the style: pybtex's own alpha labels leave the letters after 26."""
    style = pybtex.plugin.find_plugin("pybtex.style.formatting", "alpha")()
    data = parse_string(_entries(40), "bibtex")
    labels = [entry.label for entry in style.format_entries(data.entries.values())]
    assert not all(label.isalnum() for label in labels)


def test_register_is_idempotent() -> None:
    bibstyle.register()
    bibstyle.register()
    assert pybtex.plugin.find_plugin("pybtex.style.labels", bibstyle.STYLE_NAME) is (
        bibstyle.LabelStyle
    )
