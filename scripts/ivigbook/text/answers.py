"""Each chapter's answer first: the "In short" sentences that open the argument chapters.

Every builder takes a facts object from :mod:`ivigbook.analysis` and returns plain sentences
whose wording follows the numbers, so the answer stays true when a study is added.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

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
from ivigbook.analysis.vocabulary import (
    CONTRADICTED,
    NOT_REPORTED,
    NOT_TESTABLE,
    PARTLY,
    SUPPORTED,
)
from ivigbook.text.caveats import (
    COUNTS_FOLLOW_LETTER,
    added_sentence,
    checked_benefit_sentence,
    contradicted_on_both,
    currency_statement,
)
from ivigbook.text.messages import certainty_message, number_word, trials_message
from ivigbook.text.sentences import (
    DESIGN_NOUNS,
    counted,
    design_listing,
    improvement_sentence,
    join_words,
    objective_benefit_sentence,
    range_phrase,
)


def _trials(n: int) -> str:
    return f"{number_word(n)} controlled {'trial' if n == 1 else 'trials'}"


def trials_in_short(f: TrialFacts, checked: Sequence[CheckedBenefit] = ()) -> str:
    """The answer of the trials chapter (``checked``: the trials whose checked primary source
    reports an objective improvement the letter's results do not)."""
    if f.n_trials == 0:
        return "The data hold no controlled trial of IVIG."
    first = f"{_trials(f.n_trials).capitalize()}, with {f.n_patients} patients, tested IVIG."
    checked = [b for b in checked if b.trial]
    if f.n_objective_benefit == 0 and checked:
        second = (
            "As the letter reports them, none found a benefit on an objective measure, such as "
            f"muscle strength. {checked_benefit_sentence(checked)} {COUNTS_FOLLOW_LETTER}"
        )
    elif f.n_objective_benefit == 0:
        second = "None found a benefit on an objective measure, such as muscle strength."
    else:
        second = (
            f"{number_word(f.n_objective_benefit).capitalize()} of them found a benefit on an "
            "objective measure."
        )
    if f.n_subjective_benefit_only == 0:
        third = ""
    else:
        which = (
            "one trial"
            if f.n_subjective_benefit_only == 1
            else (f"{number_word(f.n_subjective_benefit_only)} trials")
        )
        third = f" In {which}, patients reported improvements that no examiner or device measured."
    return f"{first} {second}{third}"


def randomised_count_sentence(f: TrialFacts) -> str:
    """The letter's "two RCTs" beside its own table."""
    return (
        "The letter's text speaks of \N{LEFT DOUBLE QUOTATION MARK}the two RCTs "
        "conducted\N{RIGHT DOUBLE QUOTATION MARK}. Its own Table I lists "
        f"{number_word(f.letter_n_placebo)} placebo-controlled trials, and calls "
        f"{number_word(f.letter_n_randomised)} of them randomised."
    )


def unstated_sentence(f: TrialFacts) -> str:
    """Which trials the letter leaves without a statement on randomisation."""
    if not f.unstated_labels:
        return "The letter says for every trial whether it was randomised."
    return f"It does not say whether {join_words(f.unstated_labels)} was randomised."


def trials_texts(f: TrialFacts, checked: Sequence[CheckedBenefit] = ()) -> dict[str, str]:
    """The sentences of the trials chapter, by glue name (without the prefix)."""
    return {
        "in_short": trials_in_short(f, checked),
        "randomised_sentence": randomised_count_sentence(f),
        "unstated_sentence": unstated_sentence(f),
    }


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
    with_check = [b for b in checked if b.controlled]
    designs = {k[2:]: v for k, v in facts.items() if k[2:] in DESIGN_NOUNS}
    n_trials, n_controlled = summary.n_trials, summary.n_controlled
    n_other, n_without = n_controlled - n_trials, summary.n_uncontrolled
    groups = [
        counted(n_trials, "controlled trial", "controlled trials"),
        f"{counted(n_other, 'other study', 'other studies')} with a comparison group",
        f"{counted(n_without, 'study', 'studies')} without one",
    ]
    n_other_route = summary.n_studies - summary.n_ivig_studies
    if n_other_route:
        # In the counts of all studies, but in no IVIG count (ivigbook.analysis.cohorts).
        groups.append(
            f"{counted(n_other_route, 'study', 'studies')} of immunoglobulin not given into a vein"
        )
    k_with = summary.n_controlled_objective_benefit
    k_without = summary.n_uncontrolled_objective_benefit
    with_part = (
        "As the letter reports them, none of the studies with a comparison group reports an "
        "objective improvement on IVIG"
        if k_with == 0 and with_check
        else "None of the studies with a comparison group reports an objective improvement on IVIG"
        if k_with == 0
        else f"{number_word(k_with).capitalize()} of the {number_word(n_controlled)} studies "
        "with a comparison group report an objective improvement on IVIG"
    )
    verb = "does" if k_without == 1 else "do"
    without_part = (
        "none of those without one does"
        if k_without == 0
        else f"{number_word(k_without)} of the {number_word(n_without)} without one {verb}"
    )
    in_short = (
        f"The evidence base holds {facts['n_studies']} studies with {facts['n_patients']} "
        "patients: "
        f"{join_words(groups)}. {with_part}; {without_part}."
    )
    if k_with == 0 and with_check:
        in_short += (
            " "
            + checked_benefit_sentence(
                with_check, "study with a comparison group", "studies with a comparison group"
            )
            + " "
            + COUNTS_FOLLOW_LETTER
        )
    return {
        "in_short": in_short,
        "design_listing": design_listing(designs),
        "improvement_sentence": improvement_sentence(
            facts["n_improved_all"], facts["n_improved_uncontrolled"], facts["n_uncontrolled"]
        ),
        "controlled_sentence": objective_benefit_sentence(
            n_controlled,
            summary.n_controlled_patients,
            summary.n_controlled_objective_benefit,
            "studies with a control group",
            checked_benefit_sentence(
                with_check, "study with a control group", "studies with a control group"
            ),
        ),
        "uncontrolled_sentence": objective_benefit_sentence(
            summary.n_uncontrolled,
            summary.n_uncontrolled_patients,
            summary.n_uncontrolled_objective_benefit,
            "studies without a control group",
            checked_benefit_sentence(
                [b for b in checked if not b.controlled],
                "study without a control group",
                "studies without a control group",
            ),
        ),
    }


def signals_counts_sentence(summary: ResponderSummary) -> str:
    """Of the statements of improvement: how many come from studies without a control group,
    and how many are about a subjective or undefined measure."""
    return (
        f"{counted(summary.n_uncontrolled, 'statement comes', 'statements come', capital=True)}"
        " from studies without a control group; "
        f"{counted(summary.n_subjective, 'statement is', 'statements are')} about a measure "
        "that is subjective or not defined."
    )


def signals_in_short(summary: ResponderSummary, crossover: Mapping[str, object]) -> str:
    """The answer of the signals chapter.

    ``summary`` is :func:`ivigbook.analysis.responders.responder_summary`; ``crossover`` is
    the responder row of the crossover trial the letter singles out (its Table I count).
    """
    n, weak = summary.n_reports, summary.n_reports_weak
    if summary.n_statements == 0:
        return "No study reports how many patients improved."
    first = (
        f"Some patients did improve on IVIG: {crossover['numerator']} of "
        f"{crossover['denominator']} in one crossover trial, and a few patients in small "
        "reports without a control group."
    )
    second = (
        "Each count is small, so the range of true shares it is compatible with (its 95% "
        "confidence interval) is wide."
    )
    third = (
        f"And {weak} of the {n} reports that patients on IVIG improved (each result counted "
        "once) come from studies without a control group, or rest on subjective or undefined "
        "measures."
    )
    return f"{first} {second} {third}"


def timing_in_short(
    counts: Mapping[str, int], n_studies: int, verdict: str, n_times: int | None = None
) -> str:
    """The answer of the timing chapter (``counts``: :func:`~ivigbook.analysis.timing.
    timing_counts`; ``verdict``: the verdict on the letter's timing claim; ``n_times``: how
    many of the studies that say something about timing give a time in numbers,
    :func:`~ivigbook.analysis.timing.times_given`; None: not known)."""
    k = counts["time_to_treatment"]
    says = "says" if k == 1 else "say"
    if k == 0:
        recorded = "No study says anything about when treatment started."
    else:
        recorded = (
            f"Only {number_word(k)} of the {n_studies} studies {says} anything about when "
            "treatment started"
        )
        if n_times == 0:
            recorded += ", and " + ("it gives no time." if k == 1 else "none gives a time.")
        elif n_times is not None and n_times < k:
            verb = "gives" if n_times == 1 else "give"
            recorded += f"; {number_word(n_times)} of them {verb} a time."
        else:
            recorded += "."
    judged = {
        NOT_TESTABLE: "The letter's claim that timing matters cannot be tested with these data.",
        SUPPORTED: "The data support the letter's claim that timing matters.",
        PARTLY: "The data give only partial support to the letter's claim that timing matters.",
    }.get(verdict, "The data contradict the letter's claim that timing matters.")
    return (
        f"{recorded} {judged} A longer course among patients who did well proves little: "
        "patients who seem to improve are the ones kept on treatment."
    )


def intro_texts(facts: IntroFacts) -> dict[str, str]:
    """The introduction's sentences: its answer, and the planned months at the usual dose."""
    low, high = facts.dose_months_min, facts.dose_months_max
    return {
        "in_short": introduction_in_short(
            facts.dose_usual, facts.grams_per_month, facts.body_weight_kg
        ),
        "dose_months_range": NOT_REPORTED
        if low is None or high is None
        else range_phrase(low, high, "month", "months"),
    }


def introduction_in_short(g_per_kg_month: float, grams_month: float, weight_kg: float) -> str:
    """The answer of the introduction: the disease, why IVIG, and what a course means."""
    return (
        "Sporadic inclusion body myositis weakens muscles slowly but relentlessly, and no "
        "drug is approved for it. IVIG is tried because inflammation may play a part. The "
        f"most common dose in the studies, {g_per_kg_month:g} g per kilogram a month, means "
        f"{grams_month:,.0f} g of IVIG a month for a patient of {weight_kg:g} kg."
    )


def conclusions_in_short(
    facts: KeyFacts, verdicts: Mapping[str, int], bases: BasesVerdicts | None = None
) -> str:
    """The answer of the conclusions: does the letter's argument hold, in two or three
    sentences (``verdicts``: claims per verdict, every verdict present; ``bases``: the
    contradicted claims on the letter's evidence and with the sources checked, named both
    when they differ)."""
    total = sum(verdicts.values())
    holds = verdicts.get(SUPPORTED, 0) + verdicts.get(PARTLY, 0)
    contradicted = verdicts.get(CONTRADICTED, 0)
    if bases is not None and bases.n_contradicted_letter != bases.n_contradicted_checked:
        first = contradicted_on_both(bases)
    elif contradicted == 0 and holds:
        first = (
            f"The letter's argument holds up against the data: none of its {total} checked "
            "claims is contradicted."
        )
    else:
        first = (
            f"{number_word(contradicted, capital=True)} of the letter's {total} checked "
            "claims are contradicted by the data."
        )
    return (
        f"{first} {trials_message(facts)} Reports of improvement are too weak to show who, "
        "if anyone, benefits. New, larger trials that measure outcomes objectively are needed, "
        "as the letter says."
    )


def rct_readings_sentence(readings: Mapping[str, list[str]], labels: Mapping[str, str]) -> str:
    """The two readings of the letter's "two RCTs" (``readings``:
    :func:`~ivigbook.analysis.appraisal.rct_readings`; ``labels``: study labels by id)."""

    def named(ids: list[str]) -> str:
        return join_words(str(labels.get(i, i)) for i in ids) or "no trial"

    sentence = f"From Table I's labels, they are {named(readings['table'])}."
    text = f" From the text, they are {named(readings['text'])}"
    if readings.get("in_vitro"):
        text += (
            f", because the text calls {named(readings['in_vitro'])} "
            "\N{LEFT DOUBLE QUOTATION MARK}a small in vitro study\N{RIGHT DOUBLE QUOTATION MARK}"
        )
    return sentence + text + "."


def appraisal_in_short(rob: pd.DataFrame, certainty: str) -> str:
    """The answer of the appraisal chapter: how the risk-of-bias judgements fall, for the
    trials and for the other studies, then the certainty message
    (``rob``: :func:`~ivigbook.analysis.appraisal.rob_table`)."""

    def split(cells: pd.DataFrame) -> str:
        counts = cells["judgement"].astype(str).value_counts()
        parts = [
            f"{int(counts.get(level, 0)) or 'none'} {word}"
            for level, word in (("low", "low risk"), ("unclear", "unclear"), ("high", "high"))
        ]
        verb = "is" if counts.get("low", 0) == 1 else "are"
        return f"{parts[0].split(' ', 1)[0]} {verb} {parts[0].split(' ', 1)[1]}, " + (
            f"{parts[1]} and {parts[2]}"
        )

    trials = rob[rob["tool"] == "rob1"]
    others = rob[rob["tool"] != "rob1"]
    sentences = []
    if len(trials):
        sentences.append(f"Of the trials' {len(trials)} risk-of-bias judgements, {split(trials)}.")
    if len(others):
        sentences.append(f"Of the other studies' {len(others)} judgements, {split(others)}.")
    return " ".join([*sentences, certainty])


def blinding_doubt(blinding: BlindingFacts | None) -> str:
    """Why the best case is only that: the book's judgement on the best-case trial's
    blinding, its reason from the risk-of-bias table, and who rated the domain how."""
    if blinding is None:
        return "rests on one small trial."
    rated_by = (
        f"The Cochrane review {blinding.review}".strip()
        if blinding.judged_by == "cochrane"
        else "The book"
    )
    reason = blinding.support.rstrip(".")
    reason = reason[:1].lower() + reason[1:]
    return (
        f"rests on one small trial. In the book's judgement its blinding was weak: {reason}. "
        f"{rated_by} rates that domain {blinding.judgement}."
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
    participant_blinding`)."""
    compare = (
        f"more than the ENMC workshop's minimum of more than {enmc_per_arm}"
        if enrolled_per_arm > enmc_per_arm
        else f"within the ENMC workshop's minimum of more than {enmc_per_arm}"
    )
    return (
        f"With the stated inputs, a trial on the IBMFRS endpoint needs to enrol about "
        f"{enrolled_per_arm} patients per arm: {compare}. The best case, "
        f"{best_case_enrolled} per arm, {blinding_doubt(blinding)} The existing controlled "
        f"studies had at most {max_power_own:.0%} power at their own length."
    )


def contributor_texts(facts: ContributorFacts) -> dict[str, str]:
    """The "Adding a study" chapter's sentences: what the first added study is."""
    if (
        facts.example_design is None
        or facts.example_n_total is None
        or facts.example_route is None
        or facts.example_label is None
    ):
        return {"example_sentence": "No study has been added since the letter yet."}
    route = facts.example_route.split(" (")[0].lower()
    return {
        "example_sentence": f"It is a {facts.example_design.lower()} of "
        f"{facts.example_n_total} patients, given immunoglobulin by the {route} route. The "
        f"book's tables and charts call it \u201c{facts.example_label}\u201d."
    }


def biomarkers_texts(facts: BiomarkerFacts) -> dict[str, str]:
    """The biomarkers chapter's sentences: its answer."""
    return {
        "in_short": biomarkers_in_short(
            facts.n_marker_outcomes, facts.n_marker_studies, facts.verdict
        )
    }


def biomarkers_in_short(n_results: int, n_studies: int, verdict: str) -> str:
    """The answer of the biomarkers chapter (``verdict``: on the letter's "no biomarker")."""
    first = (
        "No marker is known that predicts who will respond to IVIG."
        if verdict == SUPPORTED
        else "The data do not settle whether a marker predicts response to IVIG."
    )
    if n_results == 0:
        return f"{first} No study reports a serum or biopsy marker."
    studies = "one study" if n_studies == 1 else f"{number_word(n_studies)} studies"
    predictor = (
        "None was analysed as a predictor of response, so none can yet pick out responders in "
        "advance."
        if verdict == SUPPORTED
        else "Whether one predicts response is not settled by these data."
    )
    return (
        f"{first} The {n_results} serum and biopsy results, from {studies}, are reported only "
        f"as changes with treatment. {predictor} Anti-cN1A antibodies are a candidate; the "
        "source checks found no published link to response."
    )


def search_in_short(
    records: int | None,
    included: int | None,
    n_unreported: int,
    n_added: int,
    currency: str,
    added: AddedFacts | None = None,
) -> str:
    """The answer of the search chapter: the letter's search, what it leaves out, and the
    update search."""
    found = (
        f"The letter's search of PubMed/MEDLINE found {records} records"
        if records is not None
        else "The letter searched PubMed/MEDLINE"
    )
    missing = (
        "It reports every step a flow diagram needs."
        if n_unreported == 0
        else f"It does not report {number_word(n_unreported)} of the steps a flow diagram "
        "needs, so its search cannot be repeated exactly."
    )
    added_words = (
        "no study has been added"
        if n_added == 0
        else f"{counted(n_added, 'study has', 'studies have')} been added"
    )
    if added is None or added.n_added == 0:
        return (
            f"{found}, of which it included {included} studies. {missing} {currency} "
            f"Since the letter, {added_words}."
        )
    return (
        f"{found}, of which it included {included} studies. {missing} {currency} "
        f"{added_sentence(added)}"
    )


def _lowered_list(labels: tuple[str, ...]) -> str:
    """``"search terms; records screened"``: labels joined, each with a lower-case first
    letter, or "none"."""
    return "; ".join(label[0].lower() + label[1:] for label in labels) or "none"


def unreported_steps_sentence(facts: SearchFacts) -> str:
    """The steps of the search flow the letter leaves out, and those it gives no number for."""
    n = facts.steps_unreported
    first = (
        "The letter reports every step"
        if n == 0
        else f"The letter does not report {number_word(n)} of them at all "
        f"({_lowered_list(facts.unreported_labels)})"
    )
    without = facts.without_count_labels
    second = f", and gives no number for {_lowered_list(without)}" if without else ""
    return f"{first}{second}."


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
    """The lists of steps in words, and the chapter's answer (``currency``: the searches so
    far, :func:`ivigbook.analysis.search.currency`; ``added``: what the added studies are,
    :func:`ivigbook.analysis.changes.added_facts`)."""
    return SearchWords(
        unreported_list=_lowered_list(facts.unreported_labels),
        without_count=_lowered_list(facts.without_count_labels),
        unreported_sentence=unreported_steps_sentence(facts),
        in_short=search_in_short(
            facts.records_identified,
            facts.studies_included,
            facts.steps_unreported,
            facts.studies_added,
            currency_statement(currency, with_letter=False),
            added,
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
