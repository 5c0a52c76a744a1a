"""The letter's claims, checked against the data.

* :mod:`.registry` - what a check returns (a verdict, a long reason, the deciding rows and
  typed :class:`Facts`) and the registry :data:`CHECKS` of checks by name, with the facts
  class of each (:data:`FACTS`);
* :mod:`.helpers` - what the checks share (flags, row names, lists in words);
* :mod:`.trials` and :mod:`.signals` - the checks themselves, by the part of the argument they
  test (importing this package registers them all);
* :mod:`.ledger` - every claim of ``claims.csv`` evaluated, per chapter and per verdict: the
  short reason (the claim's template in ``claims.csv`` filled with the check's facts) for
  readers, the long reason and the deciding rows for the audit;
* :mod:`.letter` - the letter against itself (its numbers, its internal inconsistencies).

A new check is a function decorated with ``@check(facts=...)`` in the module of its part of
the argument, returning its own :class:`Facts` subclass; ``claims.csv`` names it in its
``check`` column, whose enum in the descriptor lists every registered check (a test holds the
two equal), and gives the claim's reason template, whose placeholders are facts of that check
(a test holds that too).
"""

from ivigbook.analysis.claims import signals, trials
from ivigbook.analysis.claims.helpers import names, shorten_rows
from ivigbook.analysis.claims.ledger import (
    audit_ids,
    audit_table,
    chapter_verdicts,
    evaluate,
    row_names,
    verdict_counts,
)
from ivigbook.analysis.claims.letter import (
    internal_inconsistencies,
    ledger_facts,
    letter_numbers,
    verdict_summary,
)
from ivigbook.analysis.claims.registry import (
    CHECKS,
    FACTS,
    KEYS,
    CheckResult,
    Facts,
    check,
    fact_names,
)
from ivigbook.analysis.vocabulary import (
    CONTRADICTED,
    NOT_TESTABLE,
    PARTLY,
    QUALIFIED,
    SUPPORTED,
    VERDICTS,
)

__all__ = [
    "CHECKS",
    "CONTRADICTED",
    "FACTS",
    "KEYS",
    "NOT_TESTABLE",
    "PARTLY",
    "QUALIFIED",
    "SUPPORTED",
    "VERDICTS",
    "CheckResult",
    "Facts",
    "audit_ids",
    "audit_table",
    "chapter_verdicts",
    "check",
    "evaluate",
    "fact_names",
    "internal_inconsistencies",
    "ledger_facts",
    "letter_numbers",
    "names",
    "row_names",
    "shorten_rows",
    "signals",
    "trials",
    "verdict_counts",
    "verdict_summary",
]
