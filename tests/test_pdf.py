"""Checks of the built PDF (run `make book` first; BUILD_DIR selects the build)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import ROOT, toc_files
from pypdf import PdfReader

pytestmark = pytest.mark.book

FORBIDDEN = ["alt.Chart(", "<IPython", "<div", "Traceback", "HTML object", "Loading ITables"]


def _title(page: str) -> str:
    for line in (ROOT / f"{page}.md").read_text(encoding="utf-8").splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    msg = f"{page}.md has no '# ' title"
    raise AssertionError(msg)


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.fixture(scope="module")
def reader(pdf_path: Path) -> PdfReader:
    return PdfReader(pdf_path)


@pytest.fixture(scope="module")
def pdf_text(reader: PdfReader) -> str:
    return _normalise("\n".join(page.extract_text() or "" for page in reader.pages))


def test_pdf_has_pages(reader: PdfReader) -> None:
    assert len(reader.pages) >= 3


@pytest.mark.parametrize("page", toc_files())
def test_chapter_titles(pdf_text: str, page: str) -> None:
    title = _normalise(_title(page))
    assert title in pdf_text, f"chapter title {title!r} not in the PDF"


@pytest.mark.parametrize("needle", FORBIDDEN)
def test_no_stray_reprs(pdf_text: str, needle: str) -> None:
    assert needle not in pdf_text


def test_charts_are_images(reader: PdfReader) -> None:
    """Every chart page carries an image (the glued charts are PNGs in the PDF)."""
    pages_with_images = [i for i, page in enumerate(reader.pages) if page.images]
    assert pages_with_images, "no images in the PDF: charts did not become images"


def test_tables_typeset(pdf_text: str) -> None:
    # The demo table's escaped specials come out literally.
    if "Pipeline demo" in pdf_text:
        for literal in ("demo & test", "50 %", "$5", "#1", "a_b", "{x}"):
            assert literal in pdf_text, f"{literal!r} not typeset literally"
