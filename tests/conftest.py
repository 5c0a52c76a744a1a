"""Fixtures for tests of the built book. BUILD_DIR (default: _build) selects the build.

Nothing is skipped: when the book has not been built, the tests fail and say so.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
PDF_NAME = "ivig-sibm-evidence-book.pdf"
FIXTURE_PACKAGE = ROOT / "tests" / "fixtures" / "package"


def copy_fixture_package(dest: Path) -> Path:
    """The small synthetic package (``tests/fixtures/package``) with the book's REAL
    descriptor ``data/datapackage.yaml``, copied to ``dest``."""
    shutil.copytree(FIXTURE_PACKAGE, dest)
    shutil.copy2(ROOT / "data" / "datapackage.yaml", dest / "datapackage.yaml")
    return dest


def run_make(*args: str) -> subprocess.CompletedProcess[str]:
    """``make --no-print-directory ARGS`` in the repository, output captured, never raising."""
    return subprocess.run(
        ["make", "--no-print-directory", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture
def pkg(tmp_path: Path) -> Path:
    """A fresh copy of the fixture package, for a test to edit."""
    return copy_fixture_package(tmp_path / "package")


def _build_dir() -> Path:
    value = os.environ.get("BUILD_DIR", "_build")
    path = Path(value)
    return path if path.is_absolute() else ROOT / path


def toc_files() -> list[str]:
    """Every document of ``_toc.yml`` (without suffix), in reading order."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    files = [toc["root"]]

    def walk(entries: list[dict]) -> None:
        for entry in entries:
            if "file" in entry:
                files.append(entry["file"])
            walk(entry.get("sections", []))
            for part in entry.get("parts", []):
                walk(part.get("chapters", []))

    walk(toc.get("chapters", []))
    for part in toc.get("parts", []):
        walk(part.get("chapters", []))
    return [str(Path(f).with_suffix("")) for f in files]


@pytest.fixture(scope="session")
def build_dir() -> Path:
    path = _build_dir()
    if not path.is_dir():
        pytest.fail(f"No build at {path}: run `make book` (or set BUILD_DIR)", pytrace=False)
    return path


@pytest.fixture(scope="session")
def html_dir(build_dir: Path) -> Path:
    path = build_dir / "html"
    if not (path / "index.html").is_file():
        pytest.fail(f"No HTML site at {path}: run `make book`", pytrace=False)
    return path


@pytest.fixture(scope="session")
def pdf_path(build_dir: Path) -> Path:
    path = build_dir / "latex" / PDF_NAME
    if not path.is_file():
        pytest.fail(f"No PDF at {path}: run `make book`", pytrace=False)
    return path


# The browser fixtures import browser_tools (and so Playwright) only when a test asks for them.
# Module scope: a live sync Playwright blocks any other one, so each module opens its own.


@pytest.fixture(scope="module")
def site(html_dir: Path) -> Iterator[str]:
    """The built site served on the loopback interface; its base URL."""
    from browser_tools import serve

    with serve(html_dir) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """A headless Chromium context (see ``browser_tools.chromium``)."""
    from browser_tools import chromium

    with chromium() as context:
        yield context
