"""Sphinx extension: the bibliography style of the book (``bibtex_default_style: ivigbook``).

One citation style, author-year, in the text and in the list: the text cites "Dalakas et al.
(1997)" (``bibtex_reference_style: author_year``) and each entry of the list starts with its
authors and year, "Dalakas, M. C., Sonies, B., ... (1997). Title. *Journal* 48(3):712-716."
A BibTeX ``and others`` prints "et al." as in the text; the DOI is printed once, as a link.

Entries are sorted by author, year and title. The PDF prints no labels (see
``ivigbook.publish.latex``), but pybtex still makes one per entry for the links; they are
pybtex's ``alpha`` labels with one difference. pybtex tells apart entries
whose labels collide ("Syn26") by appending ``chr(ord("a") + k)``, which after the 26th
entry runs past "z" into ``{``, ``|``, ``}``, ``~`` and the DEL control character; LaTeX
stops at the latter ("Text line contains an invalid character"), so a book with many
references by authors of the same name and year could not be printed. Here the suffixes go
on as a spreadsheet's columns do: a ... z, aa, ab, ...
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

import pybtex.plugin
from pybtex.richtext import Text
from pybtex.style.formatting import toplevel
from pybtex.style.formatting.unsrt import Style as UnsrtStyle
from pybtex.style.formatting.unsrt import pages
from pybtex.style.labels.alpha import LabelStyle as AlphaLabelStyle
from pybtex.style.template import (
    FieldIsMissing,
    field,
    first_of,
    join,
    node,
    optional,
    optional_field,
    sentence,
    tag,
)
from sphinx.application import Sphinx
from sphinxcontrib.bibtex.plugin import register_plugin as register_bibtex_plugin
from sphinxcontrib.bibtex.style.referencing import PersonStyle
from sphinxcontrib.bibtex.style.referencing.author_year import AuthorYearReferenceStyle
from sphinxcontrib.bibtex.style.template import join as etal_join

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


def _is_others(person: Any) -> bool:
    """BibTeX's ``and others``: pybtex reads it as a person whose last name is "others"."""
    return [str(n) for n in person.last_names] == ["others"] and not person.first_names


@node
def author_names(children: list[Any], context: dict[str, Any], role: str) -> Text:
    """The persons of ``role`` as "Last, F., Last, F., and Last, F.", or "Last, F. et al."
    when the entry's list ends in ``and others``."""
    assert not children
    persons = list(context["entry"].persons.get(role, ()))
    if not persons:
        raise FieldIsMissing(role, context["entry"])
    style = context["style"]
    truncated = _is_others(persons[-1])
    named = [style.format_name(p, style.abbreviate_names) for p in persons if not _is_others(p)]
    if truncated:
        return join(sep=", ")[named].format_data(context) + Text(" et al.")
    return join(sep=", ", sep2=" and ", last_sep=", and ")[named].format_data(context)


#: "(1997)" right after the authors, as an author-year list reads.
year = join["(", field("year"), ")"]


class Style(UnsrtStyle):
    """Author-year entries: authors (year). Title. Journal volume(number):pages. Note. Links."""

    default_label_style = STYLE_NAME
    default_name_style = "lastfirst"
    default_sorting_style = "author_year_title"

    def author_year(self) -> Any:
        return sentence(sep=" ")[author_names("author"), optional[year]]

    def get_article_template(self, e: Any) -> Any:
        volume_and_pages = first_of[
            optional[join[field("volume"), optional["(", field("number"), ")"], ":", pages]],
            optional[pages],
        ]
        return toplevel[
            optional[self.author_year()],
            self.format_title(e, "title"),
            sentence[tag("em")[field("journal")], optional[volume_and_pages]],
            sentence[optional_field("note")],
            self.format_web_refs(e),
        ]

    def get_misc_template(self, e: Any) -> Any:
        # Without authors, the title leads and the year follows it: "Myositis (2024)."
        lead = first_of[
            optional[self.author_year()],
            sentence(sep=" ")[field("title"), optional[year]],
        ]
        title = self.format_title(e, "title") if "author" in e.persons else None
        return toplevel[
            lead,
            optional[title] if title else "",
            optional[sentence[field("howpublished")]],
            sentence[optional_field("note")],
            self.format_web_refs(e),
        ]

    def format_title(self, e: Any, which_field: str, as_sentence: bool = True) -> Any:
        """Titles as written in the data (pybtex's default lowercases all but the first
        letter, which mangles names such as "IVIg" or "ENMC")."""
        title = field(which_field)
        return sentence[title] if as_sentence else title


#: "et al." in the text as in the list (sphinxcontrib-bibtex's default sets it in italics).
ET_AL = " et al."


@node
def cited_names(children: list[Any], context: dict[str, Any], role: str, **kwargs: Any) -> Text:
    """Names for an in-text citation: sphinxcontrib-bibtex's, except that a list ending in
    BibTeX's ``and others`` cites as "First et al.", not "First and others"."""
    assert not children
    persons = list(context["entry"].persons.get(role, ()))
    if not persons:
        raise FieldIsMissing(role, context["entry"])
    person_style = context["style"].person
    named = [
        person_style.style_plugin.format(p, person_style.abbreviate)
        for p in persons
        if not _is_others(p)
    ]
    if len(named) < len(persons):
        if kwargs.get("other") is None:  # the full list was asked for
            return etal_join(sep=kwargs["sep"])[named].format_data(context) + Text(ET_AL)
        return Text(named[0].format_data(context), ET_AL)
    return etal_join(**kwargs)[named].format_data(context)


@dataclass
class EtAlPersonStyle(PersonStyle):
    """Person names of in-text citations, with "et al." for ``and others``."""

    other: Any = ET_AL

    def names(self, role: str, full: bool) -> Any:
        return cited_names(
            role=role,
            sep=self.sep,
            sep2=self.sep2,
            last_sep=self.last_sep,
            other=None if full else self.other,
        )

    def author_or_editor_or_title(self, full: bool) -> Any:
        return first_of[
            optional[self.names("author", full)],
            optional[self.names("editor", full)],
            tag("em")[field("title")],
        ]


@dataclass
class ReferenceStyle(AuthorYearReferenceStyle):
    """sphinxcontrib-bibtex's author-year citations (``bibtex_reference_style: ivigbook``),
    with one "et al." whatever the entry's author list ends in."""

    person: PersonStyle = dataclass_field(default_factory=EtAlPersonStyle)


def register() -> None:
    """Make the styles known to pybtex and sphinxcontrib-bibtex (idempotent)."""
    register_bibtex_plugin("sphinxcontrib.bibtex.style.referencing", STYLE_NAME, ReferenceStyle)
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
