"""Sphinx extension: the bibliography style of the book (``bibtex_default_style: ivigbook``).

One way to name a source, in the text, the tables and the list: the text cites "[Dalakas
1997]" as the tables name the study, "Dalakas 1997" (``bibtex_reference_style: ivigbook``),
and each entry of the list starts with its authors and year, "Dalakas, M. C., Sonies, B.,
... (1997). Title. *Journal* 48(3):712-716."; a BibTeX ``and others`` prints "et al.", and
the DOI prints once, as its address (https://doi.org/...).

Entries are sorted, and labelled, as the text cites them: by the name the text gives
("Amato", "Oxford cohort", "The letter"), then year, then title (:class:`SortingStyle`). An
entry whose authors are not confirmed, or whose year is not known, carries its descriptive
label in BibTeX's ``key`` field ("Oxford cohort", "Cherin case series"): the text cites it by
that label, with the year where one is known, and never by a placeholder ("Authors not
confirmed", "n.d."); an entry with neither authors nor a ``key`` by the first words of its
title. The label of each entry is its citation in the text, "Amato 1994", "Oxford cohort
2013", "Cherin case series" (the site shows it before the entry; the PDF prints no labels).
Labels that would collide get letters, "Synthetic 2026a", "Synthetic 2026b": pybtex's own
``alpha`` labels append ``chr(ord("a") + k)``, which after the 26th entry runs past "z" into
``{``, ``|``, ``}``, ``~`` and DEL, where LaTeX stops; here the suffixes go on as a
spreadsheet's columns do: a ... z, aa, ab, ...
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from functools import lru_cache
from typing import Any

import pybtex.plugin
from pybtex.richtext import Text
from pybtex.style.formatting import toplevel
from pybtex.style.formatting.unsrt import Style as UnsrtStyle
from pybtex.style.formatting.unsrt import pages
from pybtex.style.labels import BaseLabelStyle
from pybtex.style.sorting import BaseSortingStyle
from pybtex.style.template import (
    FieldIsMissing,
    field,
    first_of,
    href,
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
from sphinxcontrib.bibtex.style.referencing.basic_author_year import (
    BasicAuthorYearParentheticalReferenceStyle,
)
from sphinxcontrib.bibtex.style.template import join2, post_text, pre_text, reference

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


def _is_others(person: Any) -> bool:
    """BibTeX's ``and others``: pybtex reads it as a person whose last name is "others"."""
    return [str(n) for n in person.last_names] == ["others"] and not person.first_names


@lru_cache(maxsize=4096)
def _plain(latex: str) -> str:
    """BibTeX text as it prints: braces gone, accents made letters (fast path without markup)."""
    if "{" not in latex and "\\" not in latex:
        return latex
    return Text.from_latex(latex).render_as("text")


def _last_name(person: Any) -> str:
    return _plain(" ".join([*person.prelast_names, *person.last_names]))


#: An entry without authors is cited by the first words of its title, as author-year styles
#: do ("Myositis"); a longer title is cut after this many words, with an ellipsis.
SHORT_TITLE_WORDS = 4


def short_title(title: str) -> str:
    """``title`` cut to SHORT_TITLE_WORDS words (before an unclosed bracket), then "…"."""
    words = title.split()
    if len(words) <= SHORT_TITLE_WORDS:
        return title
    cut = " ".join(words[:SHORT_TITLE_WORDS])
    if cut.count("(") > cut.count(")"):
        cut = cut[: cut.rindex("(")]
    return cut.rstrip(" ,;:") + "\u2026"


def descriptive_label(entry: Any) -> str:
    """The entry's descriptive label (BibTeX's ``key`` field, "Oxford cohort"), or ""."""
    return " ".join(_plain(entry.fields.get("key", "")).split())


def cited_as(entry: Any) -> str:
    """The name a citation gives: descriptive label, else first author's last name, else title."""
    persons = [p for p in entry.persons.get("author", ()) if not _is_others(p)]
    if descriptive_label(entry) or not persons:
        return descriptive_label(entry) or short_title(_plain(entry.fields.get("title", "")))
    return _last_name(persons[0])


#: Characters a label never holds: it is printed in brackets on the site and is an optional
#: argument, ``\\bibitem[label]``, in the PDF.
_LABEL_UNSAFE = str.maketrans("", "", "[]{}\\")


class LabelStyle(BaseLabelStyle):
    """Each entry's label is its in-text citation, with a-z letters where labels collide."""

    def format_label(self, entry: Any) -> str:
        year = _plain(entry.fields.get("year", "")).strip()
        label = f"{cited_as(entry)} {year}" if year else cited_as(entry)
        return label.translate(_LABEL_UNSAFE).strip()

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


class SortingStyle(BaseSortingStyle):
    """Sorted as cited (label or name, year, authors, title), ignoring case and markup."""

    def sorting_key(self, entry: Any) -> tuple[str, str, str, str]:
        persons = [p for p in entry.persons.get("author", ()) if not _is_others(p)]
        every_name = "   ".join(
            _last_name(p) + "  " + _plain(" ".join(p.first_names + p.middle_names)) for p in persons
        )
        title = _plain(entry.fields.get("title", "")).casefold()
        year = entry.fields.get("year", "")
        return (cited_as(entry).casefold(), year, every_name.casefold(), title)


@node
def author_names(children: list[Any], context: dict[str, Any], role: str) -> Text:
    """The persons of ``role`` as "Last, F., and Last, F.", or "Last, F. et al."."""
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
#: The year where there is one, else nothing (never "n.d."): for in-text citations.
known_year = optional[field("year")]


class Style(UnsrtStyle):
    """Author-year entries: authors (year). Title. Journal volume(number):pages. Note. Links."""

    default_label_style = STYLE_NAME
    default_name_style = "lastfirst"
    default_sorting_style = STYLE_NAME

    def author_year(self) -> Any:
        """Authors (year); without authors, the descriptive label (year)."""
        return first_of[
            optional[sentence(sep=" ")[author_names("author"), optional[year]]],
            sentence(sep=" ")[field("key"), optional[year]],
        ]

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
        # Without authors, the descriptive label leads ("Dutch myositis guideline (2024).
        # Myositis."); without either, the title, with the year after it.
        lead = first_of[
            optional[self.author_year()],
            sentence(sep=" ")[field("title"), optional[year]],
        ]
        title = (
            self.format_title(e, "title") if "author" in e.persons or "key" in e.fields else None
        )
        return toplevel[
            lead,
            optional[title] if title else "",
            optional[sentence[field("howpublished")]],
            sentence[optional_field("note")],
            self.format_web_refs(e),
        ]

    def format_doi(self, e: Any) -> Any:
        """The DOI as its address (so the PDF prints it once, with no footnote)."""
        url = join["https://doi.org/", field("doi", raw=True)]
        return href(url)[url]

    def format_title(self, e: Any, which_field: str, as_sentence: bool = True) -> Any:
        """Titles as written in the data (pybtex's default lowercases "IVIg")."""
        title = field(which_field)
        return sentence[title] if as_sentence else title


@node
def cited_name(children: list[Any], context: dict[str, Any]) -> Text:
    """The names of an in-text citation (:func:`cited_as`)."""
    assert not children
    return Text(cited_as(context["entry"]))


@dataclass
class CitedAsPersonStyle(PersonStyle):
    """In-text citations name an entry as the book's tables name a study: "Dalakas"."""

    def author_or_editor_or_title(self, full: bool) -> Any:
        return cited_name


@dataclass
class KnownYearParentheticalStyle(BasicAuthorYearParentheticalReferenceStyle):
    """Parenthetical citations with no "n.d." where no year is known: "[Cherin case series]"."""

    def inner(self, role_name: str) -> Any:
        return join2(sep1=self.pre_text_sep, sep2=self.post_text_sep)[
            pre_text,
            reference[join(sep=self.author_year_sep)[cited_name, known_year]],
            post_text,
        ]


@dataclass
class ReferenceStyle(AuthorYearReferenceStyle):
    """Author-year citations naming each entry as :func:`cited_as` does."""

    person: PersonStyle = dataclass_field(default_factory=CitedAsPersonStyle)
    author_year_sep: Any = " "

    def __post_init__(self) -> None:
        super().__post_init__()
        parenthetical = KnownYearParentheticalStyle(
            bracket=self.bracket_parenthetical,
            person=self.person,
            author_year_sep=self.author_year_sep,
            pre_text_sep=self.pre_text_sep,
            post_text_sep=self.post_text_sep,
        )
        self.role_style.update((role, parenthetical) for role in parenthetical.role_names())


def register() -> None:
    """Make the styles known to pybtex and sphinxcontrib-bibtex (idempotent)."""
    register_bibtex_plugin("sphinxcontrib.bibtex.style.referencing", STYLE_NAME, ReferenceStyle)
    for group, plugin in (
        ("pybtex.style.labels", LabelStyle),
        ("pybtex.style.sorting", SortingStyle),
        ("pybtex.style.formatting", Style),
    ):
        try:
            pybtex.plugin.find_plugin(group, STYLE_NAME)
        except pybtex.plugin.PluginNotFound:
            pybtex.plugin.register_plugin(group, STYLE_NAME, plugin)


def setup(app: Sphinx) -> dict[str, Any]:
    register()
    return {"parallel_read_safe": True}
