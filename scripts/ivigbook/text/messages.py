"""The book's bottom line in words: key messages for clinicians and a plain-language summary
for patients and families, built from :class:`~ivigbook.analysis.summary.KeyFacts`.

Every number comes from the facts; the wording follows them (none, some, all), so a study added
to the data changes the messages without a chapter being edited. The plain-language summary
spells small numbers as words and avoids statistics, as Cochrane's summaries do.
"""

from __future__ import annotations

from ivigbook.analysis.summary import KeyFacts
from ivigbook.analysis.vocabulary import DOMAIN_PHRASES, NOT_TESTABLE, PARTLY, SUPPORTED
from ivigbook.text.caveats import (
    COUNTS_FOLLOW_LETTER,
    checked_benefit_plain,
    checked_benefit_sentence,
)
from ivigbook.text.sentences import number_word as number_word  # re-exported


def _domains(facts: KeyFacts) -> str:
    """``"muscle strength, swallowing or daily function"``."""
    words = [DOMAIN_PHRASES[d] for d in facts.trial_domains]
    if not words:
        return "any measured outcome"
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def trials_message(facts: KeyFacts) -> str:
    """What the controlled trials show."""
    if facts.n_trials == 0:
        return "No controlled trial of IVIG in s-IBM is in the data."
    trials = "controlled trial" if facts.n_trials == 1 else "controlled trials"
    group = (
        f"{number_word(facts.n_trials, capital=True)} {trials} ({facts.n_trial_patients} patients)"
    )
    checked = [b for b in facts.checked_benefits if b.trial]
    if facts.n_trials_objective_benefit == 0 and not checked:
        return f"{group} found no measured benefit of IVIG on {_domains(facts)}."
    if facts.n_trials_objective_benefit == 0:
        return (
            f"{group} tested IVIG. As the letter reports them, none found a measured benefit on "
            f"{_domains(facts)}. {checked_benefit_sentence(checked)} {COUNTS_FOLLOW_LETTER}"
        )
    return (
        f"{group} tested IVIG; {number_word(facts.n_trials_objective_benefit)} of them "
        f"found a measured benefit."
    )


def signals_message(facts: KeyFacts) -> str:
    """What the reports of improvement are worth."""
    if facts.n_improvement_reports == 0:
        return "No study reports a group of patients on IVIG who improved."
    return (
        f"Some patients improved, but {facts.n_improvement_reports_weak} of the "
        f"{facts.n_improvement_reports} reports that patients on IVIG improved come from "
        "studies without a control group, or rest on patients' own reports or on undefined "
        "measures. Such reports cannot show that IVIG caused the improvement."
    )


def timing_marker_message(facts: KeyFacts) -> str:
    """Whether timing matters and whether a marker predicts response."""
    timing = {
        NOT_TESTABLE: "The data cannot test whether starting IVIG early helps.",
        SUPPORTED: "The data support the letter's view that patients who started IVIG early "
        "responded more often.",
        PARTLY: "The data give only partial support to the view that starting IVIG early helps.",
    }.get(facts.timing_verdict, "The data contradict the view that starting IVIG early helps.")
    marker = (
        "No marker is known that predicts who will respond."
        if facts.marker_verdict == SUPPORTED
        else "Whether a marker predicts response is not settled by the data."
    )
    return f"{timing} {marker}"


def certainty_message(facts: KeyFacts) -> str:
    """How certain the evidence is, in words, outcome by outcome (the book's own ratings)."""
    stale = " ".join(
        f"{outcome[:1].upper() + outcome[1:]} is not yet re-rated since {changed}: its last "
        f"rating ({level}) was made without that evidence and may no longer hold."
        for outcome, changed, level in facts.not_rerated
    )
    if not facts.certainty:
        return stale or "The book has not rated the certainty of the evidence."
    parts = [f"{level} for {_series(outcomes)}" for level, outcomes in facts.certainty]
    rated = (
        f"The book rates the certainty of this evidence as {'; '.join(parts)}. These are "
        "the book's own ratings, made with the GRADE approach; the Cochrane review gave no "
        "GRADE rating for strength."
    )
    return f"{stale} {rated}" if stale else rated


def _series(items: tuple[str, ...]) -> str:
    """``"a"``, ``"a and b"``, ``"a, b, and c"`` (serial comma: the items contain "and")."""
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + ", and " + items[-1]


def caution_message(facts: KeyFacts) -> str:
    """The letter's recommendation, beside the guidance the data record."""
    letter = (
        "The letter advises caution, because IVIG is costly, in short supply and can cause "
        "adverse events. It asks for larger trials that measure outcomes objectively."
    )
    if facts.n_guidance == 0:
        return letter
    against = facts.n_guidance_against
    guidance = (
        f" Of the {number_word(facts.n_guidance)} guidance documents the book records, "
        f"{number_word(against)} "
        f"{'advises' if against == 1 else 'advise'} against IVIG in inclusion body myositis or "
        "find no data to support it"
    )
    if facts.n_guidance_conditional:
        conditional = _conditional_guidance(facts)
        guidance += ". " + conditional[:1].upper() + conditional[1:]
    return letter + guidance + "."


def _conditional_guidance(facts: KeyFacts) -> str:
    """ "one, a superseded edition, supports it only in a defined situation: ..." (the
    situation as the guidance table paraphrases it: not a quotation)."""
    n, superseded = facts.n_guidance_conditional, facts.n_guidance_conditional_superseded
    situations = "; ".join(s[:1].lower() + s[1:] for s in facts.guidance_conditional_situations)
    if n == 1:
        which = "one, a superseded edition," if superseded else "one"
        return f"{which} supports it only in a defined situation: {situations}"
    text = f"{number_word(n)} support it only in defined situations ({situations})"
    if superseded:
        text += f"; {number_word(superseded)} of them {'is a' if superseded == 1 else 'are'} "
        text += "superseded edition" + ("" if superseded == 1 else "s")
    return text


def times_as_many(total: int, earlier: int) -> str:
    """How ``total`` compares with ``earlier``, in words without a statistic: "more than
    twice as many people as", "more people than", "no more people than"."""
    if earlier <= 0 or total <= earlier:
        return "no more people than"
    ratio = total // earlier if total % earlier else total // earlier - 1
    if ratio < 2:
        return "more people than"
    times = "twice" if ratio == 2 else f"{number_word(ratio)} times"
    return f"more than {times} as many people as"


def next_trial_message(facts: KeyFacts) -> str:
    """What a convincing new trial would need, beside what the trials so far enrolled."""
    total = 2 * facts.next_trial_per_arm
    trials = (
        "the only controlled trial"
        if facts.n_trials == 1
        else (f"the {number_word(facts.n_trials)} controlled trials together")
    )
    return (
        f"On the book's stated inputs, a trial able to detect IVIG slowing the decline of "
        f"function by {facts.next_trial_slowing:.0%} over {facts.next_trial_months} months "
        f"(about {facts.next_trial_points:.1f} points on the IBMFRS) would need about "
        f"{facts.next_trial_per_arm} patients in each arm, {total} in all; {trials} had "
        f"{facts.n_trial_patients}. Some of these inputs are assumptions, set out in the "
        "chapter on the next trial."
    )


def bottom_line(facts: KeyFacts) -> dict[str, str]:
    """The answer a reader came for, first: does IVIG help, how sure are we, and what guidance
    says (``answer``, ``certainty``, ``guidance``: one short paragraph each)."""
    trials = number_word(facts.n_trials)
    if facts.n_trials == 0:
        answer = "No controlled trial has tested IVIG in this disease."
    elif facts.n_trials_objective_benefit == 0:
        answer = (
            f"It has not been shown to. The {trials} controlled trials, with "
            f"{facts.n_trial_patients} patients in all, found no clear benefit on "
            f"{_domains(facts)}."
        )
    else:
        answer = (
            f"{number_word(facts.n_trials_objective_benefit, capital=True)} of the {trials} "
            f"controlled trials ({facts.n_trial_patients} patients) found a measured benefit."
        )
    levels = [level for level, _ in facts.certainty]
    if len(set(levels)) == 1 and not facts.not_rerated:
        rated = f"{levels[0]} for every outcome the book rates"
    else:
        rated = "; ".join(f"{level} for {_series(outcomes)}" for level, outcomes in facts.certainty)
    certainty = f"The certainty of this evidence is {rated} (GRADE)."
    if levels and set(levels) <= {"low", "very low"}:
        certainty = f"Not sure. {certainty} It can neither show nor rule out a benefit."
    stale = " ".join(
        f"{o[:1].upper() + o[1:]} is not yet re-rated since {changed}."
        for o, changed, _ in facts.not_rerated
    )
    if stale:
        certainty += " " + stale
    guidance = (
        f"{number_word(facts.n_guidance_against, capital=True)} of the "
        f"{number_word(facts.n_guidance)} guidance documents the book records advise against "
        "IVIG for inclusion body myositis or find no data to support it."
        if facts.n_guidance
        else "The book records no guidance on IVIG for inclusion body myositis."
    )
    return {"answer": answer, "certainty": certainty, "guidance": guidance}


def key_messages(facts: KeyFacts) -> dict[str, str]:
    """The key messages, by name, in reading order."""
    return {
        "trials": trials_message(facts),
        "certainty": certainty_message(facts),
        "signals": signals_message(facts),
        "timing_markers": timing_marker_message(facts),
        "caution": caution_message(facts),
        "next_trial": next_trial_message(facts),
    }


def plain_summary(facts: KeyFacts) -> dict[str, str]:
    """The plain-language summary, paragraph by paragraph (no statistics)."""
    trials = number_word(facts.n_trials, capital=True)
    noun = "trial" if facts.n_trials == 1 else "trials"
    comparator = (
        "a dummy treatment (a placebo)"
        if facts.n_trials_placebo == facts.n_trials
        else "a dummy treatment (a placebo) or another treatment"
    )
    checked = [b for b in facts.checked_benefits if b.trial]
    found = (
        "None of them found that IVIG made muscles measurably stronger or swallowing easier."
        if facts.n_trials_objective_benefit == 0 and not checked
        else "As the letter reports them, none of them found that IVIG made muscles measurably "
        f"stronger or swallowing easier. {checked_benefit_plain(checked)}"
        if facts.n_trials_objective_benefit == 0
        else f"{number_word(facts.n_trials_objective_benefit, capital=True)} of them found a "
        "measured benefit."
    )
    uncertain = bool(facts.certainty) and all(
        level in ("low", "very low") for level, _ in facts.certainty
    )
    sure = (
        " We cannot be very sure of these results, because there are few studies and few "
        "people in them."
        if uncertain
        else ""
    )
    how = (
        "mostly" if 2 * facts.n_improvement_reports_weak > facts.n_improvement_reports else "often"
    )
    return {
        "question": (
            "Inclusion body myositis is the most common acquired muscle disease in people over "
            "fifty. It gets worse slowly but steadily, and no medicine is approved for it. "
            "Inflammation may play a "
            "part, so doctors have tried treatments that act on the immune system. One of "
            "them is immunoglobulin given into a vein (IVIG)."
        ),
        "found": (
            f"{trials} {noun} compared IVIG with {comparator}. {found} "
            f"Some people did seem to improve, but {how} in reports that had no comparison "
            "group or that relied on how people felt. Such reports cannot tell whether IVIG "
            f"caused the improvement.{sure}"
        ),
        "means": (
            "IVIG is expensive, it has recently been in short supply worldwide, and it may have "
            "side effects. The letter this book starts from advises caution. It asks for "
            "larger, better trials to find out whether some people benefit, and who they are. "
            "Such a trial would need "
            f"{times_as_many(2 * facts.next_trial_per_arm, facts.n_trial_patients)} "
            "all the earlier trials together."
        ),
    }
