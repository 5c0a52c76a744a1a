"""Sentences that set the letter's account beside what the book checked.

The book's counts follow the results the letter reports; where a checked primary source
reports more, or where a verdict moves once the sources are checked, the headlines say so
here, computed from :mod:`ivigbook.analysis`, so that a new source check, an added study or a
new update search changes the words without a chapter being edited.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
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
from ivigbook.text.sentences import confounding_sentence, counted, join_words, number_word

#: The book's choice of basis for its counts, with its reason (a judgement of the book's).
COUNTS_FOLLOW_LETTER = (
    "The book's counts follow the letter's results, because the book rebuilds the letter's "
    "argument; it shows the checked result beside them."
)


def weak_words(benefits: Sequence[CheckedBenefit]) -> str:
    """Why the checked results are weak, after the sentence that reports them ("" when one is
    not): the book's judgement, explained in the claims ledger."""
    if not benefits or not all(b.weak for b in benefits):
        return ""
    why = "; ".join(dict.fromkeys(b.weak for b in benefits))
    it = "It is" if len(benefits) == 1 else "They are"
    return f" {it} {why}, so on its own it cannot overturn the trials' other results."


def _domains(domains: Iterable[str]) -> str:
    return join_words(DOMAIN_PHRASES.get(d, d.replace("_", " ")) for d in domains)


def checked_benefit_sentence(
    benefits: Sequence[CheckedBenefit], noun: str = "trial", nouns: str = "trials"
) -> str:
    """ "But one trial, Dalakas 1997, reports in its own publication a measured improvement in
    swallowing." ("" when no checked source reports one; ``noun``/``nouns``: what the
    studies are, in the sentence's context)."""
    if not benefits:
        return ""
    domains = _domains(dict.fromkeys(d for b in benefits for d in b.domains))
    labels = join_words(b.study for b in benefits)
    weak = weak_words(benefits)
    if len(benefits) == 1:
        where = "in its own publication" if benefits[0].own_report else "in a checked source"
        return (
            f"But one {noun}, {labels}, reports {where} a measured improvement in {domains}." + weak
        )
    where = (
        "in their own publications"
        if all(b.own_report for b in benefits)
        else "in checked primary sources"
    )
    return (
        f"But {number_word(len(benefits))} {nouns}, {labels}, report {where} measured "
        f"improvements in {domains}.{weak}"
    )


def checked_benefit_plain(benefits: Sequence[CheckedBenefit]) -> str:
    """The same for the plain-language summary: no study names, no statistics."""
    if not benefits:
        return ""
    domains = _domains(dict.fromkeys(d for b in benefits for d in b.domains))
    own = all(b.own_report for b in benefits)
    k = len(benefits)
    if k == 1:
        source = "one trial's own report says" if own else "a checked report on one trial says"
    else:
        source = (
            f"the own reports of {number_word(k)} trials say"
            if own
            else (f"checked reports on {number_word(k)} trials say")
        )
    if all(b.weak for b in benefits):
        return (
            f"But {source} that {domains} improved on a measured test. It was one measure "
            "among many, none of them named the main one, so it cannot outweigh the other "
            "results."
        )
    return (
        f"But {source} that {domains} improved on a measured test. The book's counts keep to "
        "the letter's results and show this finding beside them."
    )


def contradicted_phrase(n: int) -> str:
    """``"none is"``, ``"one is"``, ``"four are"``."""
    if n == 0:
        return "none is"
    return counted(n, "is", "are")


def bases_sentence(b: BasesVerdicts) -> str:
    """How many of the letter's claims are contradicted on each basis, in one or two
    sentences: "These verdicts rest on the letter's own evidence. With the primary sources
    checked, four claims are contradicted, all on swallowing."."""
    first = "These verdicts rest on the letter's own evidence."
    if b.n_contradicted_letter == b.n_contradicted_checked:
        return (
            f"{first} With the primary sources checked, the number of contradicted claims is "
            "the same."
        )
    n = b.n_contradicted_checked
    cause = ""
    if b.newly_contradicted_domains and b.n_newly_contradicted == n:
        cause = f", {'it' if n == 1 else 'all'} on {_domains(b.newly_contradicted_domains)}"
    elif b.newly_contradicted_domains and b.n_newly_contradicted:
        cause = (
            f"; the {number_word(b.n_newly_contradicted)} that change turn on "
            f"{_domains(b.newly_contradicted_domains)}"
        )
    return (
        f"{first} With the primary sources checked, "
        f"{counted(n, 'claim is', 'claims are')} contradicted{cause}."
    )


def contradicted_on_both(b: BasesVerdicts) -> str:
    """The opening of the conclusions: the contradicted claims on both bases, when they
    differ ("On the letter's own evidence, none of its 14 checked claims is contradicted.
    Once the primary sources are checked, four are, all on swallowing.")."""
    first = (
        f"On the letter's own evidence, {contradicted_phrase(b.n_contradicted_letter)} "
        f"contradicted of its {b.n_claims} checked claims."
        if b.n_contradicted_letter
        else f"On the letter's own evidence, none of its {b.n_claims} checked claims is "
        "contradicted."
    )
    n = b.n_contradicted_checked
    tail = ""
    single_cause = b.n_contradicted_letter == 0 and b.n_newly_contradicted == n
    if b.newly_contradicted_domains and single_cause:
        tail = f", {'it' if n == 1 else 'all'} on {_domains(b.newly_contradicted_domains)}"
    verb = "is" if n == 1 else "are"
    second = f"Once the primary sources are checked, {number_word(n)} {verb}{tail}."
    return f"{first} {second}"


def added_sentence(a: AddedFacts, with_date: bool = True) -> str:
    """Whether the book has added studies to the letter's evidence, and what they are beside
    the letter's search: when they were published, and whether they fall outside IVIG.

    Starts "No study has been added", "One study has been added", "Three studies have been
    added" (numbers in words up to twelve).
    ``with_date=False`` leaves out the search's date (where the page has just given it).
    """
    search = f"the letter's search of {a.search_date}" if with_date else "the letter's search"
    if a.n_added == 0:
        return "No study has been added to the letter's evidence."
    n = a.n_added
    one = n == 1
    first = (
        f"{counted(n, 'study has', 'studies have', capital=True)} been added to the letter's "
        "evidence; "
        f"{'it is' if one else 'they are'} not in the letter's Table I."
    )
    if one:
        when = {
            (1, 0, 0): "before",
            (0, 1, 0): "in the same year as",
            (0, 0, 1): "after",
        }.get((a.n_published_before, a.n_published_same_year, a.n_published_after))
        year = f" in {a.single_year}" if a.single_year is not None else ""
        published = (
            f" It was published{year}, {when} {search}."
            if when
            else " Its year of publication is not recorded."
        )
    else:
        # (count, phrase when it comes first, phrase after another)
        parts = [
            (k, lead, later)
            for k, lead, later in (
                (a.n_published_before, f"before {search}", "before it"),
                (a.n_published_same_year, f"in the year of {search}", "in its year"),
                (a.n_published_after, f"after {search}", "after it"),
                (a.n_year_unknown, "in a year not recorded", "in a year not recorded"),
            )
            if k
        ]
        words = [f"{k} {later}" for k, _, later in parts]
        if parts:
            k, lead, _ = parts[0]
            words[0] = f"{k} {'was' if k == 1 else 'were'} published {lead}"
        published = f" Of these, {join_words(words)}."
    route = ""
    if a.n_not_ivig:
        which = "It" if one else f"{a.n_not_ivig} of them"
        routes = join_words(ROUTE_WORDS.get(r, f"by the {r} route") for r in a.other_routes)
        route = (
            f" {which} gave immunoglobulin {routes or 'by another route'}, not into a vein, so "
            f"no IVIG count includes {'it' if a.n_not_ivig == 1 else 'them'}."
        )
    return first + published + route


def currency_statement(c: Currency, with_letter: bool = True) -> str:
    """How current the evidence is, exactly: the letter's search date (unless
    ``with_letter`` is false), every later search with what it was run against, and, until a
    search of PubMed itself is recorded, "the PubMed update is pending". It never claims that
    the evidence is up to date on a day."""
    first = f"The letter's search of PubMed/MEDLINE ran on {long_date(c.letter_search)}. "
    first = first if with_letter else ""
    pending = "the PubMed update is pending."
    if not c.searches:
        return f"{first}No later search has been recorded; {pending}"
    groups: dict[str, list[str]] = {}
    for run_on, against in c.searches:
        groups.setdefault(against, []).append(long_date(run_on))
    parts = []
    for against, dates in groups.items():
        one, many = SEARCH_RUN_WORDS.get(against, (f"a search of {against}",) * 2)
        parts.append(f"{one if len(dates) == 1 else many} on {join_words(dates)}")
    later = "; ".join(parts)
    if c.pubmed_pending:
        return f"{first}Later searches: {later}; {pending}"
    return f"{first}Later searches: {later}."


def update_search_words(u: UpdateFacts) -> str:
    """What the search whose flow the chapter shows was run against, in a sentence or two."""
    if u.run_against == RUN_AGAINST_LABELS["stored_copies"]:
        return (
            f"The flow below is that of a preliminary search of stored copies of public "
            f"records, on {u.run_on}, with {counted(u.n_queries, 'query', 'queries')}: its "
            "counts are those of the queries, not PubMed's. The PubMed query it stands in for, "
            "as one would paste it into PubMed:"
        )
    if u.run_against == RUN_AGAINST_LABELS["pubmed"]:
        return (
            f"The flow below is that of the search of PubMed itself on {u.run_on}. The query "
            "sent, as one would paste it into PubMed:"
        )
    return "No later search has been screened yet."


def confounding_caveat(ev: Any) -> str:
    """The improvements of studies without a control group that come with confounding
    judged high, with the judgement's reason ("" when there are none):
    :func:`ivigbook.analysis.appraisal.confounded_improvements`."""
    rows = confounded_improvements(ev)
    return confounding_sentence(zip(rows["study"], rows["support"], strict=True))


def letter_only_caveat(ev: Any) -> str:
    """Which studies' figures rest on the letter alone, with the source check's words (""
    when there are none): :func:`ivigbook.analysis.cohorts.letter_only_checks`."""
    rows = letter_only_checks(ev)
    if rows.empty:
        return ""
    names = short_labels_by_id(ev)
    parts = [
        f"The figures for {names[sid]} are the letter's only, and cannot be checked against "
        f"the study's own record. The source check records: \u201c{words}\u201d"
        for sid, words in zip(rows["study_id"], rows["source_says"], strict=True)
    ]
    return " ".join(parts)
