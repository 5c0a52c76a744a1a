"""``python -m ivigbook search``: run the book's PubMed queries and record the screening.

``search run [--query pubmed_update]`` (``make update-search``)
    Runs a query of ``search_queries.csv`` on PubMed through :mod:`ivigbook.data.eutils`,
    adds the run to ``update_searches.csv`` (date, query id, query sent, PubMed's count) and
    writes every record not yet screened to ``screening_worksheet.csv``. A record is "already
    screened" when its PMID or DOI is in ``screened_records.csv`` (parsed from its
    ``identifier``) or already waits in the worksheet. A run that finds nothing new records
    its counts in ``update_search.csv`` at once.
``search record``
    For each run whose worksheet rows all have a decision and a reason: appends them to
    ``screened_records.csv``, writes the run's flow counts to ``update_search.csv`` and
    removes them from the worksheet.

Either command changes files only when the whole package, changed, still validates; on any
failure (no network included) it prints one line, exits non-zero and changes nothing.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import os
import shutil
import sys
import tempfile
from pathlib import Path

from ivigbook.data.read import appending, csv_text, read_rows
from ivigbook.data.rules import identifiers
from ivigbook.data.validate import default_data_dir, validate
from ivigbook.search import eutils

Rows = list[dict[str, str]]
WORKSHEET = "screening_worksheet"
DECISIONS = ("included", "already_included", "excluded_screening", "excluded_assessment")
#: (step_id, stage, label) of a PubMed run's flow, in order (the update_search table).
STEPS = (
    ("records_identified", "identification", "Records PubMed found"),
    ("duplicates_removed", "identification", "Records already screened or awaiting screening"),
    ("records_screened", "screening", "Records screened"),
    ("excluded_screening", "screening", "Records excluded at screening, with reasons"),
    ("already_included", "screening", "Studies already in the evidence base"),
    ("records_assessed", "eligibility", "Records assessed against the inclusion criteria"),
    ("excluded_assessment", "eligibility", "Records excluded after assessment, with reasons"),
    ("studies_included", "included", "Studies added to the evidence base"),
)


class SearchError(RuntimeError):
    """A reason to stop without changing any file; ``str()`` is one line."""


# ------------------------------------------------------------------------------------------
# Tables as CSV text (so that rows not touched keep their exact text)


def read(data: Path, name: str) -> tuple[list[str], Rows]:
    return read_rows(data / f"{name}.csv")


def appended(data: Path, name: str, rows: Rows) -> str:
    """The file's text with ``rows`` appended, its own lines untouched."""
    try:
        return "".join(appending(data / f"{name}.csv", rows))
    except ValueError as exc:
        raise SearchError(str(exc)) from None


def commit(data: Path, files: dict[str, str]) -> None:
    """Write ``files`` (name -> text) into ``data`` only if the package then validates."""
    with tempfile.TemporaryDirectory() as tmp:
        trial = Path(tmp) / "data"
        shutil.copytree(data, trial)
        for name, text in files.items():
            (trial / f"{name}.csv").write_text(text, encoding="utf-8")
        problems = [str(p) for p in validate(trial)]
    if problems:
        msg = f"the data would not validate ({len(problems)} problem(s)): {problems[0]}"
        raise SearchError(msg)
    staged = {}
    for name, text in files.items():
        fd, tmp_name = tempfile.mkstemp(dir=data, prefix=f".{name}.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        staged[name] = tmp_name
    for name, tmp_name in staged.items():
        Path(tmp_name).replace(data / f"{name}.csv")


# ------------------------------------------------------------------------------------------
# What has been screened


def known(data: Path) -> tuple[set[str], set[str]]:
    """PMIDs and DOIs screened already, or waiting in the worksheet."""
    pmids, dois = identifiers("; ".join(r["identifier"] for r in read(data, "screened_records")[1]))
    sheet = read(data, WORKSHEET)[1]
    return pmids | {r["pmid"] for r in sheet}, dois | {r["doi"].lower() for r in sheet if r["doi"]}


def unscreened(records: list[eutils.Record], data: Path) -> list[eutils.Record]:
    pmids, dois = known(data)
    return [r for r in records if r.pmid not in pmids and (not r.doi or r.doi.lower() not in dois)]


# ------------------------------------------------------------------------------------------
# search run


def term_for(query: dict[str, str], runs: Rows) -> str:
    """The term sent to PubMed: the query's terms and its date limit, in PubMed's syntax."""
    start = query["date_from"]
    if query["since_last_run"] == "true":
        on_pubmed = [r["run_on"] for r in runs if r["run_against"] == "pubmed"]
        start = max(on_pubmed, default=start)
    if not (query["date_field"] and start):
        return query["query"]
    return f"({query['query']}) AND {start.replace('-', '/')}:3000/12/31[{query['date_field']}]"


def flow_rows(search_id: str, found: int, decisions: list[str]) -> Rows:
    """The update_search rows of a run: PubMed's count, then the screening ``decisions``."""
    n = {d: decisions.count(d) for d in DECISIONS} | {"records_identified": found}
    n |= {"duplicates_removed": found - len(decisions), "records_screened": len(decisions)}
    n |= {"records_assessed": n["excluded_assessment"] + n["included"]}
    n["studies_included"] = n["included"]
    columns = ("search_id", "step_id", "step_order", "stage", "label", "count", "detail")
    return [
        dict(zip(columns, (search_id, step, str(i), stage, label, str(n[step]), ""), strict=True))
        for i, (step, stage, label) in enumerate(STEPS, start=1)
    ]


def run_search(data: Path, query_id: str, client: eutils.Client, run_on: dt.date) -> str:
    queries = {q["query_id"]: q for q in read(data, "search_queries")[1]}
    if query_id not in queries:
        msg = f"no query {query_id!r} in search_queries.csv (have {', '.join(queries)})"
        raise SearchError(msg)
    runs = read(data, "update_searches")[1]
    term = term_for(queries[query_id], runs)
    count, records = eutils.search(client, term)
    new = unscreened(records, data)
    taken = {r["search_id"] for r in runs}
    search_id = base = f"{query_id}_{run_on:%Y%m%d}"
    suffix = 1
    while search_id in taken:
        suffix += 1
        search_id = f"{base}_{suffix}"
    note = (
        "Run on PubMed itself through NCBI's E-utilities (ESearch, then ESummary): PubMed found "
        f"{count} records; {count - len(new)} were already screened or awaiting screening and "
        f"{len(new)} went to the screening worksheet."
    )
    run = {"search_id": search_id, "run_on": run_on.isoformat(), "run_against": "pubmed"}
    run |= {"pubmed_query": term, "queries_run": term, "note": note, "query_id": query_id}
    run["records_found"] = str(count)
    rows = [{"search_id": search_id, **dataclasses.asdict(r)} for r in new]
    files = {"update_searches": appended(data, "update_searches", [run])}
    if rows:
        files[WORKSHEET] = appended(data, WORKSHEET, rows)
    else:
        files["update_search"] = appended(data, "update_search", flow_rows(search_id, count, []))
    commit(data, files)
    return f"{search_id}: PubMed found {count} records; {len(new)} new, written to {WORKSHEET}.csv"


# ------------------------------------------------------------------------------------------
# search record


def screened_row(row: dict[str, str], number: int) -> dict[str, str]:
    """A worksheet row as the screened_records row numbered ``number``."""
    title = f"{row['title']} ({row['year']})" if row["year"] else row["title"]
    title = title[:297] + "..." if len(title) > 300 else title
    identifier = f"PMID {row['pmid']}" + (f"; DOI {row['doi']}" if row["doi"] else "")
    kept = {k: row[k] for k in ("search_id", "decision", "reason", "study_id")}
    return {"record_id": f"r{number:02d}", "title": title, "identifier": identifier} | kept


def record_screening(data: Path) -> str:
    header, pending = read(data, WORKSHEET)
    runs = {r["search_id"]: r for r in read(data, "update_searches")[1]}
    _, screened = read(data, "screened_records")
    numbers = [int(r["record_id"][1:]) for r in screened if r["record_id"][1:].isdigit()]
    next_number = max(numbers, default=0) + 1
    done: list[str] = []
    waiting: list[str] = []
    new_records: Rows = []
    new_steps: Rows = []
    for search_id in dict.fromkeys(r["search_id"] for r in pending):
        rows = [r for r in pending if r["search_id"] == search_id]
        if any(not (r["decision"] and r["reason"].strip()) for r in rows):
            waiting.append(search_id)
            continue
        for row in rows:
            new_records.append(screened_row(row, next_number))
            next_number += 1
        found = int(runs.get(search_id, {}).get("records_found") or len(rows))
        new_steps += flow_rows(search_id, found, [r["decision"] for r in rows])
        done.append(search_id)
    if not done:
        msg = (
            f"nothing to record: {len(waiting)} run(s) still have records without a decision "
            "and a reason"
            if waiting
            else f"nothing to record: {WORKSHEET}.csv is empty"
        )
        raise SearchError(msg)
    files = {
        "screened_records": appended(data, "screened_records", new_records),
        "update_search": appended(data, "update_search", new_steps),
        WORKSHEET: csv_text(header, [r for r in pending if r["search_id"] not in done]),
    }
    commit(data, files)
    rest = f"; still to screen: {', '.join(waiting)}" if waiting else ""
    return f"recorded {len(new_records)} screened record(s) of {', '.join(done)}{rest}"


# ------------------------------------------------------------------------------------------
# Command line


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "action",
        choices=["run", "record"],
        help="run: run a query on PubMed; record: move screened worksheet rows into the data",
    )
    parser.add_argument("--query", default="pubmed_update", help="query_id of search_queries.csv")
    parser.add_argument("--data-dir", type=Path, default=None, help="the data package folder")
    parser.add_argument(
        "--base-url",
        default=os.environ.get("NCBI_EUTILS_URL") or eutils.BASE_URL,
        help="E-utilities address (default: NCBI's, or NCBI_EUTILS_URL)",
    )
    parser.add_argument("--retries", type=int, default=3, help="retries of a failed request")
    parser.add_argument("--run-on", type=dt.date.fromisoformat, default=None, help="YYYY-MM-DD")


def run(args: argparse.Namespace) -> int:
    data = (args.data_dir or default_data_dir()).resolve()
    try:
        if args.action == "record":
            message = record_screening(data)
        else:
            client = eutils.Client.from_env(base_url=args.base_url, retries=args.retries)
            run_on = args.run_on or dt.datetime.now(dt.UTC).date()
            message = run_search(data, args.query, client, run_on)
    except (SearchError, eutils.EutilsError) as exc:
        print(f"search {args.action}: {exc}; no file changed", file=sys.stderr)
        return 1
    print(message)
    return 0
