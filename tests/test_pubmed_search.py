"""The PubMed search command, with recorded E-utilities responses and no network.

The responses are the fictitious fixtures of ``tests/fixtures_pubmed`` (PMIDs 990000xx, DOIs
10.0000/fixture.N); they are served by a stand-in session in-process, or by a local HTTP
server on the loopback address for the end-to-end runs of ``make update-search``.
"""

from __future__ import annotations

import csv
import datetime as dt
import http.server
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pandas as pd
import pytest
import requests
import yaml

from ivigbook.analysis.search import Currency, currency
from ivigbook.data.load import load
from ivigbook.data.validate import validate
from ivigbook.search import eutils
from ivigbook.search.pubmed import SearchError, record_screening, run_search, term_for
from ivigbook.text.caveats import currency_statement

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
FIXTURES = ROOT / "tests" / "fixtures_pubmed"
PENDING = "the PubMed update is pending"
RUN_ON = dt.date(2027, 1, 5)


def answer(utility: str) -> dict[str, Any]:
    return dict(json.loads((FIXTURES / f"{utility}.json").read_text(encoding="utf-8")))


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def write_rows(path: Path, table: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(table[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(table)


def snapshot(folder: Path) -> dict[str, tuple[int, bytes]]:
    """Every file under ``folder`` (hidden ones too): its modification time and bytes."""
    return {
        str(p.relative_to(folder)): (p.stat().st_mtime_ns, p.read_bytes())
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


class Reply:
    def __init__(self, status: int, body: Any = None) -> None:
        self.status_code = status
        self._body = body

    def json(self) -> Any:
        if self._body is None:
            raise ValueError
        return self._body


class Replay:
    """A stand-in for ``requests.Session``: answers from the fixtures, keeps every request;
    ``failures`` are given first (an int is an HTTP status, an exception is raised)."""

    def __init__(self, *failures: Any) -> None:
        self.failures = list(failures)
        self.sent: list[tuple[str, dict[str, str]]] = []

    def post(self, url: str, data: dict[str, str], timeout: float) -> Reply:
        self.sent.append((url, dict(data)))
        if self.failures:
            failure = self.failures.pop(0)
            if isinstance(failure, Exception):
                raise failure
            return Reply(failure)
        return Reply(200, answer(url.rsplit("/", 1)[1].removesuffix(".fcgi")))


class Clock:
    """A clock that only moves when slept on; records every sleep."""

    def __init__(self) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 6))
        self.now += seconds

    def time(self) -> float:
        return self.now


def client(session: Replay, clock: Clock | None = None, **kwargs: Any) -> eutils.Client:
    clock = clock or Clock()
    return eutils.Client(session=session, sleep=clock.sleep, clock=clock.time, **kwargs)


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A copy of data/ in which screened record r04 names fixture PMID 99000002 and fixture
    DOI 10.0000/fixture.3, so that one fixture record is known by PMID and one by DOI."""
    copy = tmp_path / "data"
    shutil.copytree(DATA, copy)
    table = rows(copy / "screened_records.csv")
    table[3]["identifier"] = "PMID 99000002; DOI 10.0000/fixture.3"
    write_rows(copy / "screened_records.csv", table)
    return copy


# --- the client: etiquette, parsing, retries ----------------------------------------------


def test_every_request_carries_tool_email_key_and_json() -> None:
    session = Replay()
    count, _ = eutils.search(client(session, email="a@b.org", api_key="KEY"), "x[tiab]")
    assert count == 4
    assert [u.rsplit("/", 1)[1] for u, _ in session.sent] == ["esearch.fcgi", "esummary.fcgi"]
    for _, params in session.sent:
        assert params["tool"] == eutils.TOOL
        assert " " not in params["tool"]
        assert params["email"] == "a@b.org"
        assert params["api_key"] == "KEY"
        assert params["retmode"] == "json"
        assert params["db"] == "pubmed"
    assert session.sent[0][1]["term"] == "x[tiab]"
    assert session.sent[1][1]["id"] == "99000001,99000002,99000003,99000004"
    # Without them in the environment, neither parameter is sent.
    bare = Replay()
    eutils.search(eutils.Client.from_env({}, session=bare), "x")
    assert all("email" not in p and "api_key" not in p for _, p in bare.sent)
    env = eutils.Client.from_env({"NCBI_EMAIL": "c@d.org", "NCBI_API_KEY": "K2"})
    assert (env.email, env.api_key, env.min_interval) == ("c@d.org", "K2", 0.1)


def test_records_are_parsed_from_the_summaries() -> None:
    _, records = eutils.search(client(Replay()), "x")
    first, last = records[0], records[-1]
    assert first == eutils.Record(
        pmid="99000001",
        doi="10.0000/fixture.1",
        title="Fixture record 1: not a real publication.",
        authors="Fixture A1, Fixture B",  # the collective name is not an author
        journal="Fixture J",
        year="2026",
    )
    assert (last.doi, last.year) == ("10.0000/fixture.4", "2025")  # DOI from elocationid


@pytest.mark.parametrize(("api_key", "gap"), [(None, 1 / 3), ("KEY", 0.1)])
def test_requests_are_spaced_by_ncbis_limit(api_key: str | None, gap: float) -> None:
    clock = Clock()
    c = client(Replay(), clock, api_key=api_key)
    for _ in range(3):
        c.call("esearch", {"db": "pubmed", "term": "x"})
    assert clock.sleeps == [round(gap, 6)] * 2


def test_failures_are_retried_with_backoff_then_given_up() -> None:
    clock = Clock()
    session = Replay(503, requests.ConnectionError("refused"), 429)
    c = client(session, clock, api_key="KEY", retries=3)
    assert c.call("esearch", {"term": "x"})["esearchresult"]["count"] == "4"
    assert len(session.sent) == 4
    assert [s for s in clock.sleeps if s >= 1] == [1.0, 2.0, 4.0]
    with pytest.raises(eutils.EutilsError, match="HTTP 400"):
        client(Replay(400), retries=3).call("esearch", {})
    with pytest.raises(eutils.EutilsError, match=r"kept failing \(HTTP 502, 2 attempt"):
        client(Replay(502, 502), retries=1).call("esearch", {})
    offline = Replay(*[requests.ConnectionError("refused")] * 3)
    with pytest.raises(eutils.OfflineError, match="cannot reach NCBI E-utilities"):
        client(offline, retries=2).call("esearch", {})
    assert len(offline.sent) == 3


def test_an_esearch_error_is_reported() -> None:
    class Broken(Replay):
        def post(self, url: str, data: dict[str, str], timeout: float) -> Reply:
            return Reply(200, {"esearchresult": {"ERROR": "Invalid query"}})

    with pytest.raises(eutils.EutilsError, match="Invalid query"):
        client(Broken()).esearch("x")


# --- the queries -------------------------------------------------------------------------


def test_queries_are_data_and_the_update_starts_at_the_last_pubmed_run() -> None:
    queries = {q["query_id"]: q for q in rows(DATA / "search_queries.csv")}
    assert set(queries) == {"pubmed_update", "pubmed_inception"}
    update, inception = queries["pubmed_update"], queries["pubmed_inception"]
    assert update["query"] == inception["query"]
    assert term_for(inception, []) == inception["query"]  # from inception: no date limit
    stored = {"run_against": "stored_copies", "run_on": "2026-11-29"}
    assert term_for(update, [stored]).endswith(
        f"AND {update['date_from'].replace('-', '/')}:3000/12/31[{update['date_field']}]"
    )
    assert update["date_from"] == "2024-01-26"  # the letter's search
    runs = [stored, {"run_against": "pubmed", "run_on": "2027-01-05"}]
    assert term_for(update, runs).endswith("AND 2027/01/05:3000/12/31[edat]")
    assert term_for(update, runs).startswith(f"({update['query']})")


# --- a run, then the screening, on a copy of the data ------------------------------------


def test_a_run_writes_the_unscreened_records_and_a_run_row(data: Path) -> None:
    before = rows(data / "update_searches.csv")
    message = run_search(data, "pubmed_update", client(Replay()), RUN_ON)
    assert message.startswith("pubmed_update_20270105: PubMed found 4 records; 2 new")
    runs = rows(data / "update_searches.csv")
    assert runs[: len(before)] == before
    run = runs[-1]
    assert run["search_id"] == "pubmed_update_20270105"
    assert (run["run_on"], run["run_against"], run["query_id"]) == (
        "2027-01-05",
        "pubmed",
        "pubmed_update",
    )
    assert run["records_found"] == "4"
    assert run["pubmed_query"].endswith("AND 2024/01/26:3000/12/31[edat]")
    sheet = rows(data / "screening_worksheet.csv")
    # 99000002 is screened already by PMID, 99000003 by DOI.
    assert [r["pmid"] for r in sheet] == ["99000001", "99000004"]
    assert sheet[0]["title"] == "Fixture record 1: not a real publication."
    assert sheet[1]["doi"] == "10.0000/fixture.4"
    assert all(r["search_id"] == run["search_id"] and not r["decision"] for r in sheet)
    assert validate(data) == []
    # The same run again finds nothing new: both records already wait in the worksheet.
    again = run_search(data, "pubmed_update", client(Replay()), RUN_ON)
    assert again.startswith("pubmed_update_20270105_2: PubMed found 4 records; 0 new")
    steps = [r for r in rows(data / "update_search.csv") if r["search_id"].endswith("_2")]
    assert {r["step_id"]: int(r["count"]) for r in steps}["duplicates_removed"] == 4
    assert validate(data) == []


def test_screening_goes_back_into_the_data_and_the_counts_add_up(data: Path) -> None:
    run_search(data, "pubmed_update", client(Replay()), RUN_ON)
    sheet = rows(data / "screening_worksheet.csv")
    sheet[0].update(decision="excluded_screening", reason="Fixture: not a study of IBM.")
    write_rows(data / "screening_worksheet.csv", sheet)
    untouched = snapshot(data)
    with pytest.raises(SearchError, match="without a decision"):
        record_screening(data)
    assert snapshot(data) == untouched
    sheet[1].update(decision="excluded_assessment", reason="Fixture: no IBM results.")
    write_rows(data / "screening_worksheet.csv", sheet)
    n_before = len(rows(data / "screened_records.csv"))
    assert record_screening(data).startswith("recorded 2 screened record(s)")
    screened = rows(data / "screened_records.csv")
    assert len(screened) == n_before + 2
    assert screened[-2]["identifier"] == "PMID 99000001; DOI 10.0000/fixture.1"
    assert screened[-2]["record_id"] == f"r{n_before + 1:02d}"
    assert screened[-1]["decision"] == "excluded_assessment"
    steps = {
        r["step_id"]: int(r["count"])
        for r in rows(data / "update_search.csv")
        if r["search_id"] == "pubmed_update_20270105"
    }
    assert steps["records_identified"] == 4
    assert steps["duplicates_removed"] == 2
    assert steps["records_screened"] == 2
    assert steps["excluded_screening"] == 1
    assert steps["records_assessed"] == 1
    assert steps["excluded_assessment"] == 1
    assert steps["studies_included"] == 0
    assert rows(data / "screening_worksheet.csv") == []
    assert validate(data) == []


def test_an_included_record_without_its_study_is_refused_and_nothing_changes(data: Path) -> None:
    run_search(data, "pubmed_update", client(Replay()), RUN_ON)
    sheet = rows(data / "screening_worksheet.csv")
    for row in sheet:
        row.update(decision="included", reason="Fixture: meets the criteria.")
    write_rows(data / "screening_worksheet.csv", sheet)
    before = snapshot(data)
    with pytest.raises(SearchError, match="study_id: required when decision is included"):
        record_screening(data)
    assert snapshot(data) == before


def test_the_validator_holds_the_worksheet_and_runs_to_the_rules(data: Path) -> None:
    run_search(data, "pubmed_update", client(Replay()), RUN_ON)
    runs = rows(data / "update_searches.csv")
    runs[-1]["records_found"] = ""
    write_rows(data / "update_searches.csv", runs)
    assert [str(p) for p in validate(data)] == [
        f"update_searches.csv:{len(runs) + 1}: records_found: required on PubMed"
    ]
    runs[-1]["records_found"] = "4"
    write_rows(data / "update_searches.csv", runs)
    sheet = rows(data / "screening_worksheet.csv")
    sheet[0]["pmid"] = "99000002"  # screened already
    sheet[1]["decision"] = "excluded_screening"  # without a reason
    write_rows(data / "screening_worksheet.csv", sheet)
    found = [str(p) for p in validate(data)]
    assert found == [
        "screening_worksheet.csv:2: pmid: already in screened_records, "
        'violated by value "99000002"',
        "screening_worksheet.csv:3: reason: required with a decision",
    ]


# --- no network: one line, non-zero, no file changed --------------------------------------


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def environment(**values: str) -> dict[str, str]:
    """This process's environment without NCBI settings, plus ``values``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NCBI_")}
    return {**env, **values}


def git_status(path: Path) -> str:
    return subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all", "--", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout


#: Two ways in: the command (one retry, to be quick) and ``make update-search`` (its default
#: three retries; make adds its own line saying the target failed).
OFFLINE_COMMANDS = {
    "command": [
        *(sys.executable, "-m", "ivigbook", "search", "run"),
        *("--data-dir", str(DATA), "--retries", "1"),
    ],
    "make": [
        *("make", "--no-print-directory", "-o", ".venv/.installed"),
        *("update-search", f"DATA_DIR={DATA}"),
    ],
}


@pytest.mark.parametrize("way", list(OFFLINE_COMMANDS))
def test_offline_the_command_fails_in_one_line_and_changes_no_file(way: str) -> None:
    status = git_status(DATA)
    stamps = snapshot(DATA)
    done = subprocess.run(
        OFFLINE_COMMANDS[way],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        env=environment(NCBI_EUTILS_URL=f"http://127.0.0.1:{closed_port()}/entrez/eutils/"),
        timeout=120,
    )
    assert done.returncode != 0
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    if way == "make":
        assert len(lines) == 2, done.stderr
        assert re.fullmatch(
            r"make(\[\d+\])?: \*\*\* \[Makefile:\d+: update-search\] Error 1", lines[-1]
        )
        lines = lines[:-1]
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("search run: cannot reach NCBI E-utilities")
    assert lines[0].endswith("no file changed")
    assert git_status(DATA) == status
    assert snapshot(DATA) == stamps


# --- end to end: make update-search against recorded responses on the loopback ------------


class _Handler(http.server.BaseHTTPRequestHandler):
    seen: list[dict[str, list[str]]]

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        self.seen.append(parse_qs(self.rfile.read(length).decode("utf-8")))
        utility = self.path.rsplit("/", 1)[1].removesuffix(".fcgi")
        body = (FIXTURES / f"{utility}.json").read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def recorded() -> Iterator[tuple[str, list[dict[str, list[str]]]]]:
    seen: list[dict[str, list[str]]] = []
    handler = type("Handler", (_Handler,), {"seen": seen})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/entrez/eutils/", seen
    finally:
        server.shutdown()
        server.server_close()


def test_make_update_search_with_recorded_responses(
    data: Path, recorded: tuple[str, list[dict[str, list[str]]]]
) -> None:
    url, seen = recorded
    done = subprocess.run(
        # -o: never rebuild the environment from a test, whatever the stamp's age.
        [
            "make",
            "--no-print-directory",
            "-o",
            ".venv/.installed",
            "update-search",
            f"DATA_DIR={data}",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env=environment(NCBI_EUTILS_URL=url, NCBI_EMAIL="x@example.org"),
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "PubMed found 4 records; 2 new" in done.stdout
    assert [r["pmid"] for r in rows(data / "screening_worksheet.csv")] == ["99000001", "99000004"]
    assert rows(data / "update_searches.csv")[-1]["run_against"] == "pubmed"
    assert len(seen) == 2
    assert all(s["tool"] == [eutils.TOOL] and s["email"] == ["x@example.org"] for s in seen)
    assert validate(data) == []


# --- currency, said exactly, from the data -----------------------------------------------


def test_the_currency_wording_flips_when_a_pubmed_run_is_recorded(data: Path) -> None:
    now = currency_statement(currency(load(data)))
    # The dates, each with what the search ran against, and the pending PubMed update last.
    assert now.startswith("The letter's search of PubMed/MEDLINE ran on 26 January 2024.")
    assert "a preliminary search of stored copies of public records on 29 November 2026" in now
    assert now.endswith(f"; {PENDING}.")
    run_search(data, "pubmed_update", client(Replay()), RUN_ON)
    after = currency_statement(currency(load(data)))
    assert PENDING not in after
    assert after.endswith(
        "a preliminary search of stored copies of public records on 29 November 2026; "
        "a search of PubMed itself on 5 January 2027."
    )


def _book_files() -> list[Path]:
    texts = [*(ROOT / "chapters").glob("*.md"), *(ROOT / "scripts").rglob("*.py")]
    texts += [ROOT / n for n in ("CITATION.cff", ".zenodo.json", "README.md", "CHANGELOG.md")]
    texts += [ROOT / "CONTRIBUTING.md", DATA / "README.md", DATA / "datapackage.yaml"]
    return sorted([*texts, *DATA.glob("*.csv")])


#: Files known to break the rule, each with what must change; strict, so that the marker has
#: to go once the file is fixed.
_KNOWN: dict[Path, str] = {}


@pytest.mark.parametrize(
    "path",
    [
        pytest.param(p, marks=pytest.mark.xfail(strict=True, reason=_KNOWN[p]))
        if p in _KNOWN
        else p
        for p in _book_files()
    ],
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_no_file_claims_current_to_a_date_or_names_the_search_tool(path: Path) -> None:
    text = path.read_text(encoding="utf-8").lower()
    assert "current to" not in text
    for word in ("workplace", "search tool", "live pubmed"):
        assert word not in text, word


def test_citation_metadata_state_the_currency_as_the_book_does() -> None:
    statement = currency_statement(currency(load()))
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    zenodo = json.loads((ROOT / ".zenodo.json").read_text(encoding="utf-8"))
    assert statement in " ".join(citation["abstract"].split())
    assert statement in zenodo["description"]


# --- the monthly workflow ----------------------------------------------------------------


def test_the_monthly_workflow_runs_the_update_and_opens_a_pull_request() -> None:
    flow = yaml.safe_load((ROOT / ".github" / "workflows" / "update-search.yml").read_text())
    triggers = flow[True]  # YAML 1.1 reads the key "on" as True
    assert "workflow_dispatch" in triggers
    (cron,) = [s["cron"] for s in triggers["schedule"]]
    _, _, day, month, weekday = cron.split()
    assert (day, month, weekday) == ("1", "*", "*")  # monthly
    steps = [s for job in flow["jobs"].values() for s in job["steps"]]
    runs = " ".join(s.get("run", "") for s in steps)
    assert "make update-search" in runs
    assert any("create-pull-request" in s.get("uses", "") for s in steps)
    assert "NCBI_EMAIL" in json.dumps(flow)


# --- the same words in the built book (book tier: run `make book` first) ------------------


def _words(text: str) -> str:
    return " ".join(text.replace("\u2019", "'").split())


@pytest.mark.book
@pytest.mark.parametrize("page", ["index", "chapters/search", "chapters/what-changed"])
def test_the_built_pages_state_the_currency(html_dir: Path, page: str) -> None:
    from bs4 import BeautifulSoup

    name = "index.html" if page == "index" else f"{page}.html"
    path = html_dir / ("chapters/index.html" if page == "index" else name)
    text = _words(BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser").get_text(" "))
    assert currency_statement(currency(load())) in text
    assert "current to" not in text.lower()


@pytest.mark.book
def test_the_pdf_states_the_currency(pdf_path: Path) -> None:
    from pypdf import PdfReader

    text = _words(" ".join(p.extract_text() or "" for p in PdfReader(pdf_path).pages))
    assert currency_statement(currency(load())) in text
    assert "current to" not in text.lower()


def test_the_currency_wording_with_no_later_search_and_within_a_sentence() -> None:
    ev = load()
    none = Currency(letter_search=currency(ev).letter_search, searches=())
    text = currency_statement(none)
    assert text.startswith("The letter's search of PubMed/MEDLINE ran on 26 January 2024.")
    assert "No later search has been recorded" in text
    assert text.endswith(f"; {PENDING}.")
    later = currency_statement(currency(ev), with_letter=False)
    assert later.startswith("Later searches: ")
    assert currency_statement(currency(ev)).endswith(later)
    two = Currency(
        letter_search=none.letter_search,
        searches=(
            (pd.Timestamp("2027-01-05"), "pubmed"),
            (pd.Timestamp("2027-02-01"), "pubmed"),
        ),
    )
    text = currency_statement(two, with_letter=False)
    # Two runs against PubMed: one plural phrase, both dates; no pending update; one sentence.
    assert text.startswith("Later searches: searches of PubMed itself on ")
    assert "5 January 2027 and 1 February 2027" in text
    assert PENDING not in text
    assert text.endswith(".")
    assert ". " not in text


def test_the_command_is_in_the_cli_with_its_own_help(capsys: pytest.CaptureFixture[str]) -> None:
    from ivigbook import cli

    with pytest.raises(SystemExit) as exit_:
        cli.main(["search", "--help"])
    assert exit_.value.code == 0
    shown = capsys.readouterr().out
    assert "--query" in shown
    assert "record" in shown
