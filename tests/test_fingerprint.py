"""The build's input fingerprint sees every module of the layered library.

jupyter-book's cache is keyed on a chapter's code only; ``inputs_fingerprint`` is what makes a
change to the library re-execute the chapters. After the library moved into sub-packages, a
fingerprint of the top folder alone would miss most of it (stale pages with a green build).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ivigbook.publish.build import inputs_fingerprint

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def source(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    dest = tmp_path / "book"
    shutil.copytree(ROOT / "scripts", dest / "scripts")
    shutil.copytree(ROOT / "data", dest / "data")
    for name in ("CHANGELOG.md", "CITATION.cff"):
        shutil.copy2(ROOT / name, dest / name)
    monkeypatch.setenv("IVIGBOOK_DATA_DIR", str(dest / "data"))
    return dest


@pytest.mark.parametrize(
    "module",
    ["paths.py", "analysis/trials.py", "analysis/claims/ledger.py", "figures/theme.py"],
)
def test_a_change_anywhere_in_the_library_changes_the_fingerprint(
    source: Path, module: str
) -> None:
    before = inputs_fingerprint(source)
    path = source / "scripts" / "ivigbook" / module
    path.write_text(path.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert inputs_fingerprint(source) != before


def test_same_inputs_same_fingerprint(source: Path) -> None:
    assert inputs_fingerprint(source) == inputs_fingerprint(source)


def test_moving_code_between_modules_of_the_same_name_changes_it(source: Path) -> None:
    """Two modules named trials.py (analysis/ and figures/) are told apart by their path."""
    before = inputs_fingerprint(source)
    lib = source / "scripts" / "ivigbook"
    a, b = lib / "analysis" / "trials.py", lib / "figures" / "trials.py"
    text_a, text_b = a.read_text(encoding="utf-8"), b.read_text(encoding="utf-8")
    a.write_text(text_b, encoding="utf-8")
    b.write_text(text_a, encoding="utf-8")
    assert inputs_fingerprint(source) != before


def test_a_changed_static_file_makes_sphinx_write_every_page(tmp_path: Path) -> None:
    """Sphinx copies _static/ only when it writes pages, and writes none when no page
    changed: a changed stylesheet alone drops the parsed pages (never the execution cache),
    once."""
    from ivigbook.publish import build

    source, out = tmp_path / "book", tmp_path / "_build"
    (source / "_static").mkdir(parents=True)
    css = source / "_static" / "book.css"
    css.write_text("a { color: red; }\n", encoding="utf-8")
    doctrees, cache = out / ".doctrees", out / ".jupyter_cache"

    def rebuild() -> bool:
        """One build's bookkeeping: were the parsed pages dropped?"""
        doctrees.mkdir(parents=True, exist_ok=True)
        cache.mkdir(parents=True, exist_ok=True)
        stamp = build._rewrite_pages_if_assets_changed(out, source)
        dropped = not doctrees.exists()
        stamp.write_text(build.assets_fingerprint(source))
        assert cache.exists()
        return dropped

    assert rebuild()  # first build: no stamp yet
    assert not rebuild()  # nothing changed
    css.write_text("a { color: blue; }\n", encoding="utf-8")
    assert rebuild()
    assert not rebuild()
    (source / "_templates").mkdir()
    (source / "_templates" / "page.html").write_text("x", encoding="utf-8")
    assert rebuild()
