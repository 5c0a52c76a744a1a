"""A small client for NCBI's E-utilities: ESearch and ESummary on PubMed, in JSON.

Why a client of our own on ``requests`` rather than Biopython's ``Bio.Entrez``: the book needs
two calls (ESearch for the PMIDs, ESummary for title, authors, journal, year and DOI), both
of which answer in JSON that the standard library parses. ``requests`` is already pinned;
Biopython would add a ~3 MB package whose XML parser returns its own objects, and whose
module-level settings (``Entrez.email``, ``Entrez.api_key``) and rate limit are global state.
Here every request goes through one :class:`Client`, whose base URL, session, clock and sleep
can be replaced, so the tests replay recorded responses with no network and check the
etiquette (tool, email, API key, pauses, retries) directly.

NCBI's etiquette (Entrez Programming Utilities Help, chapters 2 and 4):

* every request carries ``tool`` (the book's name, no spaces) and ``email`` (from the
  environment variable ``NCBI_EMAIL``; omitted when unset);
* at most 3 requests a second, or 10 with an API key (``NCBI_API_KEY``);
* a failed request (no connection, a timeout, HTTP 429 or 5xx) is retried after 1, 2, 4 ...
  seconds; any other HTTP error is final.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import requests

BASE_URL = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/"
#: The ``tool`` parameter NCBI asks for: the book's name, without spaces.
TOOL = "ivig-sibm-evidence-book"
#: ESearch returns at most this many PMIDs per request; ESummary takes this many per request.
PAGE = 500
SUMMARY_BATCH = 200
#: ESearch cannot page past the 10,000th record.
MAX_RECORDS = 9999


class EutilsError(RuntimeError):
    """A request failed in a way a retry does not mend; ``str()`` is one line."""


class OfflineError(EutilsError):
    """NCBI could not be reached at all."""


@dataclass(frozen=True)
class Record:
    """One PubMed record as the screening worksheet needs it ("" where PubMed gives none)."""

    pmid: str
    doi: str
    title: str
    authors: str
    journal: str
    year: str


@dataclass
class Client:
    """One E-utilities session with NCBI's etiquette (see the module's docstring)."""

    email: str | None = None
    api_key: str | None = None
    base_url: str = BASE_URL
    retries: int = 3
    backoff: float = 1.0
    timeout: float = 30.0
    session: Any = field(default_factory=requests.Session)
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    _last: float | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **kwargs: Any) -> Client:
        """A client with ``NCBI_EMAIL`` and ``NCBI_API_KEY`` from the environment."""
        env = os.environ if env is None else env
        return cls(
            email=env.get("NCBI_EMAIL") or None, api_key=env.get("NCBI_API_KEY") or None, **kwargs
        )

    @property
    def min_interval(self) -> float:
        """Seconds between two requests: 1/3 without an API key, 1/10 with one."""
        return 0.1 if self.api_key else 1 / 3

    def params(self, extra: Mapping[str, str]) -> dict[str, str]:
        """``extra`` with the etiquette parameters and JSON as the response format."""
        etiquette = {"email": self.email, "api_key": self.api_key}
        return {"tool": TOOL, "retmode": "json", **extra} | {
            k: v for k, v in etiquette.items() if v
        }

    def _pause(self) -> None:
        if self._last is not None:
            wait = self._last + self.min_interval - self.clock()
            if wait > 0:
                self.sleep(wait)
        self._last = self.clock()

    def call(self, utility: str, extra: Mapping[str, str]) -> dict[str, Any]:
        """POST one request to ``{base_url}{utility}.fcgi`` and return its JSON."""
        url = f"{self.base_url.rstrip('/')}/{utility}.fcgi"
        failure, reached = "", False
        for attempt in range(self.retries + 1):
            if attempt:
                self.sleep(self.backoff * 2 ** (attempt - 1))
            self._pause()
            try:
                response = self.session.post(url, data=self.params(extra), timeout=self.timeout)
            except (requests.ConnectionError, requests.Timeout) as exc:
                failure = type(exc).__name__
                continue
            reached = True
            if response.status_code == 429 or response.status_code >= 500:
                failure = f"HTTP {response.status_code}"
                continue
            if response.status_code != 200:
                msg = f"{utility}: HTTP {response.status_code} from {url}"
                raise EutilsError(msg)
            try:
                return dict(response.json())
            except ValueError:
                msg = f"{utility}: the answer from {url} is not JSON"
                raise EutilsError(msg) from None
        tries = f"{self.retries + 1} attempt(s)"
        if not reached:
            msg = f"cannot reach NCBI E-utilities at {self.base_url} ({failure}, {tries})"
            raise OfflineError(msg)
        msg = f"{utility}: NCBI E-utilities kept failing ({failure}, {tries})"
        raise EutilsError(msg)

    def esearch(self, term: str, db: str = "pubmed") -> tuple[int, list[str]]:
        """PubMed's count for ``term`` and every PMID it finds, in PubMed's order."""
        ids: list[str] = []
        while True:
            answer = self.call(
                "esearch", {"db": db, "term": term, "retstart": str(len(ids)), "retmax": str(PAGE)}
            )
            result = answer.get("esearchresult")
            if not isinstance(result, dict) or "count" not in result:
                error = (result or {}).get("ERROR") if isinstance(result, dict) else None
                msg = f"esearch: {error or 'no esearchresult in the answer'}"
                raise EutilsError(msg)
            count = int(result["count"])
            if count > MAX_RECORDS:
                msg = f"esearch: {count} records, more than ESearch pages through; narrow the query"
                raise EutilsError(msg)
            page = [str(i) for i in result.get("idlist", [])]
            ids.extend(page)
            if len(ids) >= count or not page:
                break
        if len(ids) != count:
            msg = f"esearch: PubMed counted {count} records but returned {len(ids)}"
            raise EutilsError(msg)
        return count, ids

    def esummary(self, pmids: list[str], db: str = "pubmed") -> list[Record]:
        """The records of ``pmids``, in that order."""
        out: list[Record] = []
        for start in range(0, len(pmids), SUMMARY_BATCH):
            batch = pmids[start : start + SUMMARY_BATCH]
            result = self.call("esummary", {"db": db, "id": ",".join(batch)}).get("result")
            if not isinstance(result, dict):
                msg = "esummary: no result in the answer"
                raise EutilsError(msg)
            for pmid in batch:
                summary = result.get(pmid)
                if not isinstance(summary, dict) or "error" in summary:
                    msg = f"esummary: no summary for PMID {pmid}"
                    raise EutilsError(msg)
                out.append(record(pmid, summary))
        return out


_YEAR = re.compile(r"\b(1[89]|20|21)\d\d\b")
_DOI = re.compile(r"\b(10\.\d{4,9}/\S+)")


def _doi(summary: Mapping[str, Any]) -> str:
    for article_id in summary.get("articleids") or []:
        if article_id.get("idtype") == "doi" and str(article_id.get("value", "")).startswith("10."):
            return str(article_id["value"]).strip()
    found = _DOI.search(str(summary.get("elocationid") or ""))
    return found.group(1).rstrip(".") if found else ""


def record(pmid: str, summary: Mapping[str, Any]) -> Record:
    """A :class:`Record` from one ESummary (JSON) document."""
    authors = [
        str(a.get("name", "")).strip()
        for a in summary.get("authors") or []
        if a.get("authtype", "Author") == "Author" and a.get("name")
    ]
    year = _YEAR.search(str(summary.get("pubdate") or summary.get("sortpubdate") or ""))
    return Record(
        pmid=str(pmid),
        doi=_doi(summary),
        title=" ".join(str(summary.get("title") or "").split()),
        authors=", ".join(authors),
        journal=str(summary.get("source") or "").strip(),
        year=year.group(0) if year else "",
    )


def search(client: Client, term: str) -> tuple[int, list[Record]]:
    """Run ``term`` on PubMed: PubMed's count and every record it finds."""
    count, ids = client.esearch(term)
    return count, client.esummary(ids) if ids else []
