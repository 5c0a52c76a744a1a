"""The letter's claims, checked against the data.

:mod:`.registry` holds what a check returns and the checks by name; :mod:`.trials` and
:mod:`.signals` the checks (importing this package registers them); :mod:`.ledger` every
claim of ``claims.csv`` evaluated; :mod:`.letter` the letter against itself. A new check is a
function decorated with ``@check(facts=...)``, named in the ``check`` column of ``claims.csv``.
"""

from ivigbook.analysis.claims import signals, trials  # noqa: F401 (registers the checks)
from ivigbook.analysis.claims.helpers import names
from ivigbook.analysis.claims.ledger import (
    audit_ids,
    audit_table,
    chapter_verdicts,
    evaluate,
    verdict_counts,
)
from ivigbook.analysis.claims.letter import internal_inconsistencies, ledger_facts, letter_numbers
from ivigbook.analysis.claims.registry import CHECKS, FACTS, KEYS, CheckResult, check, fact_names
from ivigbook.analysis.vocabulary import CONTRADICTED, QUALIFIED, SUPPORTED, VERDICTS

__all__ = [
    "CHECKS",
    "CONTRADICTED",
    "FACTS",
    "KEYS",
    "QUALIFIED",
    "SUPPORTED",
    "VERDICTS",
    "CheckResult",
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
    "verdict_counts",
]
