"""The letter's claims, checked against the data.

* :mod:`.registry` - what a check returns and the registry :data:`CHECKS` of checks by name;
* :mod:`.helpers` - what the checks share (flags, row names, lists in words);
* :mod:`.trials` and :mod:`.signals` - the checks themselves, by the part of the argument they
  test (importing this package registers them all);
* :mod:`.ledger` - every claim of ``claims.csv`` evaluated, per chapter and per verdict;
* :mod:`.letter` - the letter against itself (its numbers, its internal inconsistencies).

A new check is a function decorated with :func:`check` in the module of its part of the
argument; ``claims.csv`` names it in its ``check`` column, whose enum in the descriptor lists
every registered check (a test holds the two equal).
"""

from ivigbook.analysis.claims import signals, trials
from ivigbook.analysis.claims.helpers import names, shorten_rows
from ivigbook.analysis.claims.ledger import chapter_verdicts, evaluate, verdict_counts
from ivigbook.analysis.claims.letter import (
    internal_inconsistencies,
    letter_numbers,
    verdict_summary,
)
from ivigbook.analysis.claims.registry import CHECKS, KEYS, CheckResult, check
from ivigbook.analysis.vocabulary import (
    CONTRADICTED,
    NOT_TESTABLE,
    PARTLY,
    SUPPORTED,
    VERDICTS,
)

__all__ = [
    "CHECKS",
    "CONTRADICTED",
    "KEYS",
    "NOT_TESTABLE",
    "PARTLY",
    "SUPPORTED",
    "VERDICTS",
    "CheckResult",
    "chapter_verdicts",
    "check",
    "evaluate",
    "internal_inconsistencies",
    "letter_numbers",
    "names",
    "shorten_rows",
    "signals",
    "trials",
    "verdict_counts",
    "verdict_summary",
]
