"""The living review: what changed since the letter's search, and what a new study does to
the book (its verdicts, the validator's report, the contributor chapter's facts)."""

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


STUDY_TABLES = ("outcomes", "responders", "source_checks", "risk_of_bias", "harms")


def added_since_letter(ev: Evidence) -> pd.DataFrame:
    """Studies that entered after the letter's search, or that an update added."""
    s = ev.studies
    after = s["added_on"] > letter_search_date(ev)
    update = s["included_by"].astype("string") == "update"
    return s[(after | update).astype(bool)].reset_index(drop=True)


@dataclass(frozen=True)
class AddedFacts:
    """The studies added since the letter's search: publication years beside it, routes."""

    n_added: int
    search_date: str
    n_published_before: int
    n_published_same_year: int
    n_published_after: int
    n_year_unknown: int
    n_not_ivig: int
    single_year: int | None  #: when exactly one study was added
    other_routes: tuple[str, ...]  #: the routes that are not intravenous


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
    """The evidence limited to studies with this ``included_by`` value (and their rows)."""
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
    """The validator's problems with a temporary copy of the data package, ``change``d."""
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
    rows = [(p.file, p.line, p.field, p.rule, p.message, str(p)) for p in problems]
    frame = pd.DataFrame(rows, columns=["file", "line", "field", "rule", "message", "printed"])
    text = dict.fromkeys(["file", "field", "rule", "message"], "string")
    return frame.astype({"line": "Int64", **text})


CHANGELOG = ROOT / "CHANGELOG.md"
RULE_HEADING = "## Versioning rule"


def changelog_rule(path: Path = CHANGELOG) -> str:
    """The body of the changelog's "Versioning rule" section (Markdown), read at build time."""
    text = path.read_text(encoding="utf-8")
    if RULE_HEADING not in text:
        msg = f"{path.name} has no section {RULE_HEADING!r}"
        raise ValueError(msg)
    return text.split(RULE_HEADING, 1)[1].split("\n## ", 1)[0].strip()


def release_level(ev: Evidence, baseline: str = "letter") -> str:
    """The changelog rule's step: major (a verdict changed), minor (studies added) or none."""
    if not changed_verdicts(ev, baseline).empty:
        return "major"
    if not added_since_letter(ev).empty:
        return "minor"
    return "none"


def _long_date(value: pd.Timestamp) -> str:
    return f"{value.day} {value:%B %Y}"


def _published_relation(year: object, search_year: int) -> str | None:
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
    moves = changed.rename(columns={"verdict_letter": "before", "verdict_now": "now"})
    return sentence("changes", "changes_summary", moves=moves.to_dict("records"))


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
        holds = " ".join(str(resource.get("description", "")).split())
        records.append((resource["path"], when, holds, len(fields), len(required)))
    columns = ["File", "Add a row", "What the file holds", "Fields", "Required fields"]
    frame = pd.DataFrame(records, columns=columns)
    return frame.astype({"Fields": "Int64", "Required fields": "Int64"})


def scaffold_rows(ev: Evidence, study_id: str, today: dt.date) -> pd.DataFrame:
    """What ``new-study`` appends for ``study_id``: one row per file and field."""
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
    """Why the added studies move the verdicts they move, or none, by route and design."""
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


def study_cells(ev: Evidence, study_id: str) -> pd.DataFrame:
    """One study's row as filled in: field and value ("(empty)" for an empty cell)."""
    row = ev.studies[ev.studies["study_id"].astype(str) == study_id].iloc[0]
    values = [
        "(empty)"
        if pd.isna(value)
        else value.strftime("%Y-%m-%d")
        if isinstance(value, pd.Timestamp)
        else str(value).lower()
        if str(value) in ("True", "False")
        else str(value)
        for value in row
    ]
    return pd.DataFrame({"Field": ev.studies.columns, "Value": values}).astype("string")


def study_outcome_rows(ev: Evidence, study_id: str) -> pd.DataFrame:
    """The outcomes rows of one study: measure, domain, assessment, result and quote."""
    o = ev.outcomes[ev.outcomes["study_id"].astype(str) == study_id]
    return _string_columns(
        o, {c: c for c in ("outcome_id", "measure", "domain", "assessment", "result", "quote")}
    )


JUDGEMENT_COLUMNS = ("record_id", "field", "value", "reason", "source")


def study_judgements(ev: Evidence, study_id: str) -> pd.DataFrame:
    """The judgement rows about one study or its outcomes: field, value, reason, source."""
    j = ev.judgements
    outcome_ids = set(ev.outcomes.loc[ev.outcomes["study_id"] == study_id, "outcome_id"])
    ids = {study_id} | {str(x) for x in outcome_ids}
    mine = j["record_id"].map(lambda text: bool({r.strip() for r in str(text).split(";")} & ids))
    rows = j[mine.astype(bool)]
    names = ("Record", "Field", "Value", "Why", "Source")
    return _string_columns(rows, dict(zip(names, JUDGEMENT_COLUMNS, strict=True)))


@dataclass(frozen=True)
class ContributorFacts:
    """The "Adding a study" chapter's facts; ``example_``: the first study added, or None."""

    n_study_fields: int
    n_required_study_fields: int
    n_judgements: int
    n_cells: int  #: cells of the scaffolded study row
    n_prefilled: int  #: of which the scaffold fills in
    n_problems: int  #: problems the validator reports for the scaffolded study
    n_placeholder_problems: int
    n_rules: int
    example_id: str | None
    example_design: str | None
    example_n_total: int | None
    example_route: str | None
    example_label: str | None
    example_n_judgements: int | None
    example_n_outcomes: int | None


def contributor_facts(ev: Evidence, study_id: str, today: dt.date) -> ContributorFacts:
    """The "Adding a study" chapter's numbers, for ``study_id`` scaffolded on ``today``."""
    studies_file = ev.resource("studies")["path"]
    studies = contributor_files(ev).set_index("File").loc[studies_file]
    scaffold = scaffold_rows(ev, study_id, today)
    cells = scaffold[scaffold["File"] == studies_file]
    problems = scaffold_problems(ev, study_id)
    rules = problems["rule"].value_counts()
    added = added_since_letter(ev)  # the first study added is the example
    example = None if added.empty else added.sort_values("added_on", kind="stable").iloc[0]
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
