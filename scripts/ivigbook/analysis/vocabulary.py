"""The book's vocabulary, defined once: the labels a reader sees for the coded values of the
data package, the verdicts, and the sets of designs and domains that the analyses share."""

from __future__ import annotations

# Labels a reader sees for the coded values of the data package, in display order.
DESIGN_LABELS = {
    "placebo_controlled_trial": "Placebo-controlled trial",
    "controlled_trial": "Controlled trial",
    "case_control": "Case-control study",
    "open_label": "Open-label study",
    "case_series": "Case series",
    "case_report": "Case report",
}
RESULT_LABELS = {
    "improved": "Improved",
    "subjective_improvement": "Subjective improvement",
    "trend": "Non-significant trend",
    "not_clinically_relevant": "Change without clinical relevance",
    "no_effect": "No effect",
    "not_reported": "Not reported",
}


#: Results from most to least favourable, for the objective "overall result" of a study.
OVERALL_RANK: tuple[str, ...] = (
    "improved",
    "trend",
    "not_clinically_relevant",
    "no_effect",
    "subjective_improvement",
    "not_reported",
)
#: Assessments in the order in which they may decide a study's overall result.
ASSESSMENT_ORDER: tuple[str, ...] = ("objective", "unclear", "subjective")
#: Designs that are prospective trials with a comparator.
TRIAL_DESIGNS: tuple[str, ...] = ("placebo_controlled_trial", "controlled_trial")
#: Routes of immunoglobulin that count as IVIG: the letter's claims are about these only.
IVIG_ROUTES: tuple[str, ...] = ("intravenous",)
ROUTE_LABELS = {"intravenous": "Intravenous (IVIG)", "subcutaneous": "Subcutaneous (SCIg)"}
#: How a patient-important domain reads in a sentence about benefit ("... on muscle strength").
DOMAIN_PHRASES = {
    "strength": "muscle strength",
    "swallowing": "swallowing",
    "function": "daily function",
}
#: Routes in plain words, for sentences ("gave immunoglobulin under the skin").
ROUTE_WORDS = {"intravenous": "into a vein", "subcutaneous": "under the skin"}
#: A route's abbreviation, in the name of a study whose record names no author.
ROUTE_SHORT = {"intravenous": "IVIG", "subcutaneous": "SCIg"}
#: What a reader sees for an update search's screening decisions, in flow order.
DECISION_LABELS = {
    "excluded_screening": "Excluded at screening",
    "already_included": "Already in the letter's Table I",
    "excluded_assessment": "Excluded after assessment",
    "included": "Included",
}
#: A later search in running text, by what it was run against: (one, several).
SEARCH_RUN_WORDS = {
    "pubmed": ("a search of PubMed itself", "searches of PubMed itself"),
    "stored_copies": (
        "a preliminary search of stored copies of public records",
        "preliminary searches of stored copies of public records",
    ),
}
RUN_AGAINST_LABELS = {"pubmed": "PubMed itself", "stored_copies": "stored copies of public records"}
#: What a guidance says about IVIG in IBM.
DIRECTION_LABELS = {
    "against": "Advises against",
    "conditional_for": "Supports in a defined situation",
    "no_recommendation": "No recommendation on IVIG",
}
#: The first author of an added study whose record shows no author list (the data's words).
AUTHOR_NOT_REPORTED = "not reported"

NOT_REPORTED = "not reported"

MEASURE_LABELS = {
    "mmt": "MMT",
    "qmt": "QMT",
    "swallowing": "Swallowing",
    "oesophageal_manometry": "Oesophageal manometry",
    "disability_score": "Disability score",
    "functional_score": "Functional score",
    "ck": "CK",
    "emg": "EMG",
    "nss": "NSS",
    "biopsy_necrosis": "Biopsy: necrotic fibres",
    "biopsy_t_cells": "Biopsy: T cells",
    "biopsy_markers": "Biopsy: markers",
    "mri": "MRI",
    "endurance_adl": "Endurance and ADL",
    "fatigue": "Fatigue",
    "self_reported_strength": "Self-reported strength",
    "self_reported_dysphagia": "Self-reported dysphagia",
    "patient_global": "Patient's global rating",
    "favourable_response": "Favourable response",
    "strength_unspecified": "Strength (method not reported)",
}
#: Domains of outcomes, as tables and charts label them.
DOMAIN_LABELS = {
    "strength": "Strength",
    "swallowing": "Swallowing",
    "function": "Function",
    "serum": "Serum",
    "electrophysiology": "EMG",
    "symptoms": "Symptoms",
    "histology": "Histology",
    "imaging": "Imaging",
    "global": "Global",
}
ASSESSMENT_LABELS = {"objective": "Objective", "subjective": "Subjective", "unclear": "Unclear"}
BASIS_LABELS = {
    "explicit": "Stated for this measure",
    "blanket": "From a blanket statement",
    "none": "No result reported",
}


SOURCE_LABELS = {
    "letter_table": "Letter, Table I",
    "letter_caption": "Letter, caption of Table I",
    "letter_text": "Letter, text",
    "primary_source": "Primary source (checked)",
}
#: Added to the source of a figure that rests on the letter alone (cohorts.letter_only_checks).
LETTER_ONLY_NOTE = "the letter's only: not checkable against the study's own record"
GROUP_LABELS = {"ivig": "IVIG", "control": "Control", "subgroup": "IVIG subgroup"}
#: Responder groups of patients treated with IVIG (a comparison group is not one of them).
TREATED_GROUPS = frozenset({"ivig", "subgroup"})
#: Measures in words, for sentences (the chart labels are :data:`MEASURE_LABELS`).
MEASURE_NAMES = {
    "mmt": "manual muscle testing",
    "qmt": "quantitative muscle testing",
    "swallowing": "swallowing studies",
    "oesophageal_manometry": "oesophageal manometry",
    "disability_score": "disability score",
    "functional_score": "functional score",
    "ck": "serum CK",
    "emg": "EMG",
    "nss": "symptom score (NSS)",
    "biopsy_necrosis": "necrotic fibres (biopsy)",
    "biopsy_t_cells": "T cells (biopsy)",
    "biopsy_markers": "biopsy markers",
    "mri": "muscle MRI",
    "endurance_adl": "endurance, daily activities",
    "fatigue": "fatigue",
    "self_reported_strength": "self-reported strength",
    "self_reported_dysphagia": "self-reported dysphagia",
    "patient_global": "patient's global assessment",
    "favourable_response": "favourable response (undefined)",
    "strength_unspecified": "muscle strength (method not reported)",
}

SUPPORTED = "supported"
#: Supported on the credible evidence, with a weaker result against it named in one sentence
#: (a secondary or unadjusted result, or one of very low certainty: see
#: :func:`ivigbook.analysis.claims.bases.weak_results`).
QUALIFIED = "supported with a qualification"
PARTLY = "partly supported"
CONTRADICTED = "contradicted"
NOT_TESTABLE = "not testable"
#: The verdicts, in display order.
VERDICTS = (SUPPORTED, QUALIFIED, PARTLY, CONTRADICTED, NOT_TESTABLE)

#: What a checked result is in its study (checked_results.outcome_role), in words, for the
#: sentence that weighs it against a claim.
OUTCOME_ROLE_WORDS = {
    "primary": "the study's primary outcome",
    "secondary": "a secondary outcome",
    "not_reported": "one of several outcomes, none of them named primary,",
}
#: Whether the source adjusts it for multiple comparisons (checked_results.multiplicity).
MULTIPLICITY_WORDS = {
    "adjusted": "adjusted for multiple comparisons",
    "unadjusted": "not adjusted for multiple comparisons",
    "not_reported": "with no adjustment for multiple comparisons reported",
}

#: What a source check is about (source_checks.topic), in words.
CHECK_TOPIC_LABELS = {
    "patients": "patients",
    "responders": "responders",
    "result": "result",
    "effect_size": "size of the effect",
    "design": "design",
    "blinding": "blinding",
    "scope": "scope",
    "withdrawals": "withdrawals",
    "harms": "harms",
}

#: Domains whose measures are markers (serum values, biopsy findings).
MARKER_DOMAINS = ("serum", "histology")

# ------------------------------------------------------------------------------------------
# Appraisal: risk of bias, certainty, harms

#: Risk-of-bias judgements in display order, with the label and the symbol that stands
#: beside the colour (so that colour is never the only cue). ``not_assessed`` marks a study
#: of the data that has no row in risk_of_bias.csv.
ROB_JUDGEMENT_LABELS = {
    "low": "Low risk",
    "unclear": "Unclear risk",
    "high": "High risk",
    "not_assessed": "Not assessed",
}
ROB_SYMBOLS = {"low": "+", "unclear": "?", "high": "\u2212", "not_assessed": "\u00b7"}
ROB_TOOL_LABELS = {
    "rob1": "Randomised trials: Cochrane risk-of-bias tool (version 1)",
    "nrs": "Other studies: the book's four-domain scheme",
}
ROB_DOMAIN_LABELS = {
    "sequence_generation": "Random sequence generation",
    "allocation_concealment": "Allocation concealment",
    "blinding_participants": "Blinding of participants and staff",
    "blinding_outcome": "Blinding of outcome assessment",
    "incomplete_data": "Incomplete outcome data",
    "selective_reporting": "Selective reporting",
    "other_bias": "Other bias",
    "comparison": "Comparison group",
    "confounding": "Confounding and co-treatment",
    "measurement": "Outcome measurement",
    "selection": "Selection of patients",
}
ROB_SOURCE_LABELS = {
    "cochrane": "Cochrane review (published judgement)",
    "book": "The book's judgement",
}
#: Each certainty level: its label and GRADE's circles (filled for each level of certainty kept).
CERTAINTY = {
    "high": ("High", "\u2295\u2295\u2295\u2295"),
    "moderate": ("Moderate", "\u2295\u2295\u2295\u25cb"),
    "low": ("Low", "\u2295\u2295\u25cb\u25cb"),
    "very_low": ("Very low", "\u2295\u25cb\u25cb\u25cb"),
}
CERTAINTY_LABELS = {key: label for key, (label, _) in CERTAINTY.items()}
CERTAINTY_SYMBOLS = {key: symbol for key, (_, symbol) in CERTAINTY.items()}
#: What each certainty level means, in GRADE's words for readers.
CERTAINTY_MEANINGS = {
    "high": "further research is very unlikely to change the estimate",
    "moderate": "further research may well change the estimate",
    "low": "further research is likely to change the estimate",
    "very_low": "any estimate is very uncertain",
}
GRADE_DOMAIN_LABELS = {
    "risk_of_bias": "Risk of bias",
    "inconsistency": "Inconsistency",
    "indirectness": "Indirectness",
    "imprecision": "Imprecision",
    "publication_bias": "Publication bias",
}
FINDING_LABELS = {
    "strength": "Muscle strength",
    "swallowing": "Swallowing",
    "function": "Function and daily activities",
    "symptoms": "Patient-reported symptoms",
    "adverse_events": "Adverse events and withdrawals",
}
HARM_KIND_LABELS = {"adverse_event": "Adverse event", "withdrawal": "Withdrawal"}
ARM_LABELS = {"ivig": "IVIG", "control": "Control or placebo", "not_stated": "Arm not stated"}
#: The immunoglobulin arm of a study whose route is subcutaneous (harms.arm "ivig").
SCIG_ARM_LABEL = "SCIg"

#: The one definition of "an improvement" used by every count, chart and verdict: an outcome
#: whose result is improved on an objective measure (assessment objective).
IMPROVEMENT_RESULT = "improved"
OBJECTIVE = "objective"

#: An illustrative body weight for turning g/kg into grams: an assumption, not data (the
#: letter reports no weights). Chapters that let a reader change it do so in a parameters cell.
ILLUSTRATIVE_BODY_WEIGHT_KG = 70


def chapter_label(chapter: object) -> str:
    """A chapter of ``claims.csv`` as a table or a chart names it: "next-trial" reads
    "Next trial"."""
    return str(chapter).replace("-", " ").capitalize()
