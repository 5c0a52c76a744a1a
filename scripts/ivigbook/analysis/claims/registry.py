"""The registry of claim checks (:data:`CHECKS`, with their facts classes in :data:`FACTS`)
and what a check returns (:class:`CheckResult`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING

from ivigbook.analysis.vocabulary import VERDICTS

if TYPE_CHECKING:
    from ivigbook.data.load import Evidence


#: Primary key of each resource, used to name deciding rows ("studies:dalakas1997").
KEYS = {
    "studies": "study_id",
    "outcomes": "outcome_id",
    "responders": "responder_id",
    "search": "step_id",
    "source_checks": "check_id",
    "judgements": "judgement_id",
    "risk_of_bias": "rob_id",
    "harms": "harm_id",
    "claims": "claim_id",
}

#: Domains of the clinical outcomes the letter's claims are about.
STRENGTH_SWALLOWING_EMG = ("strength", "swallowing", "electrophysiology")
STRENGTH_SWALLOWING_SERUM = ("strength", "swallowing", "serum")
STRENGTH_SWALLOWING_FUNCTION = ("strength", "swallowing", "function")
#: Words that would mark a responder group as defined by a marker rather than by treatment.
MARKER_WORDS = ("marker", "antibod", "anti-", "predict", "biopsy", "serum", " ck")


@dataclass(frozen=True)
class Facts:
    """The counts and names (never ids) a check computes, to fill a reason template."""


@dataclass(frozen=True)
class CheckResult:
    """What a check decides: verdict, long reason, deciding rows and the facts."""

    verdict: str
    reason: str
    deciding_rows: tuple[str, ...] = ()
    facts: Facts = field(default_factory=Facts)

    def __post_init__(self) -> None:
        if self.verdict not in VERDICTS:
            msg = f"verdict must be one of {VERDICTS}, not {self.verdict!r}"
            raise ValueError(msg)


Check = Callable[["Evidence"], CheckResult]
#: check name (as in claims.csv) -> function
CHECKS: dict[str, Check] = {}
#: check name -> the class of the facts it returns
FACTS: dict[str, type[Facts]] = {}


def check(func: Check | None = None, *, facts: type[Facts] = Facts) -> Callable[..., Check]:
    """Register a check under its name, with its facts class: ``@check(facts=SearchFacts)``."""

    def register(func: Check) -> Check:
        if func.__name__ in CHECKS:
            msg = f"check {func.__name__!r} registered twice"
            raise ValueError(msg)
        CHECKS[func.__name__], FACTS[func.__name__] = func, facts
        return func

    return register(func) if func is not None else register  # type: ignore[return-value]


def fact_names(check_name: str) -> tuple[str, ...]:
    """The facts a registered check provides (the placeholders its template may use)."""
    return tuple(f.name for f in fields(FACTS[check_name]))
