"""Command-line entry points."""

from __future__ import annotations

import argparse
import importlib
import sys

# sub-command -> (module, help). Each module provides add_arguments(parser) and run(args) -> int.
COMMANDS = {
    "validate": ("ivigbook.data.validate", "validate a data package folder"),
    "dictionary": ("ivigbook.data.dictionary", "print or write the data dictionary"),
    "new-study": ("ivigbook.data.newstudy", "scaffold a new study from the template"),
    "search": ("ivigbook.search.pubmed", "run a PubMed query, or record screening decisions"),
    "build": ("ivigbook.publish.build", "build the book (html, pdf or both)"),
    "release": ("ivigbook.publish.release", "package site, PDF and data into dist/"),
    "bench": ("ivigbook.publish.bench", "time loading, validation and builds"),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ivigbook")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, (module_name, help_text) in COMMANDS.items():
        # add_help=False: "-h" after a command reaches that command's own parser below.
        command_parser = sub.add_parser(name, help=help_text, add_help=False)
        command_parser.set_defaults(module_name=module_name)
        # Arguments are added lazily below, only for the command actually called.
    args, _ = parser.parse_known_args(argv)
    module = importlib.import_module(args.module_name)
    full_parser = argparse.ArgumentParser(prog=f"python -m ivigbook {args.command}")
    module.add_arguments(full_parser)
    remaining = (sys.argv[1:] if argv is None else argv)[1:]
    return int(module.run(full_parser.parse_args(remaining)) or 0)
