"""Single values from the data, as plain Python values, for glue: quotes, study fields,
source checks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ivigbook.data.cells import is_missing

if TYPE_CHECKING:
    from ivigbook.data.load import Evidence


# --------------------------------------------------------------------------------------
# Single values from the data, as plain Python values (for glue)


def _plain(value: object) -> object:
    if is_missing(value):
        return None
    return value.item() if hasattr(value, "item") else value


def study_value(ev: Evidence, study_id: str, field: str) -> object:
    """One field of one study (None where empty)."""
    rows = ev.studies[ev.studies["study_id"] == study_id]
    if len(rows) != 1:
        raise KeyError(study_id)
    return _plain(rows.iloc[0][field])


def claim_quote(ev: Evidence, claim_id: str) -> str:
    """The letter's words for one claim."""
    rows = ev.claims[ev.claims["claim_id"] == claim_id]
    if len(rows) != 1:
        raise KeyError(claim_id)
    return str(rows.iloc[0]["quote"])


def source_check_text(ev: Evidence, study_id: str, topic: str) -> str:
    """What the checked source says on ``topic`` for a study (checks joined by a space)."""
    checks = ev.source_checks
    rows = checks[(checks["study_id"] == study_id) & (checks["topic"] == topic)]
    if rows.empty:
        msg = f"no source check on {topic!r} for {study_id!r}"
        raise KeyError(msg)
    return " ".join(str(t) for t in rows["source_says"])
