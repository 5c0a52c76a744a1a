"""The living review: what changed since the letter, and what a new study does to the book.

* :func:`letter_search_date` - the date of the letter's search, from the data.
* :func:`added_since_letter` - studies added after that date or by an update.
* :func:`restrict` - the evidence restricted to the studies the letter reviewed (or any
  ``included_by`` value), with every table that hangs off a study filtered to match.
* :func:`verdict_changes` - each claim's verdict on the letter's studies alone and on all the
  data, side by side; :func:`changed_verdicts` keeps the rows that differ.
* :func:`with_tables` (from :mod:`~ivigbook.analysis.cohorts`) - the same evidence with some
  tables replaced (tests and what-if examples use it; nothing is written to disk).
* :func:`what_changed_facts` and :func:`verdict_comparison` - the "What changed" page's
  numbers and sentences (one ``glue_facts`` call) and its table of verdicts.
* :func:`scaffold_problems` - what ``make validate`` reports for a freshly scaffolded study,
  computed on a temporary copy of the data package.
* :func:`contributor_facts` - the "Adding a study" page's numbers (one ``glue_facts`` call).
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from ivigbook.analysis import claims
from ivigbook.analysis.cohorts import (
    is_ivig,
    labels_by_id,
    study_labels,
    study_name,
    with_tables,
)
from ivigbook.analysis.guidance import guidance_counts
from ivigbook.analysis.search import letter_search_date
from ivigbook.analysis.vocabulary import DESIGN_LABELS, ROUTE_LABELS, chapter_label
from ivigbook.data.cells import is_missing
from ivigbook.data.problems import PLACEHOLDER
from ivigbook.paths import ROOT
from ivigbook.prose import sentence

if TYPE_CHECKING:
    from ivigbook.data.load import Evidence


#: Tables whose rows belong to one study (by ``study_id``).
STUDY_TABLES = ("outcomes", "responders", "source_checks", "risk_of_bias", "harms")


def added_since_letter(ev: Evidence) -> pd.DataFrame:
    """Studies that entered after the letter's search, or that an update added."""
    s = ev.studies
    after = s["added_on"] > letter_search_date(ev)
    update = s["included_by"].astype("string") == "update"
    return s[(after | update).astype(bool)].reset_index(drop=True)


@dataclass(frozen=True)
class AddedFacts:
    """What the studies added to the letter's evidence are, beside the letter's search: how
    many, how many were published before the year of that search, in it, after it, or in an
    unknown year (the data give years only), and how many gave immunoglobulin by a route
    other than a vein (so they count in no IVIG result)."""

    n_added: int
    search_date: str  #: the letter's search, in words
    n_published_before: int
    n_published_same_year: int
    n_published_after: int
    n_year_unknown: int
    n_not_ivig: int
    #: the year of publication when exactly one study was added (else None)
    single_year: int | None
    #: the routes of the added studies that are not intravenous, in the data's words
    other_routes: tuple[str, ...]


def added_facts(ev: Evidence) -> AddedFacts:
    """:class:`AddedFacts` of :func:`added_since_letter`."""
    added = added_since_letter(ev)
    search = letter_search_date(ev)
    years = pd.to_numeric(added["year"], errors="coerce")
    other = added[~is_ivig(added)]
    return AddedFacts(
        n_added=len(added),
        search_date=_long_date(search),
        n_published_before=int((years < search.year).sum()),
        n_published_same_year=int((years == search.year).sum()),
        n_published_after=int((years > search.year).sum()),
        n_year_unknown=int(years.isna().sum()),
        n_not_ivig=len(other),
        single_year=int(years.iloc[0]) if len(added) == 1 and years.notna().all() else None,
        other_routes=tuple(dict.fromkeys(str(r) for r in other["route"].dropna())),
    )


def restrict(ev: Evidence, included_by: str = "letter") -> Evidence:
    """The evidence limited to studies with this ``included_by`` value.

    Outcomes, responders and source checks of the other studies are dropped; so are
    judgements whose every record belongs to a dropped row (judgements for ``*`` stay).
    Search and claims are unchanged.
    """
    s = ev.studies
    keep = s[s["included_by"].astype("string") == included_by]
    dropped_ids = set(s["study_id"]) - set(keep["study_id"])
    tables: dict[str, pd.DataFrame] = {"studies": keep.reset_index(drop=True)}
    for name in STUDY_TABLES:
        frame = ev.tables[name]
        gone = frame["study_id"].isin(dropped_ids)
        dropped_ids |= set(frame.loc[gone, claims.KEYS[name]])
        tables[name] = frame[~gone].reset_index(drop=True)
    j = ev.judgements
    records = j["record_id"].map(lambda text: {r.strip() for r in str(text).split(";")})
    only_dropped = records.map(lambda ids: bool(ids) and ids <= dropped_ids).astype(bool)
    tables["judgements"] = j[~only_dropped].reset_index(drop=True)
    return with_tables(ev, **tables)


def verdict_changes(ev: Evidence, baseline: str = "letter") -> pd.DataFrame:
    """Each claim's verdict on the ``baseline`` studies alone and on all the data."""
    before = claims.evaluate(restrict(ev, baseline))
    now = claims.evaluate(ev)
    table = pd.DataFrame(
        {
            "claim_id": now["claim_id"],
            "chapter": now["chapter"],
            "quote": now["quote"],
            "verdict_letter": before["verdict"].to_numpy(),
            "verdict_now": now["verdict"],
            "reason_letter": before["reason"].to_numpy(),
            "reason_now": now["reason"],
        }
    )
    table["changed"] = (
        table["verdict_letter"].astype("string") != table["verdict_now"].astype("string")
    ).astype(bool)
    return table


def changed_verdicts(ev: Evidence, baseline: str = "letter") -> pd.DataFrame:
    """The claims whose verdict on all the data differs from that on the baseline studies."""
    table = verdict_changes(ev, baseline)
    return table[table["changed"]].reset_index(drop=True)


def _problems_of_copy(ev: Evidence, change: Callable[[Path], object]) -> pd.DataFrame:
    """Apply ``change`` to a temporary copy of the data package, validate the copy and return
    the problems (file, line, field, rule, message, and the message as ``make validate``
    prints it). The real data folder is not touched."""
    from ivigbook.data.validate import validate

    with tempfile.TemporaryDirectory(prefix="ivigbook-copy-") as tmp:
        copy = Path(tmp) / "data"
        shutil.copytree(ev.data_dir, copy)
        change(copy)
        return _problem_frame(validate(copy))


def scaffold_problems(ev: Evidence, study_id: str = "example2099") -> pd.DataFrame:
    """What the validator reports once ``study_id`` is scaffolded (:func:`_problems_of_copy`)."""
    from ivigbook.data.newstudy import append_rows

    return _problems_of_copy(ev, lambda copy: append_rows(copy, study_id))


def problems_with_edit(
    ev: Evidence, table: str, row_id: str, field: str, value: str
) -> pd.DataFrame:
    """What the validator reports once one cell is set (:func:`_problems_of_copy`)."""
    import csv

    key = claims.KEYS[table]

    def edit(copy: Path) -> None:
        path = copy / ev.resource(table)["path"]
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle))
        header = rows[0]
        matches = [row for row in rows[1:] if row[header.index(key)] == row_id]
        if len(matches) != 1:
            msg = f"{table} has {len(matches)} rows with {key} = {row_id!r}"
            raise KeyError(msg)
        matches[0][header.index(field)] = value
        with path.open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle, lineterminator="\n").writerows(rows)

    return _problems_of_copy(ev, edit)


def _problem_frame(problems: list) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "file": [p.file for p in problems],
            "line": pd.array([p.line for p in problems], dtype="Int64"),
            "field": [p.field for p in problems],
            "rule": [p.rule for p in problems],
            "message": [p.message for p in problems],
            "printed": [str(p) for p in problems],
        }
    ).astype({"file": "string", "field": "string", "rule": "string", "message": "string"})


CHANGELOG = ROOT / "CHANGELOG.md"
RULE_HEADING = "## Versioning rule"


def changelog_rule(path: Path = CHANGELOG) -> str:
    """The body of the changelog's "Versioning rule" section (Markdown), read at build time."""
    text = path.read_text(encoding="utf-8")
    if RULE_HEADING not in text:
        msg = f"{path.name} has no section {RULE_HEADING!r}"
        raise ValueError(msg)
    body = text.split(RULE_HEADING, 1)[1]
    return body.split("\n## ", 1)[0].strip()


def release_level(ev: Evidence, baseline: str = "letter") -> str:
    """The version step the changelog's rule asks for, relative to the letter's evidence:
    ``major`` when a claim's verdict changed, ``minor`` when studies were added without
    changing a verdict, ``none`` when the evidence is the letter's."""
    if not changed_verdicts(ev, baseline).empty:
        return "major"
    if not added_since_letter(ev).empty:
        return "minor"
    return "none"


def _long_date(value: pd.Timestamp) -> str:
    return f"{value.day} {value:%B %Y}"


def _published_relation(year: object, search_year: int) -> str | None:
    """When a study was published beside the letter's search: "before", "after", "in the year
    of", or None for no year."""
    if is_missing(year):
        return None
    y = int(str(year))
    return "before" if y < search_year else "after" if y > search_year else "in the year of"


def added_summary(ev: Evidence) -> str:
    """One sentence on the studies added since the letter's search."""
    search = letter_search_date(ev)
    added = [
        {
            "name": study_name(row) + (f" {row['year']}" if pd.notna(row["year"]) else ""),
            "when": _published_relation(row["year"], search.year),
            "added_on": _long_date(row["added_on"]),
        }
        for _, row in added_since_letter(ev).iterrows()
    ]
    return sentence(
        "changes", "added_summary", since=_long_date(search), n_studies=len(ev.studies), added=added
    )


def changes_summary(ev: Evidence, baseline: str = "letter") -> str:
    """One sentence on the claims whose verdict differs from that on the letter's studies."""
    changed = changed_verdicts(ev, baseline)
    moves = [
        {"quote": row["quote"], "before": row["verdict_letter"], "now": row["verdict_now"]}
        for _, row in changed.iterrows()
    ]
    return sentence("changes", "changes_summary", moves=moves)


#: The files a contributor adds rows to for a new study, and whether every study needs one.
CONTRIBUTOR_TABLES = (
    ("studies", "always"),
    ("outcomes", "always, one row per outcome measure"),
    ("responders", "for every count or share of patients who improved"),
    ("source_checks", "where the study was checked against another source"),
    ("judgements", "for every judgement call"),
)


def contributor_files(ev: Evidence) -> pd.DataFrame:
    """The files a new study adds rows to: file, when, what a row is, fields, required."""
    records = []
    for name, when in CONTRIBUTOR_TABLES:
        resource = ev.resource(name)
        fields = resource["schema"]["fields"]
        required = [f for f in fields if (f.get("constraints") or {}).get("required")]
        records.append(
            {
                "File": resource["path"],
                "Add a row": when,
                "What the file holds": " ".join(str(resource.get("description", "")).split()),
                "Fields": len(fields),
                "Required fields": len(required),
            }
        )
    frame = pd.DataFrame(records)
    return frame.astype({"Fields": "Int64", "Required fields": "Int64"})


def scaffold_rows(ev: Evidence, study_id: str, today: dt.date) -> pd.DataFrame:
    """What ``new-study`` appends for ``study_id``: one row per file and field, with the cell
    text (the placeholder where the contributor must fill in)."""
    from ivigbook.data.newstudy import template_rows

    rows = template_rows(dict(ev.package), study_id, today)
    records = [
        {"File": ev.resource(name)["path"], "Field": field, "Value": value}
        for name, row in rows.items()
        for field, value in row.items()
    ]
    return pd.DataFrame(records).astype("string")


def added_table(ev: Evidence) -> pd.DataFrame:
    """The added studies, ready to show (no rows when none was added)."""
    added = added_since_letter(ev)
    route = (
        added["route"].astype("string").map(ROUTE_LABELS)
        if "route" in added.columns
        else pd.Series(ROUTE_LABELS["intravenous"], index=added.index)
    )
    return pd.DataFrame(
        {
            "Study": study_labels(added),
            "Design": added["design"].astype("string").map(DESIGN_LABELS),
            "Route": route,
            "Patients": added["n_total"],
            "Key results": added["key_results_letter"],
            "Added on": added["added_on"].dt.strftime("%Y-%m-%d"),
            "Included by": added["included_by"].astype("string"),
        }
    )


def why_verdicts_stand(ev: Evidence, baseline: str = "letter") -> str:
    """Why the added studies move the verdicts they move, or none: each added study is
    outside the IVIG cohorts (not intravenous), uncontrolled, or a controlled IVIG study that
    can move the trial claims. One or two sentences, recomputed at every build."""
    added = added_since_letter(ev)
    ivig = added[is_ivig(added)]
    n_controlled = int(ivig["controlled"].fillna(False).astype(bool).sum())
    return sentence(
        "changes",
        "why_verdicts_stand",
        n_added=len(added),
        n_not_ivig=len(added) - len(ivig),
        n_uncontrolled=len(ivig) - n_controlled,
        n_controlled=n_controlled,
        n_changed=len(changed_verdicts(ev, baseline)) if len(added) else 0,
    )


# ------------------------------------------------------------------------------------------
# A real addition, as the contributor chapter shows it


def example_addition(ev: Evidence) -> pd.Series | None:
    """The first study added since the letter (by added_on, then data order), or None."""
    added = added_since_letter(ev)
    if added.empty:
        return None
    return added.sort_values("added_on", kind="stable").iloc[0]


def study_cells(ev: Evidence, study_id: str) -> pd.DataFrame:
    """One study's row as filled in: field and value ("(empty)" for an empty cell), in the
    file's order."""
    row = ev.studies[ev.studies["study_id"].astype(str) == study_id].iloc[0]
    values = []
    for field in ev.studies.columns:
        value = row[field]
        if pd.isna(value):
            text = "(empty)"
        elif isinstance(value, pd.Timestamp):
            text = value.strftime("%Y-%m-%d")
        else:
            text = str(value)
            text = text.lower() if text in ("True", "False") else text
        values.append({"Field": field, "Value": text})
    return pd.DataFrame(values).astype("string")


def study_outcome_rows(ev: Evidence, study_id: str) -> pd.DataFrame:
    """The outcomes rows of one study: measure, domain, assessment, result and quote."""
    o = ev.outcomes[ev.outcomes["study_id"].astype(str) == study_id]
    return _string_columns(
        o, {c: c for c in ("outcome_id", "measure", "domain", "assessment", "result", "quote")}
    )


def study_judgements(ev: Evidence, study_id: str) -> pd.DataFrame:
    """The judgement rows about one study or its outcomes: field, value, reason, source."""
    j = ev.judgements
    outcome_ids = set(ev.outcomes.loc[ev.outcomes["study_id"] == study_id, "outcome_id"])
    ids = {study_id} | {str(x) for x in outcome_ids}
    mine = j["record_id"].map(lambda text: bool({r.strip() for r in str(text).split(";")} & ids))
    rows = j[mine.astype(bool)]
    return _string_columns(
        rows,
        {
            "Record": "record_id",
            "Field": "field",
            "Value": "value",
            "Why": "reason",
            "Source": "source",
        },
    )


@dataclass(frozen=True)
class ContributorFacts:
    """The "Adding a study" chapter's facts (glued with the prefix ``add``): the fields of a
    study row, what the scaffold fills in, what the validator says of it, and the first study
    added since the letter (the ``example_`` fields; None when no study has been added)."""

    n_study_fields: int  #: fields of studies.csv
    n_required_study_fields: int  #: of which required
    n_judgements: int  #: rows of judgements.csv
    n_cells: int  #: cells of the scaffolded study row
    n_prefilled: int  #: of which the scaffold fills in (not the placeholder)
    n_problems: int  #: problems the validator reports for the scaffolded study
    n_placeholder_problems: int  #: of which placeholders still to fill in
    n_rules: int  #: kinds of problem (validator rules)
    example_id: str | None
    example_design: str | None  #: its design's label
    example_n_total: int | None  #: patients in all
    example_route: str | None  #: its route's label
    example_label: str | None  #: what the book's tables and charts call it
    example_n_judgements: int | None  #: judgement rows about it or its outcomes
    example_n_outcomes: int | None  #: its outcome rows


def contributor_facts(ev: Evidence, study_id: str, today: dt.date) -> ContributorFacts:
    """Everything the "Adding a study" chapter says in numbers, for a study scaffolded as
    ``study_id`` on ``today`` (in a temporary copy of the data package)."""
    studies_file = ev.resource("studies")["path"]
    studies = contributor_files(ev).set_index("File").loc[studies_file]
    scaffold = scaffold_rows(ev, study_id, today)
    cells = scaffold[scaffold["File"] == studies_file]
    problems = scaffold_problems(ev, study_id)
    rules = problems["rule"].value_counts()
    example = example_addition(ev)
    example_id = None if example is None else str(example["study_id"])
    return ContributorFacts(
        n_study_fields=int(studies["Fields"]),
        n_required_study_fields=int(studies["Required fields"]),
        n_judgements=len(ev.judgements),
        n_cells=len(cells),
        n_prefilled=int((cells["Value"] != PLACEHOLDER).sum()),
        n_problems=len(problems),
        n_placeholder_problems=int(rules["placeholder"]),
        n_rules=len(rules),
        example_id=example_id,
        example_design=None if example is None else DESIGN_LABELS[str(example["design"])],
        example_n_total=None if example is None else int(example["n_total"]),
        example_route=None if example is None else ROUTE_LABELS[str(example["route"])],
        example_label=None if example_id is None else str(labels_by_id(ev)[example_id]),
        example_n_judgements=None if example_id is None else len(study_judgements(ev, example_id)),
        example_n_outcomes=None if example_id is None else len(study_outcome_rows(ev, example_id)),
    )


def _string_columns(frame: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    """Columns of ``frame`` as strings, renamed (new name -> column), numbered from 0."""
    return pd.DataFrame(
        {name: frame[column].astype("string") for name, column in columns.items()}
    ).reset_index(drop=True)


# ------------------------------------------------------------------------------------------
# The "What changed" page's facts, for one glue_facts call


def what_changed_facts(ev: Evidence, baseline: str = "letter") -> dict[str, object]:
    """Every number and sentence of the "What changed" page (prefix them on gluing)."""
    added = added_since_letter(ev)
    comparison = verdict_changes(ev, baseline)
    guidance = guidance_counts(ev)
    return {
        "search_date": _long_date(letter_search_date(ev)),
        "n_studies": len(ev.studies),
        "n_letter": len(ev.studies) - len(added),
        "n_added": len(added),
        "added_summary": added_summary(ev),
        "n_claims": len(comparison),
        "n_changed": int(comparison["changed"].sum()),
        "changes_summary": changes_summary(ev, baseline),
        "release_level": release_level(ev, baseline),
        "why": why_verdicts_stand(ev, baseline),
        "n_guidance": guidance["n_guidance"],
        "n_guidance_against": guidance["n_against"],
    }


def verdict_comparison(ev: Evidence, baseline: str = "letter") -> pd.DataFrame:
    """Each claim's verdict on the letter's studies and on all studies, ready to show."""
    table = verdict_changes(ev, baseline)
    return pd.DataFrame(
        {
            "Chapter": table["chapter"].map(chapter_label),
            "The letter says": table["quote"],
            "On the letter's studies": table["verdict_letter"].astype("string"),
            "On all studies": table["verdict_now"].astype("string"),
            "Verdict": table["changed"].map({True: "changed", False: "same"}),
        }
    ).astype("string")
