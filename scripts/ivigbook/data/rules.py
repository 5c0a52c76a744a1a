"""Cross-table rules: what a Table Schema cannot express (:data:`CROSS_TABLE_RULES`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from ivigbook.data.problems import BIBLIOGRAPHY, CITATION_FIELD, Problem, shown
from ivigbook.data.read import Row, Table
from ivigbook.data.templates import MAX_WORDS, template_problems

# ---------------------------------------------------------------------------------------------
# Cross-table rules


@dataclass(frozen=True)
class CrossRule:
    """A rule a Table Schema cannot express: the fields it needs and a check."""

    name: str
    words: str
    needs: dict[str, tuple[str, ...]]
    check: Callable[[Context], Iterator[Problem]]


@dataclass
class Context:
    tables: dict[str, Table]
    bib_keys: frozenset[str] | None

    def rows(self, resource: str) -> list[Row]:
        return self.tables[resource].rows

    def file(self, resource: str) -> str:
        return self.tables[resource].file


def broken(file: str, row: Row, field: str, rule: str, text: str, value: object) -> Problem:
    """The usual problem of a broken rule: ``{text}, violated by value "{value}"`` at ``row``."""
    return Problem(file, row.line, field, rule, f"{text}, violated by value {shown(value)}")


def _arms(ctx: Context) -> Iterator[Problem]:
    file = ctx.file("studies")
    for row in ctx.rows("studies"):
        v = row.typed
        total, ivig, control = v["n_total"], v["n_ivig"], v["n_control"]
        if None in (total, ivig, control):
            continue
        if v["crossover"] is True:
            if ivig != total:
                yield broken(
                    file,
                    row,
                    "n_ivig",
                    "arms",
                    f"crossover study needs n_ivig == n_total ({total})",
                    ivig,
                )
            if control != 0:
                yield broken(
                    file, row, "n_control", "arms", "crossover study needs n_control == 0", control
                )
        elif ivig + control != total:
            yield broken(
                file,
                row,
                "n_total",
                "arms",
                f"n_ivig + n_control ({ivig} + {control}) must equal n_total",
                total,
            )
        if v["controlled"] is False and control != 0:
            yield broken(
                file, row, "n_control", "arms", "uncontrolled study needs n_control == 0", control
            )


def _included_by(ctx: Context) -> Iterator[Problem]:
    file = ctx.file("studies")
    for row in ctx.rows("studies"):
        included, ref = row.typed["included_by"], row.typed["letter_ref"]
        if included is None:
            continue
        if (included == "letter") != (ref is not None):
            msg = (
                "included_by letter needs a letter_ref"
                if included == "letter"
                else f"included_by {included} needs an empty letter_ref"
            )
            yield broken(file, row, "included_by", "included_by", msg, included)


def _responders(ctx: Context) -> Iterator[Problem]:
    file = ctx.file("responders")
    studies = {r.typed["study_id"]: r.typed for r in ctx.rows("studies")}
    outcomes = {r.typed["outcome_id"]: r.typed for r in ctx.rows("outcomes")}
    for row in ctx.rows("responders"):
        v = row.typed
        num, den, group = v["numerator"], v["denominator"], v["group"]
        if num is not None and den is not None and num > den:
            yield broken(
                file,
                row,
                "numerator",
                "responders",
                f"numerator must not exceed denominator ({den})",
                num,
            )
        study = studies.get(v["study_id"])
        outcome = outcomes.get(v["outcome_id"])
        if (
            outcome is not None
            and v["study_id"] is not None
            and outcome["study_id"] != v["study_id"]
        ):
            yield broken(
                file,
                row,
                "outcome_id",
                "responders",
                f"outcome belongs to study {outcome['study_id']}, not {v['study_id']}",
                v["outcome_id"],
            )
        if study is None or group is None:
            continue
        arm_field = "n_control" if group == "control" else "n_ivig"
        arm = study[arm_field]
        if group == "control" and arm is not None and arm <= 0:
            yield broken(
                file,
                row,
                "group",
                "responders",
                f"group control needs a study with n_control > 0 ({v['study_id']} has {arm})",
                group,
            )
        elif den is not None and arm is not None and den > arm:
            yield broken(
                file,
                row,
                "denominator",
                "responders",
                f"denominator must not exceed the study's {arm_field} ({arm})",
                den,
            )


def _outcomes(ctx: Context) -> Iterator[Problem]:
    file = ctx.file("outcomes")
    for row in ctx.rows("outcomes"):
        result, basis, quote = row.typed["result"], row.typed["result_basis"], row.typed["quote"]
        if result is None or basis is None:
            continue
        if (basis == "none") != (result == "not_reported"):
            msg = (
                "result_basis none needs result not_reported"
                if basis == "none"
                else "result not_reported needs result_basis none"
            )
            yield broken(file, row, "result_basis", "outcomes", f"{msg}", basis)
        if result != "not_reported" and quote is None:
            yield Problem(
                file, row.line, "quote", "outcomes", f"quote required when result is {result}"
            )


def _search(ctx: Context) -> Iterator[Problem]:
    file = ctx.file("search")
    rows = [r for r in ctx.rows("search") if r.typed["step_order"] is not None]
    orders = sorted(r.typed["step_order"] for r in rows)
    if orders:
        present = set(orders)
        for gap in (k for k in range(1, orders[-1] + 1) if k not in present):
            after = min(
                (r for r in rows if r.typed["step_order"] > gap),
                key=lambda r: r.typed["step_order"],
            )
            yield Problem(
                file,
                after.line,
                "step_order",
                "search",
                f"steps must run 1..n without gaps: step {gap} missing before value "
                f"{shown(after.typed['step_order'])}",
            )
    for row in ctx.rows("search"):
        v = row.typed
        if v["reported"] is False:
            for name in ("count", "quote"):
                if v[name] is not None:
                    yield broken(
                        file, row, name, "search", "must be empty when reported is false", v[name]
                    )
        elif v["reported"] is True and v["quote"] is None:
            yield Problem(file, row.line, "quote", "search", "quote required when reported is true")


#: The domains of each risk-of-bias tool, in display order (risk_of_bias.tool -> domains).
ROB_DOMAINS: dict[str, tuple[str, ...]] = {
    "rob1": (
        "sequence_generation",
        "allocation_concealment",
        "blinding_participants",
        "blinding_outcome",
        "incomplete_data",
        "selective_reporting",
        "other_bias",
    ),
    "nrs": ("comparison", "confounding", "measurement", "selection"),
}
#: GRADE certainty levels from highest to lowest, and the GRADE domains rated per outcome.
CERTAINTY_LEVELS: tuple[str, ...] = ("high", "moderate", "low", "very_low")
GRADE_DOMAINS: tuple[str, ...] = (
    "risk_of_bias",
    "inconsistency",
    "indirectness",
    "imprecision",
    "publication_bias",
)


def _risk_of_bias(ctx: Context) -> Iterator[Problem]:
    file = ctx.file("risk_of_bias")
    tools: dict[str, set[str]] = {}
    for row in ctx.rows("risk_of_bias"):
        v = row.typed
        tool, domain, study = v["tool"], v["domain"], v["study_id"]
        if tool is None or domain is None:
            continue
        if domain not in ROB_DOMAINS.get(tool, ()):
            yield broken(
                file,
                row,
                "domain",
                "risk_of_bias",
                f"tool {tool} has domains {', '.join(ROB_DOMAINS.get(tool, ()))}",
                domain,
            )
        if study is not None:
            tools.setdefault(study, set()).add(tool)
            if len(tools[study]) > 1:
                yield broken(
                    file, row, "tool", "risk_of_bias", "a study is judged with one tool", tool
                )


def _certainty(ctx: Context) -> Iterator[Problem]:
    file = ctx.file("findings")
    levels: dict[str, dict[str, int]] = {}
    for row in ctx.rows("downgrades"):
        v = row.typed
        if v["outcome"] is not None and v["grade_domain"] is not None and v["levels"] is not None:
            levels.setdefault(v["outcome"], {})[v["grade_domain"]] = v["levels"]
    for row in ctx.rows("findings"):
        v = row.typed
        outcome, start, certainty = v["outcome"], v["start"], v["certainty"]
        if outcome is None or start is None or certainty is None:
            continue
        mine = levels.get(outcome, {})
        missing = [d for d in GRADE_DOMAINS if d not in mine]
        if missing:
            yield Problem(
                file,
                row.line,
                "outcome",
                "certainty",
                f"every GRADE domain needs a row in downgrades.csv, missing {', '.join(missing)} "
                f"for value {shown(outcome)}",
            )
            continue
        index = min(CERTAINTY_LEVELS.index(start) + sum(mine.values()), len(CERTAINTY_LEVELS) - 1)
        expected = CERTAINTY_LEVELS[index]
        if certainty != expected:
            yield broken(
                file,
                row,
                "certainty",
                "certainty",
                f"start {start} downgraded by {sum(mine.values())} level(s) gives {expected}",
                certainty,
            )


#: The update search's steps that count screened_records by decision.
_DECISION_STEPS = {
    "excluded_screening": "excluded_screening",
    "already_included": "already_included",
    "excluded_assessment": "excluded_assessment",
    "included": "studies_included",
}
#: Each update search's arithmetic: the first step equals the sum (or difference) of the others.
_SEARCH_SUMS = (
    ("records_screened", ("records_identified",), ("duplicates_removed",)),
    ("records_screened", ("excluded_screening", "already_included", "records_assessed"), ()),
    ("records_assessed", ("excluded_assessment", "studies_included"), ()),
)


def _update_search(ctx: Context) -> Iterator[Problem]:
    file = ctx.file("update_search")
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

        def count(step: str, by_step: dict[str, Row] = by_step) -> int | None:
            row = by_step.get(step)
            return None if row is None else row.typed["count"]

        for target, plus, minus in _SEARCH_SUMS:
            names = (target, *plus, *minus)
            if any(count(s) is None for s in names):
                missing = [s for s in names if count(s) is None]
                yield Problem(
                    file,
                    last.line,
                    "step_id",
                    "update_search",
                    f"search {search_id}: step(s) {', '.join(missing)} missing",
                )
                continue
            total = sum(count(s) or 0 for s in plus) - sum(count(s) or 0 for s in minus)
            if count(target) != total:
                words = " + ".join(plus) + "".join(f" - {s}" for s in minus)
                yield Problem(
                    file,
                    by_step[target].line,
                    "count",
                    "update_search",
                    f"search {search_id}: {target} ({count(target)}) must equal {words} ({total})",
                )
        rows = records.get(search_id, [])
        screened = count("records_screened")
        if screened is not None and screened != len(rows):
            yield Problem(
                file,
                by_step["records_screened"].line,
                "count",
                "update_search",
                f"search {search_id}: records_screened ({screened}) must equal the "
                f"{len(rows)} screened_records rows of the search",
            )
        for decision, step in _DECISION_STEPS.items():
            listed = sum(r.typed["decision"] == decision for r in rows)
            if count(step) is not None and count(step) != listed:
                yield Problem(
                    file,
                    by_step[step].line,
                    "count",
                    "update_search",
                    f"search {search_id}: {step} ({count(step)}) must equal the {listed} "
                    f"screened_records rows with decision {decision}",
                )
    rec_file = ctx.file("screened_records")
    for row in ctx.rows("screened_records"):
        v = row.typed
        needs_study = v["decision"] in ("included", "already_included")
        if needs_study and v["study_id"] is None:
            yield Problem(
                rec_file,
                row.line,
                "study_id",
                "update_search",
                f"required when decision is {v['decision']}",
            )
        elif v["decision"] is not None and not needs_study and v["study_id"] is not None:
            yield broken(
                rec_file,
                row,
                "study_id",
                "update_search",
                f"must be empty when decision is {v['decision']}",
                v["study_id"],
            )


def _citations(ctx: Context) -> Iterator[Problem]:
    if ctx.bib_keys is None:
        return
    for table in ctx.tables.values():
        if CITATION_FIELD not in table.field_names or not table.readable:
            continue
        for row in table.rows:
            key = row.typed[CITATION_FIELD]
            if key is not None and key not in ctx.bib_keys:
                yield Problem(
                    table.file,
                    row.line,
                    CITATION_FIELD,
                    "citation",
                    f"no entry in {BIBLIOGRAPHY} for value {shown(key)}",
                )


#: The fields of claims.csv that hold reason templates (:mod:`ivigbook.data.templates`).
TEMPLATE_FIELDS = ("reason_template", "reason_template_untestable")


def _reason_templates(ctx: Context) -> Iterator[Problem]:
    file = ctx.file("claims")
    for row in ctx.rows("claims"):
        for name in TEMPLATE_FIELDS:
            template = row.typed.get(name)
            for problem in template_problems(template) if template else ():
                yield Problem(file, row.line, name, "reason_template", problem)


#: The project's rules beyond Table Schema, in the order they are checked and documented.
CROSS_TABLE_RULES: tuple[CrossRule, ...] = (
    CrossRule(
        "arms",
        "Arms add up. In a crossover study (crossover true) every patient had IVIG: n_ivig "
        "equals n_total and n_control is 0. Otherwise n_ivig + n_control equals n_total. An "
        "uncontrolled study (controlled false) has n_control 0.",
        {"studies": ("n_total", "n_ivig", "n_control", "crossover", "controlled")},
        _arms,
    ),
    CrossRule(
        "included_by",
        "A study has a letter_ref exactly when included_by is letter.",
        {"studies": ("included_by", "letter_ref")},
        _included_by,
    ),
    CrossRule(
        "responders",
        "Responder counts fit their study. numerator is at most denominator; denominator is "
        "at most the arm it counts (n_ivig for groups ivig and subgroup, n_control for "
        "control); a control-group count needs a study with n_control above 0; the outcome "
        "(outcome_id) belongs to the same study as the count.",
        {
            "responders": ("numerator", "denominator", "group", "study_id", "outcome_id"),
            "studies": ("study_id", "n_ivig", "n_control"),
            "outcomes": ("outcome_id", "study_id"),
        },
        _responders,
    ),
    CrossRule(
        "outcomes",
        "An outcome's result_basis is none exactly when its result is not_reported, and it "
        "has a quote unless its result is not_reported.",
        {"outcomes": ("result", "result_basis", "quote")},
        _outcomes,
    ),
    CrossRule(
        "search",
        "The search steps' step_order runs 1, 2, ... n without gaps. A step the letter does "
        "not report (reported false) has no count and no quote; a reported step has a quote.",
        {"search": ("step_order", "reported", "count", "quote")},
        _search,
    ),
    CrossRule(
        "risk_of_bias",
        "A risk-of-bias domain belongs to its tool (rob1: "
        + ", ".join(ROB_DOMAINS["rob1"])
        + "; nrs: "
        + ", ".join(ROB_DOMAINS["nrs"])
        + "), and each study is judged with one tool.",
        {"risk_of_bias": ("study_id", "tool", "domain")},
        _risk_of_bias,
    ),
    CrossRule(
        "certainty",
        "Every outcome of the summary of findings has one row per GRADE domain in downgrades "
        "(" + ", ".join(GRADE_DOMAINS) + "), and its certainty is its start lowered by the sum "
        "of the levels (never below very_low).",
        {
            "findings": ("outcome", "start", "certainty"),
            "downgrades": ("outcome", "grade_domain", "levels"),
        },
        _certainty,
    ),
    CrossRule(
        "update_search",
        "An update search's counts add up: records_screened = records_identified - "
        "duplicates_removed = excluded_screening + already_included + records_assessed, and "
        "records_assessed = excluded_assessment + studies_included. Each count of a decision "
        "equals the screened_records rows with that decision, and records_screened equals all "
        "of the search's rows. An included or already_included record names its study; an "
        "excluded one does not.",
        {
            "update_search": ("search_id", "step_id", "count"),
            "screened_records": ("search_id", "decision", "study_id"),
        },
        _update_search,
    ),
    CrossRule(
        "reason_template",
        "A claim's reason templates are plain text of at most "
        f"{MAX_WORDS} words whose only braces are placeholders: {{name}}, {{name:noun}} or "
        "{name:one/many}. (Which facts a check provides, the tests check.)",
        {"claims": TEMPLATE_FIELDS},
        _reason_templates,
    ),
    CrossRule(
        "citation",
        f"Every {CITATION_FIELD} (in any table) is the key of an entry in {BIBLIOGRAPHY}, "
        "which must parse as BibTeX.",
        {},
        _citations,
    ),
)


def check_cross_tables(ctx: Context, descriptor_name: str, problems: list[Problem]) -> None:
    for rule in CROSS_TABLE_RULES:
        runnable = True
        for resource, names in rule.needs.items():
            table = ctx.tables.get(resource)
            if table is None:
                problems.append(
                    Problem(
                        descriptor_name,
                        None,
                        None,
                        "descriptor",
                        f"rule {rule.name} needs resource {resource!r}",
                    )
                )
                runnable = False
                continue
            for name in names:
                if name not in table.field_names:
                    problems.append(
                        Problem(
                            descriptor_name,
                            None,
                            f"{resource}.{name}",
                            "descriptor",
                            f"rule {rule.name} needs this field",
                        )
                    )
                    runnable = False
            if not table.readable:
                runnable = False
        if runnable:
            problems.extend(rule.check(ctx))
