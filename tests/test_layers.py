"""The library's architecture, held by tests: layers, no cycles, one definition per concept.

``scripts/ivigbook/`` is layered by concept, and imports only go downward:

    paths  ->  prose  ->  data  ->  analysis | search  ->  text | figures  ->  publish  ->  cli

A module may import its own layer and the layers below it; parts that sit side by side
(``analysis`` and ``search``, ``text`` and ``figures``) do not import each other. ``prose``
words facts with the templates in ``prose/``; ``search`` is the living review's PubMed
client. Every ``ivigbook`` import counts, including those inside functions and under
``TYPE_CHECKING``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "scripts" / "ivigbook"
#: Layer of each top-level part of the package, lowest first.
LAYERS = {
    "paths": 0,
    "prose": 1,
    "data": 2,
    "analysis": 3,
    "search": 3,
    "text": 4,
    "figures": 4,
    "publish": 5,
    "cli": 6,
    "__main__": 7,
    "__init__": 0,
}
#: Longest module the library allows: past this, a module holds two concepts.
MAX_LINES = 700


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def part(name: str) -> str:
    """``ivigbook.analysis.claims.ledger`` -> ``analysis``; ``ivigbook`` -> ``__init__``."""
    pieces = name.split(".")
    return pieces[1] if len(pieces) > 1 else "__init__"


def imports(path: Path) -> Iterator[tuple[int, str]]:
    """Every ``ivigbook`` module imported by the file (``from ivigbook.x import y`` counts
    ``ivigbook.x.y`` when that is a module, else ``ivigbook.x``)."""
    known = modules()
    here = module_name(path)
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("ivigbook"):
                    yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module:
            base = node.module
            if node.level:
                package = here if path.name == "__init__.py" else here.rpartition(".")[0]
                for _ in range(node.level - 1):
                    package = package.rpartition(".")[0]
                base = f"{package}.{node.module}" if node.module else package
            if not base.startswith("ivigbook"):
                continue
            for alias in node.names:
                full = f"{base}.{alias.name}"
                yield node.lineno, full if full in known else base


def test_every_part_of_the_package_has_a_layer() -> None:
    unknown = sorted({part(m) for m in modules()} - set(LAYERS))
    assert not unknown, f"parts of ivigbook without a layer in this test: {unknown}"


def test_imports_only_go_downward() -> None:
    wrong = []
    for name, path in modules().items():
        mine = part(name)
        for line, target in imports(path):
            theirs = part(target)
            if LAYERS[theirs] > LAYERS[mine] or (
                LAYERS[theirs] == LAYERS[mine] and theirs != mine and mine != "__init__"
            ):
                wrong.append(f"{path.relative_to(PACKAGE)}:{line} ({mine}) imports {target}")
    assert not wrong, "imports against the layers:\n" + "\n".join(wrong)


def test_no_import_cycle() -> None:
    known = modules()
    graph = {
        name: {t for _, t in imports(path) if t in known and t != name}
        for name, path in known.items()
    }
    # A package's __init__ importing its own submodules is how a package exposes them.
    for name in graph:
        graph[name] = {t for t in graph[name] if not t.startswith(name + ".")}
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append([*stack[stack.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt, [*stack, nxt])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert not cycles, "import cycles: " + "; ".join(" -> ".join(c) for c in cycles)


def test_the_data_layer_needs_nothing_above_it() -> None:
    """The validator reads the claim-check names from the descriptor's enum, not from the
    registry in the analysis layer (which is how the old cycle came about)."""
    for name, path in modules().items():
        if part(name) == "data":
            assert "importlib" not in path.read_text(encoding="utf-8"), name


@pytest.mark.parametrize("name", sorted(modules()))
def test_module_is_one_concept(name: str) -> None:
    lines = len(modules()[name].read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{name} has {lines} lines (at most {MAX_LINES})"


def top_level_names(path: Path) -> set[str]:
    names = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        targets = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AnnAssign):
            targets = [node.target]
        names |= {t.id for t in targets if isinstance(t, ast.Name)}
    return names


def test_each_label_and_cohort_constant_is_defined_once() -> None:
    """Labels (``*_LABELS``, ``*_NAMES``), verdicts, the not-reported wording and the sets of
    designs and domains that define cohorts live in ``analysis.vocabulary`` only."""
    shared = ("MEASURE_NAMES", "VERDICTS", "NOT_REPORTED", "TRIAL_DESIGNS", "MARKER_DOMAINS")
    where: dict[str, list[str]] = {}
    for name, path in modules().items():
        for constant in top_level_names(path):
            if constant.endswith("_LABELS") or constant in shared:
                where.setdefault(constant, []).append(name)
    elsewhere = {c: m for c, m in where.items() if m != ["ivigbook.analysis.vocabulary"]}
    assert not elsewhere, f"defined outside ivigbook.analysis.vocabulary: {elsewhere}"


def test_claim_check_enum_matches_the_registry() -> None:
    """``claims.csv``'s ``check`` enum in the descriptor lists exactly the registered checks."""
    import yaml

    from ivigbook.analysis.claims import CHECKS

    descriptor = yaml.safe_load(
        (PACKAGE.parents[1] / "data" / "datapackage.yaml").read_text(encoding="utf-8")
    )
    claims = next(r for r in descriptor["resources"] if r["name"] == "claims")
    field = next(f for f in claims["schema"]["fields"] if f["name"] == "check")
    assert sorted(field["constraints"]["enum"]) == sorted(CHECKS)
