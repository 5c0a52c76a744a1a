"""Each chapter's answer first: the "In short" sentences that open the argument chapters.

Every builder takes a facts object from :mod:`ivigbook.analysis` and returns plain sentences
worded in ``prose/answers.jinja``, whose wording follows the numbers, so the answer stays true
when a study is added.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial

import pandas as pd

from ivigbook.analysis.appraisal import BlindingFacts
from ivigbook.analysis.changes import AddedFacts, ContributorFacts
from ivigbook.analysis.design import ContinuousFacts, ExistingFacts, ResponderFacts
from ivigbook.analysis.evidence import IntroFacts
from ivigbook.analysis.markers import BiomarkerFacts
from ivigbook.analysis.responders import ResponderSummary
from ivigbook.analysis.search import Currency, SearchFacts
from ivigbook.analysis.summary import BasesVerdicts, CheckedBenefit, EvidenceSummary, KeyFacts
from ivigbook.analysis.trials import TrialFacts
from ivigbook.analysis.vocabulary import CONTRADICTED, NOT_REPORTED, PARTLY, SUPPORTED
from ivigbook.prose import join, sentence
from ivigbook.text.caveats import (
    added_sentence,
    checked_benefit_sentence,
    contradicted_on_both,
    currency_statement,
)
from ivigbook.text.messages import certainty_message, trials_message
from ivigbook.text.sentences import (
    DESIGN_NOUNS,
    design_listing,
    improvement_sentence,
    objective_benefit_sentence,
    range_phrase,
)

_say = partial(sentence, "answers")


def trials_texts(f: TrialFacts, checked: Sequence[CheckedBenefit] = ()) -> dict[str, str]:
    """The sentences of the trials chapter, by glue name (without the prefix): its answer
    (``checked``: the trials whose checked primary source reports an objective improvement
    the letter's results do not), the letter's "two RCTs" beside its own table, and the
    trials it leaves without a statement on randomisation."""
    note = checked_benefit_sentence([b for b in checked if b.trial])
    return {
        "in_short": _say("trials_in_short", f=f, checked=note),
        "randomised_sentence": _say("randomised_count", f=f),
        "unstated_sentence": _say("unstated", labels=join(f.unstated_labels)),
    }


def _benefit_sentence(
    summary: EvidenceSummary, checked: Sequence[CheckedBenefit], with_: bool
) -> str:
    """:func:`objective_benefit_sentence` for the studies with (or without) a control group."""
    kind, group = ("with", "controlled") if with_ else ("without", "uncontrolled")
    n, patients, benefit = (
        getattr(summary, f"n_{group}{what}") for what in ("", "_patients", "_objective_benefit")
    )
    note = checked_benefit_sentence(
        [b for b in checked if b.controlled == with_],
        f"study {kind} a control group",
        f"studies {kind} a control group",
    )
    return objective_benefit_sentence(n, patients, benefit, f"studies {kind} a control group", note)


def evidence_texts(
    facts: Mapping[str, int],
    summary: EvidenceSummary,
    checked: Sequence[CheckedBenefit] = (),
) -> dict[str, str]:
    """The sentences of the evidence chapter, by glue name (without the prefix ``ev``).

    ``facts`` is :func:`ivigbook.analysis.evidence.evidence_facts`, ``summary`` is
    :func:`ivigbook.analysis.summary.evidence_summary`, ``checked`` the studies whose checked
    primary source reports an objective improvement the letter's results do not
    (:func:`ivigbook.analysis.summary.checked_benefits`).
    """
    note = checked_benefit_sentence(
        [b for b in checked if b.controlled],
        "study with a comparison group",
        "studies with a comparison group",
    )
    return {
        "in_short": _say(
            "evidence_in_short",
            n_studies=facts["n_studies"],
            n_patients=facts["n_patients"],
            s=summary,
            checked=note,
        ),
        "design_listing": design_listing(
            {k[2:]: v for k, v in facts.items() if k[2:] in DESIGN_NOUNS}
        ),
        "improvement_sentence": improvement_sentence(
            facts["n_improved_all"], facts["n_improved_uncontrolled"], facts["n_uncontrolled"]
        ),
        "controlled_sentence": _benefit_sentence(summary, checked, with_=True),
        "uncontrolled_sentence": _benefit_sentence(summary, checked, with_=False),
    }


def signals_counts_sentence(summary: ResponderSummary) -> str:
    """Of the statements of improvement: how many come from studies without a control group,
    and how many are about a subjective or undefined measure."""
    return _say("signals_counts", s=summary)


def signals_in_short(summary: ResponderSummary, crossover: Mapping[str, object]) -> str:
    """The answer of the signals chapter.

    ``summary`` is :func:`ivigbook.analysis.responders.responder_summary`; ``crossover`` is
    the responder row of the crossover trial the letter singles out (its Table I count).
    """
    return _say("signals_in_short", s=summary, crossover=crossover)


def timing_in_short(
    counts: Mapping[str, int], n_studies: int, verdict: str, n_times: int | None = None
) -> str:
    """The answer of the timing chapter (``counts``: :func:`~ivigbook.analysis.timing.
    timing_counts`; ``verdict``: the verdict on the letter's timing claim; ``n_times``: how
    many of the studies that say something about timing give a time in numbers,
    :func:`~ivigbook.analysis.timing.times_given`; None: not known)."""
    k = counts["time_to_treatment"]
    return _say("timing_in_short", k=k, n_studies=n_studies, n_times=n_times, verdict=verdict)


def intro_texts(facts: IntroFacts) -> dict[str, str]:
    """The introduction's sentences: its answer, and the planned months at the usual dose."""
    low, high = facts.dose_months_min, facts.dose_months_max
    return {
        "in_short": _say(
            "introduction_in_short",
            g_per_kg_month=facts.dose_usual,
            grams_month=facts.grams_per_month,
            weight_kg=facts.body_weight_kg,
        ),
        "dose_months_range": NOT_REPORTED
        if low is None or high is None
        else range_phrase(low, high, "month", "months"),
    }


def conclusions_in_short(
    facts: KeyFacts, verdicts: Mapping[str, int], bases: BasesVerdicts | None = None
) -> str:
    """The answer of the conclusions: does the letter's argument hold, in two or three
    sentences (``verdicts``: claims per verdict, every verdict present; ``bases``: the
    contradicted claims on the letter's evidence and with the sources checked, named both
    when they differ)."""
    differ = bases is not None and bases.n_contradicted_letter != bases.n_contradicted_checked
    return _say(
        "conclusions_in_short",
        total=sum(verdicts.values()),
        holds=verdicts.get(SUPPORTED, 0) + verdicts.get(PARTLY, 0),
        contradicted=verdicts.get(CONTRADICTED, 0),
        on_both=contradicted_on_both(bases) if differ and bases is not None else "",
        trials=trials_message(facts),
    )


def rct_readings_sentence(readings: Mapping[str, list[str]], labels: Mapping[str, str]) -> str:
    """The two readings of the letter's "two RCTs" (``readings``:
    :func:`~ivigbook.analysis.appraisal.rct_readings`; ``labels``: study labels by id)."""
    named = {k: join(str(labels.get(i, i)) for i in readings.get(k) or ()) for k in readings}
    return _say(
        "rct_readings", table=named["table"], text=named["text"], in_vitro=named.get("in_vitro", "")
    )


def appraisal_in_short(rob: pd.DataFrame, certainty: str) -> str:
    """The answer of the appraisal chapter: how the risk-of-bias judgements fall, for the
    trials and for the other studies, then the certainty message
    (``rob``: :func:`~ivigbook.analysis.appraisal.rob_table`)."""

    def levels(cells: pd.DataFrame) -> tuple[int, ...]:
        counts = cells["judgement"].astype(str).value_counts()
        return tuple(int(counts.get(level, 0)) for level in ("low", "unclear", "high"))

    trials, others = rob[rob["tool"] == "rob1"], rob[rob["tool"] != "rob1"]
    return _say(
        "appraisal_in_short",
        n_trials=len(trials),
        trials=levels(trials),
        n_others=len(others),
        others=levels(others),
        certainty=certainty,
    )


def next_trial_in_short(
    enrolled_per_arm: int,
    enmc_per_arm: int,
    best_case_enrolled: int,
    max_power_own: float,
    blinding: BlindingFacts | None = None,
) -> str:
    """The answer of the next-trial chapter, from its computed numbers: patients to enrol
    per arm on the IBMFRS endpoint and in the best case, both after dropout (``blinding``:
    the best-case trial's blinding of participants, :func:`~ivigbook.analysis.appraisal.
    participant_blinding`, with the book's reason from the risk-of-bias table)."""
    reason = blinding.support.rstrip(".") if blinding else ""
    return _say(
        "next_trial_in_short",
        enrolled=enrolled_per_arm,
        enmc=enmc_per_arm,
        best_case=best_case_enrolled,
        max_power=max_power_own,
        b=blinding,
        reason=reason[:1].lower() + reason[1:],
    )


def contributor_texts(facts: ContributorFacts) -> dict[str, str]:
    """The "Adding a study" chapter's sentences: what the first added study is."""
    known = (facts.example_design, facts.example_n_total, facts.example_label)
    route = facts.example_route.split(" (")[0].lower() if facts.example_route else None
    route = route if all(v is not None for v in known) else None
    return {"example_sentence": _say("contributor_example", f=facts, route=route)}


def biomarkers_texts(facts: BiomarkerFacts) -> dict[str, str]:
    """The biomarkers chapter's sentences: its answer."""
    return {
        "in_short": biomarkers_in_short(
            facts.n_marker_outcomes, facts.n_marker_studies, facts.verdict
        )
    }


def biomarkers_in_short(n_results: int, n_studies: int, verdict: str) -> str:
    """The answer of the biomarkers chapter (``verdict``: on the letter's "no biomarker")."""
    return _say("biomarkers_in_short", n_results=n_results, n_studies=n_studies, verdict=verdict)


def _lowered_list(labels: tuple[str, ...]) -> str:
    """``"search terms; records screened"``: labels joined, each with a lower-case first
    letter, or "none"."""
    return "; ".join(label[0].lower() + label[1:] for label in labels) or "none"


def unreported_steps_sentence(facts: SearchFacts) -> str:
    """The steps of the search flow the letter leaves out, and those it gives no number for."""
    return _say(
        "unreported_steps",
        unreported=facts.steps_unreported,
        labels=_lowered_list(facts.unreported_labels),
        without=_lowered_list(facts.without_count_labels),
    )


@dataclass(frozen=True)
class SearchWords:
    """The search chapter's words built from its :class:`SearchFacts` (prefix ``search``)."""

    unreported_list: str
    without_count: str
    in_short: str
    #: The steps the letter leaves out, in a sentence.
    unreported_sentence: str


def search_words(
    facts: SearchFacts, currency: Currency, added: AddedFacts | None = None
) -> SearchWords:
    """The lists of steps in words, and the chapter's answer: the letter's search, what it
    leaves out, and the update search (``currency``: the searches so far,
    :func:`ivigbook.analysis.search.currency`; ``added``: what the added studies are,
    :func:`ivigbook.analysis.changes.added_facts`)."""
    return SearchWords(
        unreported_list=_lowered_list(facts.unreported_labels),
        without_count=_lowered_list(facts.without_count_labels),
        unreported_sentence=unreported_steps_sentence(facts),
        in_short=_say(
            "search_in_short",
            records=facts.records_identified,
            included=facts.studies_included,
            n_unreported=facts.steps_unreported,
            n_added=facts.studies_added,
            currency=currency_statement(currency, with_letter=False),
            added=added_sentence(added) if added is not None and added.n_added else "",
        ),
    )


@dataclass(frozen=True)
class AppraisalWords:
    """The appraisal chapter's answer (prefix ``ap``)."""

    in_short: str


def appraisal_words(rob: pd.DataFrame, facts: KeyFacts) -> AppraisalWords:
    """:func:`appraisal_in_short` with the certainty message of the key facts."""
    return AppraisalWords(in_short=appraisal_in_short(rob, certainty_message(facts)))


@dataclass(frozen=True)
class NextTrialWords:
    """The next-trial chapter's answer (prefix ``nt``)."""

    in_short: str


def next_trial_words(
    responder: ResponderFacts,
    continuous: ContinuousFacts,
    existing: ExistingFacts,
    blinding: BlindingFacts | None = None,
) -> NextTrialWords:
    """:func:`next_trial_in_short` from the chapter's facts."""
    return NextTrialWords(
        in_short=next_trial_in_short(
            int(continuous.cont_enrolled),
            responder.enmc,
            int(responder.best_enrolled),
            existing.max_power_own,
            blinding,
        )
    )
