"""Cross-table rules: what a Table Schema cannot express (:data:`CROSS_TABLE_RULES`).

They run after frictionless has checked each table (:mod:`ivigbook.data.read`), on the typed
rows of the tables it could read; a value frictionless found invalid reads ``None`` here. Each
rule is a check registered by :func:`rule` with its words (for ``data/README.md``) and the
fields it needs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from ivigbook.data.problems import BIBLIOGRAPHY, CITATION_FIELD, Problem, shown
from ivigbook.data.read import Row, Table
from ivigbook.data.templates import MAX_WORDS, template_problems


@dataclass
class Context:
    tables: dict[str, Table]
    bib_keys: frozenset[str] | None

    def rows(self, resource: str) -> list[Row]:
        return self.tables[resource].rows

    def reporter(self, resource: str, rule: str) -> Callable[..., Problem]:
        """``bad(row, field, text[, value])``: the problem of ``rule`` broken at ``row``, with
        ``, violated by value "{value}"`` when a value is given."""
        file = self.tables[resource].file

        def bad(row: Row, field: str, text: str, *value: object) -> Problem:
            shown_value = f", violated by value {shown(value[0])}" if value else ""
            return Problem(file, row.line, field, rule, text + shown_value)

        return bad


Check = Callable[[Context], Iterator[Problem]]


@dataclass(frozen=True)
class CrossRule:
    """A rule a Table Schema cannot express: its words, the fields it needs and its check."""

    name: str
    words: str
    needs: dict[str, tuple[str, ...]]
    check: Check


#: The project's rules beyond Table Schema, in the order they are checked and documented.
CROSS_TABLE_RULES: list[CrossRule] = []


def rule(words: str | None = None, **needs: tuple[str, ...]) -> Callable[[Check], Check]:
    """Register ``check`` as the rule named after it, in its docstring's words (or ``words``);
    ``needs``: resource -> the fields it reads."""

    def register(check: Check) -> Check:
        text = " ".join((words or check.__doc__ or "").split())
        CROSS_TABLE_RULES.append(CrossRule(check.__name__.lstrip("_"), text, needs, check))
        return check

    return register


@rule(studies=("n_total", "n_ivig", "n_control", "crossover", "controlled"))
def _arms(ctx: Context) -> Iterator[Problem]:
    """Arms add up. In a crossover study (crossover true) every patient had IVIG: n_ivig equals
    n_total and n_control is 0. Otherwise n_ivig + n_control equals n_total. An uncontrolled
    study (controlled false) has n_control 0."""
    bad = ctx.reporter("studies", "arms")
    for row in ctx.rows("studies"):
        v = row.typed
        total, ivig, control = v["n_total"], v["n_ivig"], v["n_control"]
        if None in (total, ivig, control):
            continue
        if v["crossover"] is True:
            if ivig != total:
                yield bad(row, "n_ivig", f"crossover study needs n_ivig == n_total ({total})", ivig)
            if control != 0:
                yield bad(row, "n_control", "crossover study needs n_control == 0", control)
        elif ivig + control != total:
            msg = f"n_ivig + n_control ({ivig} + {control}) must equal n_total"
            yield bad(row, "n_total", msg, total)
        if v["controlled"] is False and control != 0:
            yield bad(row, "n_control", "uncontrolled study needs n_control == 0", control)


@rule(studies=("included_by", "letter_ref"))
def _included_by(ctx: Context) -> Iterator[Problem]:
    """A study has a letter_ref exactly when included_by is letter."""
    bad = ctx.reporter("studies", "included_by")
    for row in ctx.rows("studies"):
        included, ref = row.typed["included_by"], row.typed["letter_ref"]
        if included is not None and (included == "letter") != (ref is not None):
            needs = "a letter_ref" if included == "letter" else "an empty letter_ref"
            yield bad(row, "included_by", f"included_by {included} needs {needs}", included)


@rule(studies=("study_id",), claims=("scope_studies",))
def _scope(ctx: Context) -> Iterator[Problem]:
    """A claim's scope_studies are study_ids of studies.csv, separated by "; "."""
    known = {row.typed["study_id"] for row in ctx.rows("studies")}
    bad = ctx.reporter("claims", "scope")
    for row in ctx.rows("claims"):
        scope = row.typed["scope_studies"]
        if scope is None:
            continue
        for study in (part.strip() for part in str(scope).split(";")):
            if study not in known:
                yield bad(row, "scope_studies", "not a study_id", study)


@rule(
    responders=("numerator", "denominator", "group", "study_id", "outcome_id"),
    studies=("study_id", "n_ivig", "n_control"),
    outcomes=("outcome_id", "study_id"),
)
def _responders(ctx: Context) -> Iterator[Problem]:
    """Responder counts fit their study. numerator is at most denominator; denominator is at most
    the arm it counts (n_ivig for groups ivig and subgroup, n_control for control); a
    control-group count needs a study with n_control above 0; the outcome (outcome_id) belongs
    to the same study as the count."""
    bad = ctx.reporter("responders", "responders")
    studies = {r.typed["study_id"]: r.typed for r in ctx.rows("studies")}
    outcomes = {r.typed["outcome_id"]: r.typed for r in ctx.rows("outcomes")}
    for row in ctx.rows("responders"):
        v = row.typed
        num, den, group, sid = v["numerator"], v["denominator"], v["group"], v["study_id"]
        if num is not None and den is not None and num > den:
            yield bad(row, "numerator", f"numerator must not exceed denominator ({den})", num)
        outcome = outcomes.get(v["outcome_id"])
        if outcome is not None and sid is not None and outcome["study_id"] != sid:
            msg = f"outcome belongs to study {outcome['study_id']}, not {sid}"
            yield bad(row, "outcome_id", msg, v["outcome_id"])
        study = studies.get(sid)
        if study is None or group is None:
            continue
        arm_field = "n_control" if group == "control" else "n_ivig"
        arm = study[arm_field]
        if group == "control" and arm is not None and arm <= 0:
            msg = f"group control needs a study with n_control > 0 ({sid} has {arm})"
            yield bad(row, "group", msg, group)
        elif den is not None and arm is not None and den > arm:
            msg = f"denominator must not exceed the study's {arm_field} ({arm})"
            yield bad(row, "denominator", msg, den)


@rule(outcomes=("result", "result_basis", "quote"))
def _outcomes(ctx: Context) -> Iterator[Problem]:
    """An outcome's result_basis is none exactly when its result is not_reported, and it has a
    quote unless its result is not_reported."""
    bad = ctx.reporter("outcomes", "outcomes")
    for row in ctx.rows("outcomes"):
        result, basis, quote = row.typed["result"], row.typed["result_basis"], row.typed["quote"]
        if result is None or basis is None:
            continue
        if basis == "none" and result != "not_reported":
            yield bad(row, "result_basis", "result_basis none needs result not_reported", basis)
        elif basis != "none" and result == "not_reported":
            yield bad(row, "result_basis", "result not_reported needs result_basis none", basis)
        if result != "not_reported" and quote is None:
            yield bad(row, "quote", f"quote required when result is {result}")


@rule(search=("step_order", "reported", "count", "quote"))
def _search(ctx: Context) -> Iterator[Problem]:
    """The search steps' step_order runs 1, 2, ... n without gaps. A step the letter does not
    report (reported false) has no count and no quote; a reported step has a quote."""
    bad = ctx.reporter("search", "search")
    rows = [r for r in ctx.rows("search") if r.typed["step_order"] is not None]
    orders = {r.typed["step_order"] for r in rows}
    for gap in (k for k in range(1, max(orders, default=0) + 1) if k not in orders):
        after = min(
            (r for r in rows if r.typed["step_order"] > gap), key=lambda r: r.typed["step_order"]
        )
        msg = f"steps must run 1..n without gaps: step {gap} missing before value"
        yield bad(after, "step_order", f"{msg} {shown(after.typed['step_order'])}")
    for row in ctx.rows("search"):
        v = row.typed
        if v["reported"] is False:
            for name in ("count", "quote"):
                if v[name] is not None:
                    yield bad(row, name, "must be empty when reported is false", v[name])
        elif v["reported"] is True and v["quote"] is None:
            yield bad(row, "quote", "quote required when reported is true")


#: The domains of each risk-of-bias tool, in display order (risk_of_bias.tool -> domains).
_ROB1: tuple[str, ...] = ("sequence_generation", "allocation_concealment", "blinding_participants")
_ROB1 += ("blinding_outcome", "incomplete_data", "selective_reporting", "other_bias")
ROB_DOMAINS = {"rob1": _ROB1, "nrs": ("comparison", "confounding", "measurement", "selection")}
#: GRADE certainty levels from highest to lowest, and the GRADE domains rated per outcome.
CERTAINTY_LEVELS: tuple[str, ...] = ("high", "moderate", "low", "very_low")
GRADE_DOMAINS: tuple[str, ...] = ("risk_of_bias", "inconsistency", "indirectness", "imprecision")
GRADE_DOMAINS += ("publication_bias",)


@rule(
    "A risk-of-bias domain belongs to its tool (rob1: "
    + ", ".join(ROB_DOMAINS["rob1"])
    + "; nrs: "
    + ", ".join(ROB_DOMAINS["nrs"])
    + "), and each study is judged with one tool.",
    risk_of_bias=("study_id", "tool", "domain"),
)
def _risk_of_bias(ctx: Context) -> Iterator[Problem]:
    bad = ctx.reporter("risk_of_bias", "risk_of_bias")
    tools: dict[str, set[str]] = {}
    for row in ctx.rows("risk_of_bias"):
        tool, domain, study = row.typed["tool"], row.typed["domain"], row.typed["study_id"]
        if tool is None or domain is None:
            continue
        if domain not in ROB_DOMAINS.get(tool, ()):
            msg = f"tool {tool} has domains {', '.join(ROB_DOMAINS.get(tool, ()))}"
            yield bad(row, "domain", msg, domain)
        if study is not None:
            tools.setdefault(study, set()).add(tool)
            if len(tools[study]) > 1:
                yield bad(row, "tool", "a study is judged with one tool", tool)


@rule(
    "Every outcome of the summary of findings has one row per GRADE domain in downgrades "
    "(" + ", ".join(GRADE_DOMAINS) + "), and its certainty is its start lowered by the sum "
    "of the levels (never below very_low).",
    findings=("outcome", "start", "certainty"),
    downgrades=("outcome", "grade_domain", "levels"),
)
def _certainty(ctx: Context) -> Iterator[Problem]:
    bad = ctx.reporter("findings", "certainty")
    levels: dict[str, dict[str, int]] = {}
    for row in ctx.rows("downgrades"):
        v = row.typed
        if v["outcome"] is not None and v["grade_domain"] is not None and v["levels"] is not None:
            levels.setdefault(v["outcome"], {})[v["grade_domain"]] = v["levels"]
    for row in ctx.rows("findings"):
        outcome, start, certainty = (row.typed[k] for k in ("outcome", "start", "certainty"))
        if outcome is None or start is None or certainty is None:
            continue
        mine = levels.get(outcome, {})
        if missing := [d for d in GRADE_DOMAINS if d not in mine]:
            msg = f"every GRADE domain needs a row in downgrades.csv, missing {', '.join(missing)}"
            yield bad(row, "outcome", f"{msg} for value {shown(outcome)}")
            continue
        index = min(CERTAINTY_LEVELS.index(start) + sum(mine.values()), len(CERTAINTY_LEVELS) - 1)
        if certainty != CERTAINTY_LEVELS[index]:
            msg = f"start {start} downgraded by {sum(mine.values())} level(s) gives"
            yield bad(row, "certainty", f"{msg} {CERTAINTY_LEVELS[index]}", certainty)


#: The update search's steps that count screened_records by decision.
_DECISION_STEPS = {
    "excluded_screening": "excluded_screening",
    "already_included": "already_included",
    "excluded_assessment": "excluded_assessment",
    "included": "studies_included",
}
#: Steps a search may leave out, counted as 0: records found by other methods than the
#: queries (PRISMA 2020's "other methods", e.g. reference lists of reviews).
_OPTIONAL_STEPS = frozenset({"records_other_methods"})
#: Each update search's arithmetic: the first step equals the sum (or difference) of the others.
_SEARCH_SUMS = (
    ("records_screened", ("records_identified", "records_other_methods"), ("duplicates_removed",)),
    ("records_screened", ("excluded_screening", "already_included", "records_assessed"), ()),
    ("records_assessed", ("excluded_assessment", "studies_included"), ()),
)


@rule(
    update_search=("search_id", "step_id", "count"),
    screened_records=("search_id", "decision", "study_id"),
)
def _update_search(ctx: Context) -> Iterator[Problem]:
    """An update search's counts add up: records_screened = records_identified +
    records_other_methods (0 where the search records none) - duplicates_removed =
    excluded_screening + already_included + records_assessed, and records_assessed =
    excluded_assessment + studies_included. Each count of a decision equals the screened_records
    rows with that decision, and records_screened equals all of the search's rows. An included
    or already_included record names its study; an excluded one does not."""
    bad = ctx.reporter("update_search", "update_search")
    steps: dict[str, dict[str, Row]] = {}
    for row in ctx.rows("update_search"):
        v = row.typed
        if v["search_id"] is not None and v["step_id"] is not None and v["count"] is not None:
            steps.setdefault(v["search_id"], {})[v["step_id"]] = row
    records: dict[str, list[Row]] = {}
    for row in ctx.rows("screened_records"):
        if row.typed["search_id"] is not None:
            records.setdefault(row.typed["search_id"], []).append(row)
    for search_id, by_step in steps.items():
        last = max(by_step.values(), key=lambda r: r.line)
        # A step a search may leave out (records found by other methods) counts as 0.
        count = dict.fromkeys(_OPTIONAL_STEPS, 0) | {
            step: row.typed["count"] for step, row in by_step.items()
        }
        for target, plus, minus in _SEARCH_SUMS:
            if missing := [s for s in (target, *plus, *minus) if s not in count]:
                yield bad(
                    last, "step_id", f"search {search_id}: step(s) {', '.join(missing)} missing"
                )
                continue
            total = sum(count[s] for s in plus) - sum(count[s] for s in minus)
            if count[target] != total:
                shown = [s for s in plus if s not in _OPTIONAL_STEPS or s in by_step]
                words = " + ".join(shown) + "".join(f" - {s}" for s in minus)
                msg = f"search {search_id}: {target} ({count[target]}) must equal {words} ({total})"
                yield bad(by_step[target], "count", msg)
        rows = records.get(search_id, [])
        listed = {"records_screened": (len(rows), "rows of the search")}
        for decision, step in _DECISION_STEPS.items():
            n = sum(r.typed["decision"] == decision for r in rows)
            listed[step] = (n, f"rows with decision {decision}")
        for step, (n, which) in listed.items():
            if step in count and count[step] != n:
                msg = f"{step} ({count[step]}) must equal the {n} screened_records {which}"
                yield bad(by_step[step], "count", f"search {search_id}: {msg}")
    bad = ctx.reporter("screened_records", "update_search")
    for row in ctx.rows("screened_records"):
        decision, study = row.typed["decision"], row.typed["study_id"]
        needs_study = decision in ("included", "already_included")
        if needs_study and study is None:
            yield bad(row, "study_id", f"required when decision is {decision}")
        elif decision is not None and not needs_study and study is not None:
            yield bad(row, "study_id", f"must be empty when decision is {decision}", study)


@rule(
    update_searches=("search_id", "run_against", "query_id", "records_found"),
    update_search=("search_id", "step_id", "count"),
    screened_records=("identifier",),
    screening_worksheet=("pmid", "doi", "decision", "reason"),
)
def _pubmed_run(ctx: Context) -> Iterator[Problem]:
    """A search run on PubMed names its query (query_id) and PubMed's count (records_found), which
    equals its records_identified once screened. No record of the screening worksheet is in
    screened_records already (by PMID or DOI), and a decision there has a reason."""
    bad = ctx.reporter("update_searches", "pubmed_run")
    identified = {
        r.typed["search_id"]: r.typed["count"]
        for r in ctx.rows("update_search")
        if r.typed["step_id"] == "records_identified"
    }
    for row in ctx.rows("update_searches"):
        v = row.typed
        if v["run_against"] == "pubmed":
            yield from (
                bad(row, k, "required on PubMed")
                for k in ("query_id", "records_found")
                if v[k] is None
            )
        found, counted = v["records_found"], identified.get(v["search_id"])
        if found is not None and counted is not None and found != counted:
            yield bad(
                row, "records_found", f"must equal the run's records_identified ({counted})", found
            )
    pmids, dois = identifiers(
        "; ".join(r.typed["identifier"] or "" for r in ctx.rows("screened_records"))
    )
    bad = ctx.reporter("screening_worksheet", "pubmed_run")
    for row in ctx.rows("screening_worksheet"):
        v = row.typed
        if v["pmid"] in pmids or (v["doi"] and v["doi"].lower() in dois):
            yield bad(row, "pmid", "already in screened_records", v["pmid"])
        if v["decision"] is not None and not (v["reason"] or "").strip():
            yield bad(row, "reason", "required with a decision")


_PMID = re.compile(r"\bPMID:?\s*(\d+)", re.IGNORECASE)
_DOI = re.compile(r"\b(10\.\d{4,9}/[^\s;,]+)")


def identifiers(text: str) -> tuple[set[str], set[str]]:
    """The PMIDs and (lower-case) DOIs named in a screened record's ``identifier``."""
    return set(_PMID.findall(text)), {d.rstrip(".").lower() for d in _DOI.findall(text)}


#: The fields of claims.csv that hold reason templates (:mod:`ivigbook.data.templates`).
TEMPLATE_FIELDS = ("reason_template", "reason_template_untestable")


@rule(
    "A claim's reason templates are plain text of at most "
    f"{MAX_WORDS} words whose only braces are placeholders: {{name}}, {{name:noun}} or "
    "{name:one/many}. (Which facts a check provides, the tests check.)",
    claims=TEMPLATE_FIELDS,
)
def _reason_template(ctx: Context) -> Iterator[Problem]:
    bad = ctx.reporter("claims", "reason_template")
    for row in ctx.rows("claims"):
        for name in TEMPLATE_FIELDS:
            template = row.typed.get(name)
            yield from (bad(row, name, text) for text in template_problems(template or ""))


@rule(
    f"Every {CITATION_FIELD} (in any table) is the key of an entry in {BIBLIOGRAPHY}, "
    "which must parse as BibTeX.",
)
def _citation(ctx: Context) -> Iterator[Problem]:
    for table in ctx.tables.values() if ctx.bib_keys is not None else ():
        if CITATION_FIELD not in table.field_names or not table.readable:
            continue
        bad = ctx.reporter(table.name, "citation")
        for row in table.rows:
            key = row.typed[CITATION_FIELD]
            if key is not None and key not in (ctx.bib_keys or ()):
                yield bad(row, CITATION_FIELD, f"no entry in {BIBLIOGRAPHY} for value {shown(key)}")


def check_cross_tables(ctx: Context, descriptor_name: str, problems: list[Problem]) -> None:
    """Run every rule whose tables and fields exist and could be read."""
    for each in CROSS_TABLE_RULES:
        needed: list[tuple[str | None, str]] = []
        for resource, names in each.needs.items():
            if resource not in ctx.tables:
                needed.append((None, f"resource {resource!r}"))
                continue
            fields = ctx.tables[resource].field_names
            needed += [(f"{resource}.{n}", "this field") for n in names if n not in fields]
        for field, what in needed:
            msg = f"rule {each.name} needs {what}"
            problems.append(Problem(descriptor_name, None, field, "descriptor", msg))
        if not needed and all(ctx.tables[r].readable for r in each.needs):
            problems.extend(each.check(ctx))
