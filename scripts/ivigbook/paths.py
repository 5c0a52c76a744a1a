"""Where the book's files are: the repository root, found from this file; and the folder
options of the command line."""

from __future__ import annotations

import argparse
from pathlib import Path

#: The repository root (the folder holding ``_config.yml``).
ROOT = Path(__file__).resolve().parents[2]


def add_path_arguments(parser: argparse.ArgumentParser, **options: tuple[Path | None, str]) -> None:
    """One ``--name`` option holding a path per keyword (``build_dir`` becomes
    ``--build-dir``), given as (default, help)."""
    for name, (default, help_text) in options.items():
        flag = "--" + name.replace("_", "-")
        parser.add_argument(flag, type=Path, default=default, help=help_text)
