"""Build data packages for the living-review tests: a copy of ``data/`` plus fixture rows.

FICTITIOUS TEST DATA: the fixture studies (first author "Fictitious") exist only here and in
temporary copies; they are never written into ``data/``.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent
ROOT = FIXTURES.parents[1]
DATA = ROOT / "data"
VARIANTS = ("positive_trial", "case_report", "invalid_study")
#: Claims that the positive_trial variant (a positive randomised, double-blind,
#: placebo-controlled trial with an objective strength benefit) must turn into "contradicted"
#: (the book's reading; checked in tests/test_claims.py). The NSS clause is not among them: it
#: is about one named trial (claims.scope_studies) and is judged on that trial alone.
FLIPPED_BY_POSITIVE_TRIAL = frozenset(
    {
        "rct_count",
        "rcts_no_objective_effect",
        "all_trials_no_effect",
        "no_statistical_evidence",
    }
)


def _append_csv(source: Path, target: Path) -> None:
    """Append the rows of ``source`` to ``target``, matching columns by name."""
    with target.open(encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    with source.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    unknown = set(rows[0]) - set(header) if rows else set()
    if unknown:
        msg = f"{source}: columns not in {target.name}: {sorted(unknown)}"
        raise ValueError(msg)
    text = target.read_text(encoding="utf-8")
    with target.open("a", encoding="utf-8", newline="") as handle:
        if text and not text.endswith("\n"):
            handle.write("\n")
        writer = csv.DictWriter(handle, fieldnames=header, lineterminator="\n", restval="")
        writer.writerows(rows)


def package_with(dest: Path, *variants: str) -> Path:
    """Copy ``data/`` to ``dest`` and add the fixture variants' rows and bibliography."""
    shutil.copytree(DATA, dest)
    for variant in variants:
        folder = FIXTURES / variant
        if not folder.is_dir():
            msg = f"no fixture variant {variant!r} (have {VARIANTS})"
            raise ValueError(msg)
        for part in sorted(folder.glob("*.csv")):
            _append_csv(part, dest / part.name)
        bib = folder / "references.bib"
        if bib.is_file():
            with (dest / "references.bib").open("a", encoding="utf-8") as handle:
                handle.write("\n" + bib.read_text(encoding="utf-8"))
    return dest


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))
