"""The real data against the letter, read independently of the library.

The CSV files are read with the csv module (not ``ivigbook.load``). The expected numbers below
were read from the letter by hand and are written as the letter's words, so that this test, not
the code, is the guard that no value was invented.

Quotations are checked against ``tests/letter_index.json``, a word-hash index of the letter
(see ``letter_index.py``), so the check runs in any checkout, CI included, although the
letter's text is not in the repository. Where the letter's copy is present (beside the
checkout in ``shared/seeds/``, or at ``IVIGBOOK_LETTER``) a test rebuilds the index from it
and requires it to equal the stored one.
"""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import pytest
from letter_index import INDEX_PATH, LetterIndex, build_index

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
LETTER_COPY = Path(
    os.environ.get("IVIGBOOK_LETTER")
    or ROOT.parent / "shared" / "seeds" / "000_422881de29d27553.txt"
)
LETTER = LetterIndex.load()


def in_letter(quote: str) -> bool:
    return LETTER.contains(quote)


def test_index_is_made_from_the_letter() -> None:
    if not LETTER_COPY.is_file():
        pytest.skip(f"the letter's copy is not at {LETTER_COPY} (set IVIGBOOK_LETTER)")
    stored = json.loads(INDEX_PATH.read_text(encoding="utf-8"))
    assert stored == build_index(LETTER_COPY.read_text(encoding="utf-8")), (
        "tests/letter_index.json is not the index of the letter: "
        "run `python tests/letter_index.py <letter>`"
    )


# Read from the letter's Table I by hand: reference -> (first author, "Number of patients" as
# the letter writes it, the number it means).
TABLE_I = {
    1: ("Amato", "Nine", 9),
    2: ("Dobloug", "Twenty-two", 22),
    3: ("Dalakas", "Nineteen", 19),
    4: ("Dalakas", "Thirty-six", 36),
    5: ("Walter", "Twenty-two", 22),
    6: ("Zschüntzsch", "Ten", 10),
    7: ("Cherin", "Four", 4),
    8: ("Foreman", "Fifteen", 15),
    9: ("Soueidan", "Four", 4),
    10: ("Recher", "One", 1),
}
# Separate groups the letter gives: reference -> (IVIG, other) as written and as numbers.
# (2) "Sixteen: IVIG. Six: other drugs."; (4) "Nineteen: IVIG+ prednisone; Seventeen patients:
# placebo + prednisone."; (6) "Five: IVIG+ prednisone; five: prednisone alone."
ARMS = {2: (16, 6), 4: (19, 17), 6: (5, 5)}
# Within-patient comparisons: (3) "placebo controlled, cross-over study", (5) "crossover study".
CROSSOVER = {3, 5}


def read(name: str) -> list[dict[str, str]]:
    with (DATA / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


STUDIES = read("studies")
BY_REF = {int(row["letter_ref"]): row for row in STUDIES if row["letter_ref"]}


def test_in_letter_rejects_what_is_not_there() -> None:
    assert in_letter("Dysphagia was ameliorated in all patients.")
    assert in_letter("Half of the patients in IVIG group reported increased endurance")
    assert not in_letter("Dysphagia was cured in all patients.")
    assert not in_letter("patients all in ameliorated was Dysphagia")
    assert not in_letter("Seven patients improved by more than 10 MRC points")
    assert LETTER.contains_contiguous("we selected ten relevant articles")
    assert not LETTER.contains_contiguous("we selected relevant articles")


def test_ten_letter_studies_with_refs_1_to_10() -> None:
    refs = [row["letter_ref"] for row in STUDIES if row["included_by"] == "letter"]
    assert sorted(int(r) for r in refs) == list(range(1, 11))
    added = [row for row in STUDIES if row["included_by"] == "update"]
    assert len(STUDIES) == 10 + len(added)
    assert all(row["letter_ref"] == "" for row in added)
    assert len({row["study_id"] for row in STUDIES}) == len(STUDIES)


@pytest.mark.parametrize("ref", sorted(TABLE_I))
def test_study_matches_table_i(ref: int) -> None:
    author, words, number = TABLE_I[ref]
    row = BY_REF[ref]
    assert row["first_author"] == author
    assert LETTER.has_word(author.lower())
    assert row["n_total_letter"].rstrip(".") == words
    assert int(row["n_total"]) == number
    if ref in ARMS:
        assert (int(row["n_ivig"]), int(row["n_control"])) == ARMS[ref]
    else:
        assert int(row["n_ivig"]) == number
        assert int(row["n_control"]) == 0
    assert (row["crossover"] == "true") == (ref in CROSSOVER)


@pytest.mark.parametrize("ref", sorted(TABLE_I))
def test_letter_wording_is_the_letters(ref: int) -> None:
    row = BY_REF[ref]
    fields = [name for name in row if name.endswith("_letter")] + ["concomitant_treatment"]
    for name in fields:
        value = row[name]
        if not value:
            continue
        unknown = LETTER.unknown_words(value)
        assert not unknown, f"{row['study_id']}.{name}: words not in the letter: {unknown}"
        assert in_letter(value), f"{row['study_id']}.{name} is not the letter's wording: {value!r}"


def test_a_few_exact_phrases() -> None:
    assert BY_REF[8]["dose_letter"] == "NA"
    assert BY_REF[2]["dose_letter"] == "variable"
    assert BY_REF[7]["dose_letter"] == "variable"
    assert BY_REF[4]["weaknesses_letter"] == "-"
    assert BY_REF[5]["weaknesses_letter"] == "-"
    assert BY_REF[10]["weaknesses_letter"].rstrip(".") == "Single case"
    assert BY_REF[10]["study_type_letter"].rstrip(".") == "Case report"
    for ref in (1, 2, 3, 4, 6):
        assert BY_REF[ref]["key_results_letter"].startswith(
            ("No effects.", "Half of the patients", "No differences")
        )


def test_search_counts_are_the_letters() -> None:
    # "We retrieved 226 results from PubMed/MEDLINE database: ... we selected ten relevant
    # articles which were studied in detail."
    assert LETTER.contains_contiguous("We retrieved 226 results from PubMed/MEDLINE database")
    counts = [int(row["count"]) for row in read("search") if row["count"]]
    assert 226 in counts
    assert 10 in counts
    assert all(c in (226, 10) for c in counts), counts


def test_responder_counts_sample() -> None:
    rows = [r for r in read("responders") if r["source"] != "primary_source"]
    by_study = {}
    for row in rows:
        by_study.setdefault(row["study_id"], []).append(row)
    # (3) "Six patients improved by more than 10 MRC points"
    assert any(r["numerator"] == "6" for r in by_study[BY_REF[3]["study_id"]])
    # (2) "reported by three patients treated with IVIG"
    assert any(r["numerator"] == "3" for r in by_study[BY_REF[2]["study_id"]])
    # (9) "Three patients had functional improvement"
    assert any(r["numerator"] == "3" for r in by_study[BY_REF[9]["study_id"]])
    # (7) "ameliorated in all patients" of four
    assert any(r["numerator"] == r["denominator"] == "4" for r in by_study[BY_REF[7]["study_id"]])


#: Studies of the letter's Table I: their quotes are the letter's words. An added study's
#: quotes are the words of its own record (see test_added_study_quotes_are_its_key_results).
LETTER_STUDY_IDS = {r["study_id"] for r in read("studies") if r["included_by"] == "letter"}

QUOTES = [
    *(
        ("outcomes", r["outcome_id"], r["quote"])
        for r in read("outcomes")
        if r["quote"] and r["study_id"] in LETTER_STUDY_IDS
    ),
    *(
        ("responders", r["responder_id"], r["quote"])
        for r in read("responders")
        if r["source"] != "primary_source"
    ),
    *(
        ("responders", r["responder_id"] + " stated_as", r["stated_as"])
        for r in read("responders")
        if r["source"] != "primary_source"
    ),
    *(("search", r["step_id"], r["quote"]) for r in read("search") if r["quote"]),
    *(("claims", r["claim_id"], r["quote"]) for r in read("claims")),
    *(
        ("source_checks", r["check_id"], r["letter_says"])
        for r in read("source_checks")
        if r["letter_says"] != "not stated"
    ),
]


@pytest.mark.parametrize(
    ("table", "record", "quote"), QUOTES, ids=[f"{t}:{r}" for t, r, _ in QUOTES]
)
def test_quote_is_in_the_letter(table: str, record: str, quote: str) -> None:
    assert in_letter(quote), f"{table} {record}: not in the letter: {quote!r}"


def test_readme_is_up_to_date_with_the_schema() -> None:
    import yaml

    from ivigbook.data.dictionary import readme_text

    package = yaml.safe_load((DATA / "datapackage.yaml").read_text(encoding="utf-8"))
    current = (DATA / "README.md").read_text(encoding="utf-8")
    assert current == readme_text(package), "data/README.md is stale: run `make dictionary`"


def test_dictionary_frame_has_every_field() -> None:
    import yaml

    from ivigbook.data.dictionary import dictionary_frame

    package = yaml.safe_load((DATA / "datapackage.yaml").read_text(encoding="utf-8"))
    frame = dictionary_frame(package)
    expected = [(r["name"], f["name"]) for r in package["resources"] for f in r["schema"]["fields"]]
    assert list(zip(frame["resource"], frame["field"], strict=True)) == expected
    row = frame[(frame["resource"] == "studies") & (frame["field"] == "n_total")].iloc[0]
    assert bool(row["required"])
    assert row["type"] == "integer"
    assert "at least 1" in row["constraints"]
    assert frame["description"].str.len().min() > 0


def test_added_study_quotes_are_its_key_results() -> None:
    # An added study's outcome quotes come from its record, as its key results do.
    studies = {r["study_id"]: r for r in read("studies") if r["included_by"] == "update"}
    quoted = [r for r in read("outcomes") if r["study_id"] in studies and r["quote"]]
    for row in quoted:
        assert row["quote"] in studies[row["study_id"]]["key_results_letter"], row["outcome_id"]
