"""Every chapter that is a text notebook executes without error (one test per page)."""

from __future__ import annotations

import pytest
from chapter_outputs import execute_chapter, notebook_chapters


@pytest.mark.parametrize("name", notebook_chapters())
def test_chapter_executes(name: str) -> None:
    out = execute_chapter(name)
    errors = [
        output
        for cell in out.notebook.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
        if output.get("output_type") == "error"
    ]
    assert not errors, f"{name}: {errors}"
