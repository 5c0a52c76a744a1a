"""Sentences that set the letter's account beside what the book checked.

The book's counts follow the results the letter reports; where a checked primary source
reports more, or where a verdict moves once the sources are checked, the headlines say so
here, computed from :mod:`ivigbook.analysis` and worded in ``prose/caveats.jinja``, so that a
new source check, an added study or a new update search changes the words without a chapter
being edited.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import partial
from typing import Any

from ivigbook.analysis.appraisal import confounded_improvements
from ivigbook.analysis.changes import AddedFacts
from ivigbook.analysis.cohorts import letter_only_checks, short_labels_by_id
from ivigbook.analysis.search import Currency, UpdateFacts, long_date
from ivigbook.analysis.summary import BasesVerdicts, CheckedBenefit
from ivigbook.analysis.vocabulary import (
    DOMAIN_PHRASES,
    ROUTE_WORDS,
    RUN_AGAINST_LABELS,
    SEARCH_RUN_WORDS,
)
from ivigbook.prose import join, sentence
from ivigbook.text.sentences import confounding_sentence

_say = partial(sentence, "caveats")


def _domains(domains: Iterable[str]) -> str:
    return join(DOMAIN_PHRASES.get(d, d.replace("_", " ")) for d in dict.fromkeys(domains))


def _benefit_facts(benefits: Sequence[CheckedBenefit]) -> dict[str, Any]:
    """What the checked-benefit sentences need: how many, what improved, whose report, and
    why the results are weak when every one is (the book's judgement, in the claims ledger)."""
    return {
        "n": len(benefits),
        "domains": _domains(d for b in benefits for d in b.domains),
        "own": all(b.own_report for b in benefits),
        "weak": "; ".join(dict.fromkeys(b.weak for b in benefits))
        if benefits and all(b.weak for b in benefits)
        else "",
    }


def checked_benefit_sentence(
    benefits: Sequence[CheckedBenefit], noun: str = "trial", nouns: str = "trials"
) -> str:
    """ "But one trial, Dalakas 1997, reports in its own publication a measured improvement in
    swallowing." ("" when no checked source reports one; ``noun``/``nouns``: what the
    studies are, in the sentence's context)."""
    labels = join(b.study for b in benefits)
    facts = _benefit_facts(benefits)
    return _say("checked_benefit", labels=labels, noun=noun, nouns=nouns, **facts)


def checked_benefit_plain(benefits: Sequence[CheckedBenefit]) -> str:
    """The same for the plain-language summary: no study names, no statistics."""
    return _say("checked_benefit_plain", **_benefit_facts(benefits))


def bases_sentence(b: BasesVerdicts) -> str:
    """How many of the letter's claims are contradicted on each basis, in one or two
    sentences: "These verdicts rest on the letter's own evidence. With the primary sources
    checked, four claims are contradicted, all on swallowing."."""
    return _say("bases", b=b, domains=_domains(b.newly_contradicted_domains))


def contradicted_on_both(b: BasesVerdicts) -> str:
    """The opening of the conclusions: the contradicted claims on both bases, when they
    differ ("On the letter's own evidence, none of its 14 checked claims is contradicted.
    Once the primary sources are checked, four are, all on swallowing.")."""
    return _say("contradicted_on_both", b=b, domains=_domains(b.newly_contradicted_domains))


def added_sentence(a: AddedFacts, with_date: bool = True) -> str:
    """Whether the book has added studies to the letter's evidence, and what they are beside
    the letter's search: when they were published, and whether they fall outside IVIG.

    Starts "No study has been added", "One study has been added", "Three studies have been
    added" (numbers in words up to twelve).
    ``with_date=False`` leaves out the search's date (where the page has just given it).
    """
    search = f"the letter's search of {a.search_date}" if with_date else "the letter's search"
    routes = join(ROUTE_WORDS.get(r, f"by the {r} route") for r in a.other_routes)
    return _say("added", a=a, search=search, routes=routes)


def currency_statement(c: Currency, with_letter: bool = True) -> str:
    """How current the evidence is, exactly: the letter's search date (unless
    ``with_letter`` is false), every later search with what it was run against, and, until a
    search of PubMed itself is recorded, "the PubMed update is pending". It never claims that
    the evidence is up to date on a day."""
    groups: dict[str, list[str]] = {}
    for run_on, against in c.searches:
        groups.setdefault(against, []).append(long_date(run_on))
    searches = [
        (SEARCH_RUN_WORDS.get(a, (f"a search of {a}",) * 2), dates) for a, dates in groups.items()
    ]
    letter = long_date(c.letter_search) if with_letter else ""
    return _say("currency", letter=letter, searches=searches, pending=c.pubmed_pending)


def update_search_words(u: UpdateFacts) -> str:
    """What the search whose flow the chapter shows was run against, in a sentence or two."""
    against = {v: k for k, v in RUN_AGAINST_LABELS.items()}.get(u.run_against)
    return _say("update_search", u=u, against=against)


def confounding_caveat(ev: Any) -> str:
    """The improvements of studies without a control group that come with confounding
    judged high, with the judgement's reason ("" when there are none):
    :func:`ivigbook.analysis.appraisal.confounded_improvements`."""
    rows = confounded_improvements(ev)
    return confounding_sentence(zip(rows["study"], rows["support"], strict=True))


def letter_only_caveat(ev: Any) -> str:
    """Which studies' figures rest on the letter alone, with the source check's words (""
    when there are none): :func:`ivigbook.analysis.cohorts.letter_only_checks`."""
    rows, names = letter_only_checks(ev), short_labels_by_id(ev)
    pairs = zip(rows["study_id"].map(names), rows["source_says"], strict=True)
    return _say("letter_only", rows=list(pairs))
