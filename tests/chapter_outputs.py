"""Execute a chapter and collect what it glues: a helper for the chapter tests.

``execute_chapter("trials")`` reads ``chapters/trials.md`` with jupytext, runs it with
nbclient in a temporary folder (never writing into ``chapters/``) and returns a
:class:`ChapterOutputs`, a dict of every glued value by glue name::

    out = execute_chapter("trials")
    out["tr_n_patients"]   # 77: the glue's text/plain, as a Python literal where it is one
    out.figures            # glue names of figures (outputs with image/png or text/html)
    out.values             # the non-figure glues only (a plain dict)
    out.notebook           # the executed notebook

``out["figures"]``, ``out["values"]`` and ``out["notebook"]`` work too (no glue has those
names). A figure's entry in the dict is its text/plain (for example "Chart: <title>").

With ``data_dir``, the chapter runs with ``IVIGBOOK_DATA_DIR`` set to it, so that
``load()`` in the chapter reads that package. Results are cached for the session per
(chapter, data_dir). Execution errors raise ``nbclient.exceptions.CellExecutionError``.
"""

from __future__ import annotations

import ast
import functools
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jupytext
import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = ROOT / "chapters"
TIMEOUT = 600


def chapter_path(name: str) -> Path:
    return CHAPTERS / f"{name}.md"


def notebook_chapters() -> list[str]:
    """Stems of the chapters that are text notebooks (have a kernelspec) — they execute."""
    stems = []
    for path in sorted(CHAPTERS.glob("*.md")):
        text = path.read_text(encoding="utf-8")
        if text.startswith("---") and "kernelspec:" in text.split("\n---", 1)[0]:
            stems.append(path.stem)
    return stems


def _glue_name(output: Any) -> str | None:
    meta = output.get("metadata") or {}
    scrapbook = meta.get("scrapbook") or {}
    return scrapbook.get("name")


def plain_value(text: str) -> Any:
    """A glued text/plain repr as a Python value where it is a literal, else the text."""
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


def run_notebook(nb: nbformat.NotebookNode, data_dir: str | None = None) -> Any:
    env_before = os.environ.get("IVIGBOOK_DATA_DIR")
    if data_dir is not None:
        os.environ["IVIGBOOK_DATA_DIR"] = str(data_dir)
    try:
        with tempfile.TemporaryDirectory(prefix="ivigbook-chapter-") as tmp:
            client = NotebookClient(
                nb,
                timeout=TIMEOUT,
                kernel_name="python3",
                resources={"metadata": {"path": tmp}},
            )
            client.execute()
    finally:
        if data_dir is not None:
            if env_before is None:
                os.environ.pop("IVIGBOOK_DATA_DIR", None)
            else:
                os.environ["IVIGBOOK_DATA_DIR"] = env_before
    return nb


class ChapterOutputs(dict):
    """Glued values by name, plus ``figures``, ``values`` and ``notebook``."""

    def __init__(
        self,
        glued: dict[str, Any],
        figures: list[str],
        notebook: nbformat.NotebookNode,
    ) -> None:
        super().__init__(glued)
        self.figures = list(figures)
        self.values = {k: v for k, v in glued.items() if k not in set(figures)}
        self.notebook = notebook

    def __missing__(self, key: str) -> Any:
        if key in ("figures", "values", "notebook"):
            return getattr(self, key)
        raise KeyError(key)


@functools.cache
def _execute(name: str, data_dir: str | None) -> ChapterOutputs:
    nb = jupytext.read(chapter_path(name))
    run_notebook(nb, data_dir)
    glued: dict[str, Any] = {}
    figures: list[str] = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for output in cell.get("outputs", []):
            glue = _glue_name(output)
            if glue is None:
                continue
            prefix = (output.get("metadata") or {}).get("scrapbook", {}).get("mime_prefix", "")
            data = {
                key.removeprefix(prefix): value for key, value in (output.get("data") or {}).items()
            }
            if "image/png" in data or "text/html" in data:
                figures.append(glue)
            glued[glue] = plain_value(data.get("text/plain", ""))
    return ChapterOutputs(glued, figures, nb)


def execute_chapter(name: str, data_dir: str | os.PathLike[str] | None = None) -> ChapterOutputs:
    """Execute ``chapters/<name>.md``; return its glued values and figure names (cached)."""
    key = None if data_dir is None else str(Path(data_dir).resolve())
    return _execute(name, key)


def code_cell_sources(name: str) -> list[str]:
    """The source of every code cell of a chapter, in order (for reading parameters)."""
    nb = jupytext.read(chapter_path(name))
    return [cell.source for cell in nb.cells if cell.cell_type == "code"]


def assert_glued_as(
    values: Mapping[str, Any], expected: Mapping[str, Any], names: Mapping[str, str]
) -> None:
    """Each glued value ``values[glue]`` equals ``expected[key]``, for every ``glue: key`` of
    ``names``; a failure lists every value that differs."""
    wrong = {
        glue: (values[glue], expected[key])
        for glue, key in names.items()
        if values[glue] != expected[key]
    }
    assert not wrong, f"glued value, expected value: {wrong}"
