"""The literature search: its counts and its flow, as the data record them."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

import pandas as pd

from ivigbook.analysis.vocabulary import DECISION_LABELS, NOT_REPORTED, RUN_AGAINST_LABELS


@dataclass(frozen=True)
class SearchFacts:
    """The letter's search and the evidence base now (glued with the prefix ``search``)."""

    records_identified: int | None
    full_texts: int | None
    studies_included: int | None  #: the search's last step, as the letter reports it
    studies_from_letter: int
    studies_added: int
    studies_now: int
    steps_total: int
    steps_unreported: int
    #: Labels of the steps the letter does not report / reports without a count, in order.
    unreported_labels: tuple[str, ...]
    without_count_labels: tuple[str, ...]


def _step_count(search: pd.DataFrame, step_id: str) -> int | None:
    rows = search.loc[search["step_id"] == step_id, "count"]
    return None if rows.empty or pd.isna(rows.iloc[0]) else int(rows.iloc[0])


def search_facts(ev: Any) -> SearchFacts:
    """Everything the search chapter says in numbers about the letter's search."""
    search = ev.search.sort_values("step_order")
    by = ev.studies["included_by"].astype("string")
    reported = search["reported"].astype(bool)
    unreported = tuple(search.loc[~reported, "label"].astype(str))
    return SearchFacts(
        records_identified=_step_count(search, "records_identified"),
        full_texts=_step_count(search, "full_texts_assessed"),
        studies_included=_step_count(search, "studies_included"),
        studies_from_letter=int((by == "letter").sum()),
        studies_added=int((by == "update").sum()),
        studies_now=len(ev.studies),
        steps_total=len(search),
        steps_unreported=len(unreported),
        unreported_labels=unreported,
        without_count_labels=tuple(
            search.loc[reported & search["count"].isna(), "label"].astype(str)
        ),
    )


def search_flow(ev: Any) -> pd.DataFrame:
    """The flow diagram's boxes, top to bottom: the search's steps, then the evidence now."""
    search = ev.search.sort_values("step_order").reset_index(drop=True)
    counts = search_facts(ev)
    count_text = search["count"].astype("string").fillna(NOT_REPORTED)
    count_text = count_text.where(search["reported"].astype(bool), NOT_REPORTED)
    flow = pd.DataFrame(
        {
            "order": range(len(search)),
            "stage": search["stage"].astype("string").str.capitalize(),
            "label": search["label"],
            "count_text": count_text,
            "reported": search["reported"].astype(bool),
            "detail": search["detail"].fillna(""),
            "quote": search["quote"].fillna(NOT_REPORTED),
        }
    )
    now = pd.DataFrame(
        {
            "order": [len(search)],
            "stage": ["Now"],
            "label": ["Studies in the evidence base now"],
            "count_text": [
                f"{counts.studies_now} "
                f"({counts.studies_from_letter} from the letter; "
                f"added since the letter's search: {counts.studies_added})"
            ],
            "reported": [True],
            "detail": ["computed from the studies table"],
            "quote": [""],
        }
    )
    return pd.concat([flow, now], ignore_index=True)


def unreported_steps(ev: Any) -> pd.DataFrame:
    """The search steps the letter does not report, in flow order."""
    search = ev.search.sort_values("step_order")
    rows = search.loc[~search["reported"].astype(bool), ["step_order", "stage", "label"]]
    return pd.DataFrame(
        {
            "Step": rows["step_order"].to_numpy(),
            "Stage": rows["stage"].astype("string").str.capitalize().to_numpy(),
            "What a PRISMA flow diagram would show": rows["label"].to_numpy(),
            "In the letter": NOT_REPORTED,
        }
    )


# ------------------------------------------------------------------------------------------
# Update searches (the living review's, after the letter's)


@dataclass(frozen=True)
class UpdateSearch:
    """One update search as the data record it."""

    search_id: str
    run_on: pd.Timestamp
    run_against: str
    pubmed_query: str
    queries_run: list[str]
    note: str
    counts: dict[str, int]  #: step_id -> count


def update_searches(ev: Any) -> list[UpdateSearch]:
    """Every update search, oldest first; empty when the package records none."""
    if "update_searches" not in ev.tables:
        return []
    steps = ev.update_search
    out = []
    for row in ev.update_searches.sort_values("run_on", kind="stable").itertuples(index=False):
        mine = steps[steps["search_id"].astype(str) == str(row.search_id)]
        out.append(
            UpdateSearch(
                search_id=str(row.search_id),
                run_on=pd.Timestamp(row.run_on),
                run_against=str(row.run_against),
                pubmed_query=str(row.pubmed_query),
                queries_run=[q.strip() for q in str(row.queries_run).split("|") if q.strip()],
                note=str(row.note),
                counts={
                    str(k): int(v)
                    for k, v in zip(mine["step_id"], mine["count"], strict=True)
                    if pd.notna(v)
                },
            )
        )
    return out


def latest_screened_search(ev: Any) -> UpdateSearch | None:
    """The most recent update search whose flow counts are recorded, or None."""
    searches = [s for s in update_searches(ev) if s.counts]
    return searches[-1] if searches else None


def letter_search_date(ev: Any) -> pd.Timestamp:
    """The ``added_on`` of the letter's own studies, else the field's minimum constraint."""
    s = ev.studies
    letter = s[s["included_by"].astype("string") == "letter"]["added_on"].dropna()
    if not letter.empty:
        return pd.Timestamp(letter.max())
    return pd.Timestamp(ev.field("studies", "added_on")["constraints"]["minimum"])


@dataclass(frozen=True)
class Currency:
    """The letter's search date, then every later search and what it was run against."""

    letter_search: pd.Timestamp
    searches: tuple[tuple[pd.Timestamp, str], ...]

    @property
    def pubmed_pending(self) -> bool:
        """No search run on PubMed itself has been recorded since the letter's."""
        return all(against != "pubmed" for _, against in self.searches)


def currency(ev: Any) -> Currency:
    """The letter's search date and every later search (:class:`Currency`)."""
    return Currency(
        letter_search=letter_search_date(ev),
        searches=tuple((s.run_on, s.run_against) for s in update_searches(ev)),
    )


def long_date(value: pd.Timestamp) -> str:
    """``29 November 2026``."""
    return f"{value.day} {value:%B %Y}"


@dataclass(frozen=True)
class UpdateFacts:
    """The latest screened update search (prefix ``upd``); zeros and "never" without one."""

    records_identified: int
    records_other_methods: int
    duplicates_removed: int
    records_screened: int
    excluded_screening: int
    already_included: int
    records_assessed: int
    excluded_assessment: int
    studies_included: int
    run_on: str
    run_against: str
    n_queries: int
    queries: str  #: the queries run, joined by semicolons
    pubmed_query: str


#: The steps of an update search in flow order (update_search.step_id): UpdateFacts' first nine.
UPDATE_STEPS = tuple(f.name for f in fields(UpdateFacts))[:9]


def update_facts(ev: Any) -> UpdateFacts:
    """The update search section's facts, from :func:`latest_screened_search`."""
    update = latest_screened_search(ev)
    steps = update.counts if update else {}
    return UpdateFacts(
        **{step: steps.get(step, 0) for step in UPDATE_STEPS},
        run_on=long_date(update.run_on) if update else "never",
        run_against=RUN_AGAINST_LABELS[update.run_against] if update else "nothing",
        n_queries=len(update.queries_run) if update else 0,
        queries="; ".join(update.queries_run) if update else "none",
        pubmed_query=update.pubmed_query if update else "No update search recorded.",
    )


def update_search_flow(ev: Any, search_id: str | None = None) -> pd.DataFrame:
    """The update search's boxes, in the columns of :func:`search_flow`."""
    searches = {s.search_id: s for s in update_searches(ev)}
    latest = latest_screened_search(ev)
    if not searches or (search_id is None and latest is None):
        return search_flow(ev).iloc[0:0]
    chosen = searches[search_id] if search_id else latest
    assert chosen is not None
    steps = ev.update_search
    steps = steps[steps["search_id"].astype(str) == chosen.search_id].sort_values("step_order")
    return pd.DataFrame(
        {
            "order": range(len(steps)),
            "stage": steps["stage"].astype("string").str.capitalize().to_numpy(),
            "label": steps["label"].astype("string").to_numpy(),
            "count_text": steps["count"].astype("string").to_numpy(),
            "reported": True,
            "detail": steps["detail"].astype("string").fillna("").to_numpy(),
            "quote": "",
        }
    )


def screened_records(ev: Any, search_id: str | None = None) -> pd.DataFrame:
    """The records an update search screened, as a reader's table, in order of decision."""
    if "screened_records" not in ev.tables:
        return pd.DataFrame(columns=["Record", "Identifier", "Decision", "Reason"])
    r = ev.screened_records
    if search_id is not None:
        r = r[r["search_id"].astype(str) == search_id]
    order = {d: i for i, d in enumerate(DECISION_LABELS)}
    r = r.assign(_o=r["decision"].astype(str).map(order)).sort_values(
        ["_o", "record_id"], kind="stable"
    )
    # A record that is one of the book's studies is cited in the References, with its DOI
    # once there; here its identifier keeps the PMID only.
    identifier = r["identifier"].astype("string")
    cited = r["study_id"].notna()
    identifier = identifier.where(
        ~cited, identifier.str.replace(r";?\s*DOI\s+10\.\S+", "", regex=True).str.strip("; ")
    )
    identifier = identifier.where(identifier.fillna("") != "", "see References")
    return pd.DataFrame(
        {
            "Record": r["title"].astype("string").to_numpy(),
            "Identifier": identifier.to_numpy(),
            "Decision": r["decision"].astype(str).map(DECISION_LABELS).to_numpy(),
            "Reason": r["reason"].astype("string").to_numpy(),
        }
    ).astype("string")


def criteria_table(ev: Any) -> pd.DataFrame:
    """The inclusion criteria as a reader's table."""
    if "criteria" not in ev.tables:
        return pd.DataFrame(columns=["Element", "Admitted", "Excluded", "Why"])
    c = ev.criteria
    return pd.DataFrame(
        {
            "Element": c["element"].astype("string"),
            "Admitted": c["admitted"].astype("string"),
            "Excluded": c["excluded"].astype("string"),
            "Why": c["reason"].astype("string"),
        }
    ).astype("string")
