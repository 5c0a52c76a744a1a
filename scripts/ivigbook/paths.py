"""Where the book's files are and what its outputs are called, defined once."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

#: The repository root (the folder holding ``_config.yml``).
ROOT = Path(__file__).resolve().parents[2]
#: The stem of the book's artefacts (the PDF, the release zip, the citation files). The PDF's
#: name follows ``latex_documents: targetname`` in _config.yml.
SLUG = "ivig-sibm-evidence-book"
PDF_NAME = f"{SLUG}.pdf"
#: The default build folder (``make`` passes BUILD_DIR).
BUILD_DIR = ROOT / "_build"


def data_dir() -> Path:
    """The data package: ``$IVIGBOOK_DATA_DIR`` if set, else the repository's ``data/``."""
    env = os.environ.get("IVIGBOOK_DATA_DIR")
    return (Path(env).expanduser() if env else ROOT / "data").resolve()


def html_dir(build_dir: Path) -> Path:
    return build_dir / "html"


def pdf_path(build_dir: Path) -> Path:
    """The PDF as LaTeX writes it."""
    return build_dir / "latex" / PDF_NAME


def site_pdf_path(build_dir: Path) -> Path:
    """The PDF inside the site (``make book`` copies it there)."""
    return html_dir(build_dir) / PDF_NAME


def visible_files(folder: Path) -> list[Path]:
    """Every regular file under ``folder``, sorted, skipping hidden names and __pycache__."""
    files = [
        p
        for p in folder.rglob("*")
        if p.is_file()
        and not any(
            part.startswith(".") or part == "__pycache__" for part in p.relative_to(folder).parts
        )
    ]
    return sorted(files, key=lambda p: p.relative_to(folder).as_posix())


def write_if_changed(path: Path, content: bytes) -> None:
    """Write ``content`` to ``path`` (and its folders) unless it holds it already."""
    if not (path.is_file() and path.read_bytes() == content):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)


def add_path_arguments(parser: argparse.ArgumentParser, **options: tuple[Path | None, str]) -> None:
    """One ``--name`` path option per keyword (``build_dir``: ``--build-dir``), (default, help)."""
    for name, (default, help_text) in options.items():
        flag = "--" + name.replace("_", "-")
        parser.add_argument(flag, type=Path, default=default, help=help_text)
