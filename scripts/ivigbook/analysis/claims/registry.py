"""The registry of claim checks and what a check returns.

Each row of ``claims.csv`` names a check: a function registered here with :func:`check` in
:data:`CHECKS`. A check takes the loaded :class:`~ivigbook.data.load.Evidence` and returns a
:class:`CheckResult`: a verdict, a reason in plain language and the deciding rows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
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
class CheckResult:
    """What a check decides: verdict, reason (plain language) and the deciding rows."""

    verdict: str
    reason: str
    deciding_rows: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.verdict not in VERDICTS:
            msg = f"verdict must be one of {VERDICTS}, not {self.verdict!r}"
            raise ValueError(msg)


Check = Callable[["Evidence"], CheckResult]
#: check name (as in claims.csv) -> function
CHECKS: dict[str, Check] = {}


def check(func: Check) -> Check:
    """Register a check under its function name."""
    if func.__name__ in CHECKS:
        msg = f"check {func.__name__!r} registered twice"
        raise ValueError(msg)
    CHECKS[func.__name__] = func
    return func
