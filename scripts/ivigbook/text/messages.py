"""The book's bottom line in words: key messages for clinicians and a plain-language summary
for patients and families, built from :class:`~ivigbook.analysis.summary.KeyFacts`.

Every number comes from the facts; the wording follows them (none, some, all) in
``prose/messages.jinja``, so a study added to the data changes the messages without a chapter
being edited. The plain-language summary spells small numbers as words and avoids statistics,
as Cochrane's summaries do.
"""

from __future__ import annotations

from functools import partial

from ivigbook.analysis.summary import KeyFacts
from ivigbook.analysis.vocabulary import DOMAIN_PHRASES
from ivigbook.prose import join, sentence
from ivigbook.text.caveats import checked_benefit_plain, checked_benefit_sentence

_say = partial(sentence, "messages")


def _domains(facts: KeyFacts) -> str:
    """``"muscle strength, swallowing or daily function"``."""
    return join((DOMAIN_PHRASES[d] for d in facts.trial_domains), "or") or "any measured outcome"


def _uncertain(facts: KeyFacts) -> bool:
    """Every certainty rating is low or very low (and there is one)."""
    return bool(facts.certainty) and all(lv in ("low", "very low") for lv, _ in facts.certainty)


def trials_message(facts: KeyFacts) -> str:
    """What the controlled trials show."""
    checked = checked_benefit_sentence([b for b in facts.checked_benefits if b.trial])
    return _say("trials", f=facts, domains=_domains(facts), checked=checked)


def certainty_message(facts: KeyFacts) -> str:
    """How certain the evidence is, in words, outcome by outcome (the book's own ratings)."""
    return _say("certainty", f=facts)


def caution_message(facts: KeyFacts) -> str:
    """The letter's recommendation, beside the guidance the data record (the situations of
    conditional guidance as the guidance table paraphrases them: not a quotation)."""
    situations = "; ".join(s[:1].lower() + s[1:] for s in facts.guidance_conditional_situations)
    return _say("caution", f=facts, situations=situations)


def times_as_many(total: int, earlier: int) -> str:
    """How ``total`` compares with ``earlier``, in words without a statistic: "more than
    twice as many people as", "more people than", "no more people than"."""
    if earlier <= 0 or total <= earlier:
        return _say("times_as_many", ratio=0)
    ratio = total // earlier if total % earlier else total // earlier - 1
    return _say("times_as_many", ratio=max(ratio, 1))


def bottom_line(facts: KeyFacts) -> dict[str, str]:
    """The answer a reader came for, first: does IVIG help, how sure are we, and what guidance
    says (``answer``, ``certainty``, ``guidance``: one short paragraph each)."""
    levels = list(dict.fromkeys(level for level, _ in facts.certainty))
    return {
        "answer": _say("bottom_answer", f=facts, domains=_domains(facts)),
        "certainty": _say("bottom_certainty", f=facts, levels=levels, uncertain=_uncertain(facts)),
        "guidance": _say("bottom_guidance", f=facts),
    }


def key_messages(facts: KeyFacts) -> dict[str, str]:
    """The key messages, by name, in reading order."""
    return {
        "trials": trials_message(facts),
        "certainty": certainty_message(facts),
        "signals": _say("signals", f=facts),
        "timing_markers": _say("timing_markers", f=facts),
        "caution": caution_message(facts),
        "next_trial": _say("next_trial", f=facts),
    }


def plain_summary(facts: KeyFacts) -> dict[str, str]:
    """The plain-language summary, paragraph by paragraph (no statistics)."""
    checked = checked_benefit_plain([b for b in facts.checked_benefits if b.trial])
    mostly = 2 * facts.n_improvement_reports_weak > facts.n_improvement_reports
    how_many = times_as_many(2 * facts.next_trial_per_arm, facts.n_trial_patients)
    return {
        "question": _say("plain_question"),
        "found": _say(
            "plain_found", f=facts, checked=checked, mostly=mostly, uncertain=_uncertain(facts)
        ),
        "means": _say("plain_means", how_many=how_many),
    }
