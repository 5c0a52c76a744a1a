"""The prose templates and the code that fills them agree: every macro in ``prose/*.jinja`` is
used (by the library, a chapter or another template: no dead sentences), and every call of
``sentence``/``passage`` names a template file and a macro that exist."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import jupytext
import pytest

from ivigbook import prose
from ivigbook.analysis.claims import CHECKS

ROOT = Path(__file__).resolve().parents[1]
CALLERS = ("sentence", "passage", "document")
MACRO = re.compile(r"{%-?\s*macro\s+(\w+)\s*\(")
IMPORT = re.compile(r"""{%-?\s*from\s+["'](\w+)\.jinja["']\s+import\s+([\w\s,]+?)\s*-?%}""")


def _macros() -> dict[str, set[str]]:
    """Macro names by part (the template file's stem)."""
    return {
        path.stem: set(MACRO.findall(path.read_text(encoding="utf-8")))
        for path in sorted(prose.PROSE_DIR.glob("*.jinja"))
    }


def _python_sources() -> list[tuple[str, str]]:
    """The library's modules and the chapters' code, as (name, source)."""
    sources = [
        (str(p.relative_to(ROOT)), p.read_text(encoding="utf-8"))
        for p in sorted((ROOT / "scripts" / "ivigbook").rglob("*.py"))
    ]
    for path in sorted((ROOT / "chapters").glob("*.md")):
        notebook = jupytext.read(path)
        code = "\n".join(c.source for c in notebook.cells if c.cell_type == "code")
        sources.append((str(path.relative_to(ROOT)), code))
    return sources


def _name(node: ast.expr) -> str | None:
    """``sentence`` for ``sentence`` or ``prose.sentence``."""
    if isinstance(node, ast.Name):
        return node.id
    return node.attr if isinstance(node, ast.Attribute) else None


def _literal(node: ast.expr) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _calls() -> list[tuple[str, str, str]]:
    """Every (where, part, macro) named by literal strings in a call of ``sentence`` or
    ``passage``, or of a ``partial(sentence, "part")`` bound to a name."""
    found = []
    for where, source in _python_sources():
        tree = ast.parse(source)
        # name -> part, for `_say = partial(sentence, "answers")`; the claim checks' `reason`
        # (analysis/claims/helpers.py) words with prose/claims.jinja
        bound = {"reason": "claims"}
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Assign)
                and isinstance(node.value, ast.Call)
                and _name(node.value.func) == "partial"
                and len(node.value.args) == 2
                and _name(node.value.args[0]) in CALLERS
                and (part := _literal(node.value.args[1])) is not None
            ):
                bound.update({t.id: part for t in node.targets if isinstance(t, ast.Name)})
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = _name(node.func)
            args = [_literal(a) for a in node.args[:2]]
            if name in CALLERS and len(args) == 2 and None not in args:
                found.append((where, str(args[0]), str(args[1])))
            elif name in bound and args[0] is not None:
                found.append((where, bound[name], args[0]))
    return found


def _used_in_templates() -> set[tuple[str, str]]:
    """(part, macro) pairs that a template imports from another file or calls in its own."""
    macros, used = _macros(), set()
    for path in sorted(prose.PROSE_DIR.glob("*.jinja")):
        text = path.read_text(encoding="utf-8")
        for part, names in IMPORT.findall(text):
            used.update((part, n.strip()) for n in names.split(","))
        body = MACRO.sub("", text)  # the definitions themselves are not uses
        used.update((path.stem, m) for m in macros[path.stem] if re.search(rf"\b{m}\(", body))
    return used


def test_the_scan_finds_the_library_calls() -> None:
    """The scan sees the calls it should (so that the tests below can fail)."""
    calls = {(part, macro) for _, part, macro in _calls()}
    assert ("sentences", "harms") in calls
    assert ("messages", "trials") in calls  # through partial(sentence, "messages")
    assert {part for part, _ in calls} >= {"sentences", "messages", "caveats", "answers"}


@pytest.mark.parametrize("where_part_macro", _calls(), ids=lambda c: f"{c[1]}.{c[2]}")
def test_every_call_names_an_existing_macro(where_part_macro: tuple[str, str, str]) -> None:
    where, part, macro = where_part_macro
    macros = _macros()
    assert part in macros, f"{where}: no template prose/{part}.jinja"
    assert macro in macros[part], f"{where}: prose/{part}.jinja has no macro {macro!r}"


def _named_beside_their_part() -> set[tuple[str, str]]:
    """(part, macro) pairs whose names are string literals in a module that also names the
    part: a macro chosen by a table of names (``{"supported": "verdict_supported"}``)."""
    macros, used = _macros(), set()
    for _, source in _python_sources():
        strings = {
            n.value
            for n in ast.walk(ast.parse(source))
            if isinstance(n, ast.Constant) and isinstance(n.value, str)
        }
        for part in macros.keys() & strings:
            used.update((part, m) for m in macros[part] & strings)
    return used


def test_every_macro_is_used() -> None:
    used = {(part, macro) for _, part, macro in _calls()}
    used |= _used_in_templates() | _named_beside_their_part()
    # a check's reason is the macro named after the check (helpers.reason(name, ...))
    used |= {("claims", name) for name in CHECKS}
    dead = sorted(
        f"prose/{part}.jinja: {macro}"
        for part, names in _macros().items()
        for macro in names
        if (part, macro) not in used
    )
    assert not dead, f"macros no code or template uses: {dead}"


def test_every_imported_macro_exists() -> None:
    macros = _macros()
    for part, macro in _used_in_templates():
        assert macro in macros.get(part, set()), f"prose/{part}.jinja has no macro {macro!r}"
