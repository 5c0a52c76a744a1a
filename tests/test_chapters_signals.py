"""The chapters signals, timing, biomarkers and conclusions: they execute, glue their
figures, and the key glued values equal values recomputed here from the raw CSV files with
the csv module, scipy and statsmodels directly (not through ivigbook.stats)."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from chapter_outputs import assert_glued_as, execute_chapter
from fixtures_living.living import package_with
from scipy.stats import beta

DATA = Path(__file__).resolve().parents[1] / "data"
LETTER_SEARCH = "2024-01-26"

FIGURES = {
    "signals": {"fig-signals-responders"},
    "timing": {"fig-timing-matrix"},
    "biomarkers": set(),  # its power section moved to next-trial (tests/test_next_trial.py)
    "conclusions": {"fig-conclusions-verdicts"},
}


def read_csv(name: str, data: Path = DATA) -> list[dict[str, str]]:
    with (data / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def clopper_pearson(k: int, n: int) -> tuple[float, float]:
    low = 0.0 if k == 0 else float(beta.ppf(0.025, k, n - k + 1))
    high = 1.0 if k == n else float(beta.ppf(0.975, k + 1, n - k))
    return low, high


def responder(rid: str) -> dict[str, str]:
    (row,) = [r for r in read_csv("responders") if r["responder_id"] == rid]
    return row


@pytest.mark.parametrize("chapter", sorted(FIGURES))
def test_chapter_executes_and_glues_figures(chapter: str) -> None:
    out = execute_chapter(chapter)
    assert FIGURES[chapter] <= set(out["figures"])
    assert out["values"], "the chapter glues no values"
    for cell in out["notebook"].cells:
        for output in cell.get("outputs", []):
            assert output.get("output_type") != "error"
            assert output.get("name") != "stderr", output.get("text")


@pytest.mark.parametrize("chapter", sorted(FIGURES))
def test_every_glue_used_in_text_is_defined(chapter: str) -> None:
    text = (DATA.parent / "chapters" / f"{chapter}.md").read_text(encoding="utf-8")
    out = execute_chapter(chapter)
    glued = set(out["values"]) | set(out["figures"])
    used = set(re.findall(r"\{glue:text\}`([^`:]+)", text))
    used |= set(re.findall(r"\{glue:figure\} (\S+)", text))
    assert used, "no glue references"
    assert used <= glued, sorted(used - glued)


# --------------------------------------------------------------------------------------
# signals


def test_signals_counts_and_intervals() -> None:
    values = execute_chapter("signals")["values"]
    raw = read_csv("responders")
    fixed = [r for r in raw if r["numerator"] and r["denominator"]]
    assert values["sig_n_statements"] == len(raw)
    assert values["sig_n_primary"] == sum(r["source"] == "primary_source" for r in raw)
    assert values["sig_n_letter"] == len(raw) - values["sig_n_primary"]
    assert values["sig_n_ci"] == len(fixed)
    assert values["sig_n_no_ci"] == len(raw) - len(fixed)

    widths = [clopper_pearson(int(r["numerator"]), int(r["denominator"])) for r in fixed]
    assert values["sig_widest_width"] == pytest.approx(max(h - lo for lo, h in widths))
    assert values["sig_narrowest_width"] == pytest.approx(min(h - lo for lo, h in widths))


def test_signals_crossover_interval() -> None:
    values = execute_chapter("signals")["values"]
    row = responder("dalakas1997-r1")
    k, n = int(row["numerator"]), int(row["denominator"])
    low, high = clopper_pearson(k, n)
    assert (values["sig_crossover_numerator"], values["sig_crossover_denominator"]) == (k, n)
    assert values["sig_crossover_share"] == pytest.approx(k / n)
    assert values["sig_crossover_ci_low"] == pytest.approx(low, abs=1e-9)
    assert values["sig_crossover_ci_high"] == pytest.approx(high, abs=1e-9)
    assert values["sig_crossover_quote"] == row["quote"]


def test_signals_control_none_interval_and_blinding_note() -> None:
    values = execute_chapter("signals")["values"]
    row = responder("dalakas2001-r2")
    assert values["sig_endurance_control_ci_high"] == pytest.approx(
        clopper_pearson(0, int(row["denominator"]))[1], abs=1e-9
    )
    (check,) = [
        c
        for c in read_csv("source_checks")
        if c["study_id"] == "dalakas1997" and c["topic"] == "blinding"
    ]
    assert values["sig_crossover_blinding_check"] == check["source_says"]


def test_signals_caveat_counts() -> None:
    values = execute_chapter("signals")["values"]
    studies = {s["study_id"]: s for s in read_csv("studies")}
    outcomes = {o["outcome_id"]: o for o in read_csv("outcomes")}
    raw = read_csv("responders")
    assert values["sig_n_uncontrolled"] == sum(
        studies[r["study_id"]]["controlled"] == "false" for r in raw
    )
    assert values["sig_n_subjective"] == sum(
        outcomes[r["outcome_id"]]["assessment"] != "objective" for r in raw
    )


# --------------------------------------------------------------------------------------
# timing


def test_timing_counts() -> None:
    values = execute_chapter("timing")["values"]
    # The IVIG studies, as the claim checks see them: a study by another route is in none.
    every = read_csv("studies")
    studies = [s for s in every if s["route"] == "intravenous"]
    assert len(studies) < len(every)
    assert values["tim_n_studies"] == len(studies)
    assert values["tim_n_time_to_treatment"] == sum(
        bool(s["time_to_treatment_letter"]) for s in studies
    )
    assert values["tim_n_disease_duration"] == sum(
        bool(s["disease_duration_letter"]) for s in studies
    )
    assert values["tim_n_treatment_duration"] == sum(
        bool(s["treatment_duration_letter"] or s["treatment_months"]) for s in studies
    )
    assert values["tim_n_concomitant"] == sum(bool(s["concomitant_treatment"]) for s in studies)


def test_timing_quotes_come_from_the_data() -> None:
    values = execute_chapter("timing")["values"]
    (foreman,) = [s for s in read_csv("studies") if s["study_id"] == "foreman2017"]
    (scope,) = [
        c
        for c in read_csv("source_checks")
        if c["study_id"] == "foreman2017" and c["topic"] == "scope"
    ]
    (claim,) = [c for c in read_csv("claims") if c["claim_id"] == "responders_started_earlier"]
    assert values["tim_foreman_results"] == foreman["key_results_letter"]
    assert values["tim_foreman_n_letter"] == foreman["n_total_letter"]
    assert values["tim_foreman_scope"] == scope["source_says"]
    assert "57 patients" in values["tim_foreman_scope"]
    assert values["tim_claim_quote"] == claim["quote"]


# --------------------------------------------------------------------------------------
# biomarkers

#: The outcomes the biomarkers chapter quotes, by glue name (its prose names each study).
BIOMARKER_QUOTES = {
    "bio_biopsy_markers": "zschuntzsch2012-biopsy_markers",
    "bio_necrosis": "dalakas2001-biopsy_necrosis",
    "bio_ck_soueidan": "soueidan-ck",
    "bio_ck_recher": "recher-ck",
}


def test_biomarkers_quotes_counts_and_ck_interval() -> None:
    values = execute_chapter("biomarkers")["values"]
    outcomes = {o["outcome_id"]: o for o in read_csv("outcomes")}
    for glued, outcome_id in BIOMARKER_QUOTES.items():
        assert values[glued] == (outcomes[outcome_id]["quote"] or "not reported")
    row = responder("dobloug2012-r5")
    low, high = clopper_pearson(int(row["numerator"]), int(row["denominator"]))
    assert values["bio_ck_dobloug"] == row["quote"]
    assert values["bio_ck_dobloug_low"] == pytest.approx(low, abs=1e-9)
    assert values["bio_ck_dobloug_high"] == pytest.approx(high, abs=1e-9)
    serum_or_tissue = [o for o in outcomes.values() if o["domain"] in ("serum", "histology")]
    assert values["bio_n_marker_outcomes"] == len(serum_or_tissue)
    assert values["bio_n_marker_studies"] == len({o["study_id"] for o in serum_or_tissue})
    # The answer follows the verdict on the letter's claim (tests/test_claims.py checks it).
    assert values["bio_in_short"].startswith(
        "No marker is known" if values["bio_verdict"] == "supported" else "The data do not"
    )
    assert f"The {len(serum_or_tissue)} serum and biopsy results" in values["bio_in_short"]


# --------------------------------------------------------------------------------------
# conclusions


def expected_conclusions(data: Path) -> dict[str, int]:
    studies = read_csv("studies", data)
    outcomes = read_csv("outcomes", data)
    benefit = {
        o["study_id"]
        for o in outcomes
        if o["assessment"] == "objective" and o["result"] == "improved"
    }
    trials = [s for s in studies if s["design"] in ("placebo_controlled_trial", "controlled_trial")]
    controlled = [s for s in studies if s["controlled"] == "true"]
    return {
        "n_trials": len(trials),
        "n_trial_patients": sum(int(s["n_total"]) for s in trials),
        "n_trial_benefit": sum(s["study_id"] in benefit for s in trials),
        "n_controlled": len(controlled),
        "n_controlled_patients": sum(int(s["n_total"]) for s in controlled),
        "n_controlled_benefit": sum(s["study_id"] in benefit for s in controlled),
        "n_added": sum(
            s["included_by"] == "update" or s["added_on"] > LETTER_SEARCH for s in studies
        ),
    }


def test_conclusions_counts() -> None:
    values = execute_chapter("conclusions")["values"]
    exp = expected_conclusions(DATA)
    names = {
        "con_n_trials": "n_trials",
        "con_n_trial_patients": "n_trial_patients",
        "con_n_trials_objective_benefit": "n_trial_benefit",
        "con_n_controlled": "n_controlled",
        "con_n_controlled_patients": "n_controlled_patients",
        "con_n_controlled_objective_benefit": "n_controlled_benefit",
        "con_n_added": "n_added",
    }
    assert_glued_as(values, exp, names)
    n_claims = len(read_csv("claims"))
    assert values["con_n_claims"] == n_claims
    verdicts = ("supported", "partly_supported", "contradicted", "not_testable")
    assert sum(values[f"con_n_{v}"] for v in verdicts) == n_claims
    assert f"{n_claims} claims" in values["con_verdict_sentence"]


def test_conclusions_sentences_follow_the_data() -> None:
    values = execute_chapter("conclusions")["values"]
    exp = expected_conclusions(DATA)
    sentence = values["con_trials_sentence"]
    assert f"{exp['n_trials']} controlled trials ({exp['n_trial_patients']} patients)" in sentence
    if exp["n_trial_benefit"] == 0:
        assert sentence.startswith("None of")
    else:
        assert not sentence.startswith("None of")
    if exp["n_added"] == 0:
        assert values["con_update_sentence"].startswith("No study has been added")
    else:
        assert values["con_update_sentence"].startswith(f"{_in_words(exp['n_added'])} stud")


#: Counts as running text gives them at the start of a sentence (words up to twelve).
_WORDS = [
    "One",
    "Two",
    "Three",
    "Four",
    "Five",
    "Six",
    "Seven",
    "Eight",
    "Nine",
    "Ten",
    "Eleven",
    "Twelve",
]


def _in_words(n: int) -> str:
    return _WORDS[n - 1] if 1 <= n <= len(_WORDS) else f"{n:,}"


@pytest.fixture(scope="module")
def updated_package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The data package plus one (fictitious) placebo-controlled trial added by an update,
    reporting an objective improvement (``tests/fixtures_living/positive_trial``): the
    conclusions must change their wording."""
    return package_with(tmp_path_factory.mktemp("updated") / "data", "positive_trial")


def test_conclusions_update_with_an_added_study(updated_package: Path) -> None:
    values = execute_chapter("conclusions", data_dir=updated_package)["values"]
    exp = expected_conclusions(updated_package)
    # The test trial, plus the studies the real data already added since the letter.
    real_added = sum(s["included_by"] == "update" for s in read_csv("studies"))
    assert exp["n_added"] == 1 + real_added
    assert exp["n_trial_benefit"] == 1
    assert values["con_n_added"] == 1 + real_added
    assert values["con_update_sentence"].startswith(
        f"{_in_words(1 + real_added)} {'study has' if real_added == 0 else 'studies have'} "
        "been added"
    )
    assert values["con_n_trials"] == exp["n_trials"]
    assert values["con_trials_sentence"].startswith(
        f"1 of the {exp['n_trials']} controlled trials ({exp['n_trial_patients']} patients)"
    )


def test_signals_chapter_marks_letter_only_and_confounded_results() -> None:
    """The case-series section names Foreman's figures as the letter's only and the balloon
    dilation as what confounds the added series' IVIG result."""
    values = execute_chapter("signals")["values"]
    assert "Foreman 2017" in values["sig_letter_only"]
    assert "balloon dilation" in values["sig_confounding"]
