"""Cohorts, each defined once, so that every page agrees: how a study is named, and which
studies are trials, controlled, IVIG, or have an improvement.

* **Controlled trials**: designs in :data:`~ivigbook.analysis.vocabulary.TRIAL_DESIGNS`.
* **Controlled studies**: every study with a comparison group or period (``controlled``).
* **An improvement**: an outcome improved on an objective measure (:func:`improvement_outcomes`).
* **Improvement reports** (:func:`improvement_reports`): responder statements that some treated
  patients improved, one result stated several ways counted once.
* **IVIG studies**: intravenous route. Every cohort and claim check (:func:`ivig_evidence`)
  sees only these, so a subcutaneous study changes no IVIG verdict.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ivigbook.data.load import Evidence

import dataclasses
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pandas as pd

from ivigbook.analysis.vocabulary import (
    AUTHOR_NOT_REPORTED,
    DESIGN_LABELS,
    IMPROVEMENT_RESULT,
    IVIG_ROUTES,
    OBJECTIVE,
    ROUTE_SHORT,
    TREATED_GROUPS,
    TRIAL_DESIGNS,
)
from ivigbook.data.cells import is_missing


def authors_reported(first_author: object) -> bool:
    """False where the study's record names no author (``first_author`` "not reported")."""
    return not is_missing(first_author) and (
        str(first_author).strip().lower() != AUTHOR_NOT_REPORTED
    )


def study_name(study: Any) -> str:
    """A study's first author, or its route and design ("SCIg case series") where none is named."""
    first_author = _field(study, "first_author")
    if authors_reported(first_author):
        return str(first_author)
    route = _field(study, "route")
    short = ROUTE_SHORT.get(str(route), "") if not is_missing(route) else ""
    design = DESIGN_LABELS.get(str(_field(study, "design")), "study").lower()
    return f"{short} {design}".strip() if short else design.capitalize()


def _field(study: Any, name: str) -> Any:
    return study[name] if isinstance(study, pd.Series) else getattr(study, name, None)


def study_labels(studies: pd.DataFrame) -> pd.Series:
    """The one name of each study (:func:`short_label`), "(added)" after the letter's; unique."""
    labels = []
    for _, row in studies.iterrows():
        label = short_label(row)
        labels.append(label if not is_missing(row["letter_ref"]) else f"{label} (added)")
    out = pd.Series(labels, index=studies.index, dtype="string", name="study")
    if out.duplicated().any():  # two added studies by the same author in the same year
        out = out.where(~out.duplicated(keep=False), out + " [" + studies["study_id"] + "]")
    return out


def design_labels(studies: pd.DataFrame) -> pd.Series:
    """The reader's label of each study's design."""
    return studies["design"].astype("string").map(DESIGN_LABELS).astype("string")


# ------------------------------------------------------------------------------------------
# Trials


def is_ivig(studies: pd.DataFrame) -> pd.Series:
    """True for studies whose immunoglobulin was intravenous (all, without a route column)."""
    if "route" not in studies.columns:
        return pd.Series(True, index=studies.index)
    return studies["route"].astype("string").isin(IVIG_ROUTES).fillna(False).astype(bool)


def ivig_studies(ev: Any) -> pd.DataFrame:
    """The studies of intravenous immunoglobulin, in the data's order."""
    s = ev.studies
    return s[is_ivig(s)]


def with_tables(ev: Any, **tables: pd.DataFrame) -> Any:
    """A copy of ``ev`` with the named tables replaced (unknown names refused), in memory."""
    unknown = set(tables) - set(ev.tables)
    if unknown:
        msg = f"unknown tables: {sorted(unknown)}"
        raise KeyError(msg)
    merged = {name: tables.get(name, frame) for name, frame in ev.tables.items()}
    return dataclasses.replace(ev, tables=MappingProxyType(merged))


def ivig_evidence(ev: Any) -> Any:
    """The evidence restricted to IVIG studies (the view the claim checks run on)."""
    return studies_evidence(ev, ivig_studies(ev)["study_id"].astype(str))


def studies_evidence(ev: Any, study_ids: Iterable[str]) -> Any:
    """The evidence restricted to the given studies (claims aside): other studies' rows go."""
    keep = {str(i) for i in study_ids}
    if keep >= set(ev.studies["study_id"].astype(str)):
        return ev
    tables = {}
    for name, df in ev.tables.items():
        if "study_id" in df.columns and name != "claims":
            ids = df["study_id"].astype("string")
            df = df[ids.isin(keep).fillna(False) | ids.isna()].reset_index(drop=True)
        tables[name] = df
    return with_tables(ev, **tables)


def trial_studies(ev: Any, letter_only: bool = False) -> pd.DataFrame:
    """The prospective IVIG trials (optionally only the letter's Table I)."""
    s = ivig_studies(ev)
    if letter_only:
        s = s[s["included_by"].astype(str) == "letter"]
    return s[is_trial(s)].reset_index(drop=True)


def controlled_studies(ev: Any) -> pd.DataFrame:
    """Every IVIG study with a comparison group or period, trials first (design order)."""
    s = ivig_studies(ev)
    out = s[is_controlled(s)]
    return out.sort_values(["design", "letter_ref"], kind="stable").reset_index(drop=True)


def uncontrolled_studies(ev: Any) -> pd.DataFrame:
    """Every IVIG study without a comparison group or period, in the data's order."""
    s = ivig_studies(ev)
    return s[~is_controlled(s)].reset_index(drop=True)


def letter_only_checks(ev: Any) -> pd.DataFrame:
    """The studies whose figures rest on the letter alone (a scope check found them
    unverifiable): ``study_id`` and ``source_says``, one row per study."""
    c = ev.source_checks
    keep = (c["topic"].astype(str) == "scope") & (c["verdict"].astype(str) == "unverifiable")
    rows = c[keep].drop_duplicates("study_id")
    return rows[["study_id", "source_says"]].astype({"study_id": str}).reset_index(drop=True)


def short_labels_by_id(ev: Any) -> dict[str, str]:
    """Each study's short label ("Dalakas 1997", :func:`short_label`) by its study_id."""
    return {str(r["study_id"]): short_label(r) for _, r in ev.studies.iterrows()}


def labels_by_id(ev: Evidence) -> pd.Series:
    """The book's label of each study ("Amato 1994", :func:`study_labels`), by study_id."""
    labels = study_labels(ev.studies)
    return pd.Series(labels.astype(str).to_numpy(), index=ev.studies["study_id"].astype(str))


def study_columns(labels: pd.Series, study_id: object, design: object) -> dict[str, str]:
    """The first columns of a table with one row per study: study_id, study, design_label."""
    sid = str(study_id)
    return {"study_id": sid, "study": str(labels[sid]), "design_label": DESIGN_LABELS[str(design)]}


# ------------------------------------------------------------------------------------------
# Measures and improvements


def is_trial(studies: pd.DataFrame) -> pd.Series:
    """True for the prospective trials with a comparator (design in TRIAL_DESIGNS)."""
    return studies["design"].astype("string").isin(TRIAL_DESIGNS).fillna(False).astype(bool)


def is_controlled(studies: pd.DataFrame) -> pd.Series:
    """True for every study with a comparison group or period (missing counts as false)."""
    return studies["controlled"].astype("boolean").fillna(False).astype(bool)


def objective_outcomes(ev: Any) -> pd.DataFrame:
    """The outcomes measured objectively (assessment objective)."""
    o = ev.outcomes
    return o[(o["assessment"].astype("string") == OBJECTIVE).fillna(False).astype(bool)]


def improvement_outcomes(ev: Any) -> pd.DataFrame:
    """The outcomes that count as an improvement: result improved on an objective measure."""
    o = objective_outcomes(ev)
    return o[(o["result"].astype("string") == IMPROVEMENT_RESULT).fillna(False).astype(bool)]


def studies_with_improvement(ev: Any) -> set[str]:
    """The study_ids with at least one improvement (:func:`improvement_outcomes`)."""
    return set(improvement_outcomes(ev)["study_id"].astype(str))


def improvement_reports(responders: pd.DataFrame) -> pd.DataFrame:
    """The responder statements (:func:`ivigbook.analysis.responders.responder_table`) of a
    treated group saying some patients improved, the first per study, measure and group."""
    treated = responders["group"].astype("string").isin(TREATED_GROUPS).fillna(False)
    count = pd.to_numeric(responders["numerator"], errors="coerce")
    share = pd.to_numeric(responders["share"], errors="coerce")
    some = (count > 0) | (count.isna() & (share > 0))
    kept = responders[(treated & some.fillna(False)).astype(bool)]
    return kept.drop_duplicates(["study_id", "outcome_id", "group"]).reset_index(drop=True)


def cohort_counts(ev: Any) -> dict[str, int]:
    """The size of every cohort, for the chapter that states the definitions."""
    return {
        "n_trials": len(trial_studies(ev)),
        "n_controlled": len(controlled_studies(ev)),
        "n_objective": len(objective_outcomes(ev)),
        "n_improvements": len(improvement_outcomes(ev)),
        "n_improved_studies": len(studies_with_improvement(ev)),
    }


# ------------------------------------------------------------------------------------------
# Names a reader knows, in place of the data's ids


def short_label(study: pd.Series) -> str:
    """How the book names a study: "Dalakas 1997"; without a year, "Cherin case series"."""
    author = study_name(study)
    if not is_missing(study["year"]):
        return f"{author} {int(study['year'])}"
    if authors_reported(study["first_author"]):
        design = DESIGN_LABELS.get(str(study["design"]), "study").lower()
        return f"{author} {design}"
    return author


def readable(text: object, ev: Any) -> str:
    """Text with the data's ids replaced by names a reader knows (ids matched whole):
    ``"Dalakas 1997 (dalakas1997, ref. 3)"`` becomes ``"Dalakas 1997 (ref. 3)"``."""
    return id_reader(ev)(text)


def id_reader(ev: Any) -> Callable[[object], str]:
    """:func:`readable` for one package, its names built once."""
    names = short_labels_by_id(ev)
    authors = {str(r["study_id"]): study_name(r) for _, r in ev.studies.iterrows()}
    replace = dict(names)
    for _, o in ev.outcomes.iterrows():
        study = names.get(str(o["study_id"]), str(o["study_id"]))
        replace[str(o["outcome_id"])] = f"{o['measure_letter']}, {study}"
    for table, key in (("responders", "responder_id"), ("source_checks", "check_id")):
        frame = getattr(ev, table)
        for _, row in frame.iterrows():
            replace[str(row[key])] = names.get(str(row["study_id"]), str(row["study_id"]))
    others = sorted((k for k in replace if not _ID_RUN.fullmatch(k)), key=len, reverse=True)

    def read(text: object) -> str:
        out = str(text)
        # "Author[ year] (study_id, ref. N)": the study's name, and the letter's number.
        out = _NAMED_WITH_ID.sub(lambda m: _with_name(m, names, authors), out)
        # "Label (study_id, ref. N)" and "Label (study_id)": the id repeats the label.
        out = re.sub(r" \(([a-z][a-z0-9_]*), (ref\. [0-9]+)\)", r" (\2)", out)
        out = re.sub(
            r" \(([a-z][a-z0-9_]*)\)", lambda m: "" if m.group(1) in names else m.group(0), out
        )
        # An id is a whole run of word characters and hyphens; other ids go longest first.
        out = _ID_RUN.sub(lambda m: replace.get(m.group(0), m.group(0)), out)
        for key in others:
            out = re.sub(rf"(?<![\w-]){re.escape(key)}(?![\w-])", replace[key], out)
        return out

    return read


#: "Cherin (cherin, ref. 7)", "Dalakas 1997 (dalakas1997, ref. 3)": a study named by its
#: first author (and year) with its id, as the claim checks write it.
_NAMED_WITH_ID = re.compile(
    r"(?P<author>[^\W\d][\w'\u2019-]*)(?: [0-9]{4})? \((?P<id>[a-z][a-z0-9_]*)"
    r"(?:, (?P<ref>ref\. [0-9]+))?\)"
)


def _with_name(match: re.Match[str], names: dict[str, str], authors: dict[str, str]) -> str:
    """The study's one name for a match of :data:`_NAMED_WITH_ID` (unchanged if not its author)."""
    sid = match.group("id")
    if sid not in names or authors.get(sid) != match.group("author"):
        return match.group(0)
    ref = match.group("ref")
    return f"{names[sid]} ({ref})" if ref else names[sid]


#: A maximal run of word characters and hyphens: the unit :func:`readable` matches ids by.
_ID_RUN = re.compile(r"[\w-]+")


#: A Cochrane review's number, as its DOI or pages carry it ("CD004303").
_COCHRANE_ID = re.compile(r"CD\d{6}")


def cochrane_reviews(ev: Any) -> dict[str, str]:
    """The bibliography keys of Cochrane reviews, with each review's number ("CD004303")."""
    from pybtex.database import parse_file

    bib = parse_file(str(Path(ev.data_dir) / "references.bib"), bib_format="bibtex")
    found = {}
    for key, entry in bib.entries.items():
        hit = _COCHRANE_ID.search(entry.fields.get("doi", "") + " " + entry.fields.get("pages", ""))
        if hit:
            found[key] = hit.group(0)
    return found


def citation_labels(ev: Any) -> dict[str, str]:
    """Every bibliography key as a reader cites it: a study's record by the study's name;
    others as "Jones et al. 2016", by their ``key`` field, or by the start of the title."""
    from pybtex.database import parse_file

    labels: dict[str, str] = {}
    bib = parse_file(str(Path(ev.data_dir) / "references.bib"), bib_format="bibtex")
    for key, entry in bib.entries.items():
        year = entry.fields.get("year", "")
        described = " ".join(_plain(entry.fields.get("key", "")).split())
        if described:
            labels[key] = f"{described} {year}".strip()
            continue
        people = entry.persons.get("author", [])
        last = _plain(" ".join(people[0].last_names)) if people else ""
        unknown = (
            "confirmed" in str(people[0]).lower() or "not reported" in str(people[0]).lower()
            if people
            else True
        )
        if unknown or last.lower() == "letter":
            name = "The letter" if key.startswith("letter") else _short_title(entry)
        else:
            name = f"{last} et al." if len(people) > 1 else last
        labels[key] = f"{name} {year}".strip()
    # A study's own record is cited by the study's one name ("Dalakas 1997").
    if "citation_key" in ev.studies.columns:
        for _, study in ev.studies.iterrows():
            if str(study["citation_key"]) in labels:
                labels[str(study["citation_key"])] = short_label(study)
    return labels


def _plain(text: str) -> str:
    """BibTeX text as a reader reads it: accents decoded, braces and brackets dropped."""
    import codecs

    import latexcodec  # noqa: F401  (registers the "ulatex" codec)

    # typeshed knows codecs.decode(str, ...) only for its own text codecs; "ulatex" is one too.
    decoded: str = codecs.decode(text, "ulatex")  # type: ignore[call-overload]
    return re.sub(r"[{}\[\]]", "", decoded)


def _short_title(entry: Any, words: int = 6) -> str:
    title = _plain(str(entry.fields.get("title", "")))
    parts = title.split()
    return " ".join(parts[:words]) + ("…" if len(parts) > words else "")
