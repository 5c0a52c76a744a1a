"""Where the book's files are: the repository root, found from this file."""

from __future__ import annotations

from pathlib import Path

#: The repository root (the folder holding ``_config.yml``).
ROOT = Path(__file__).resolve().parents[2]
