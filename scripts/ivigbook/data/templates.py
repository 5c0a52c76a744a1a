"""Reason templates: the short, reader-facing reason of a claim's verdict, written as data.

A template (``claims.csv``, fields ``reason_template`` and ``reason_template_untestable``) is
plain text with placeholders that the claim's check fills from the facts it returns:

* ``{name}`` - the fact as it is: a number, or words from the data (study names such as
  "Dalakas 1997", a quoted share). A fact the data do not give (``None``) reads as the
  caller's ``missing`` words (the book's "not reported").
* ``{name:noun}`` or ``{name:one/many}`` - a count with its noun, singular for one, in the
  prose engine's agreement (:func:`ivigbook.prose.count`): ``{n_trials:trial}`` reads
  "1 trial" or "3 trials", ``{n:study}`` "2 studies" (or ``{n:study/studies}``, spelled out).

This module only reads templates (the validator checks their form here); which facts a check
provides is the analysis layer's business, and a test holds every placeholder to a fact of the
named check.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from ivigbook.prose import count

#: One placeholder: a lower-case name, optionally ``:noun`` or ``:one/many``.
PLACEHOLDER = re.compile(
    r"\{([a-z][a-z0-9_]*)(?::([A-Za-z][A-Za-z -]*(?:/[A-Za-z][A-Za-z -]*)?))?\}"
)
#: Longest template, in words (a placeholder counts as one word): one or two short sentences.
MAX_WORDS = 25


def placeholders(template: str) -> list[str]:
    """The fact names a template uses, in order of first use."""
    seen: dict[str, None] = {}
    for match in PLACEHOLDER.finditer(template):
        seen.setdefault(match.group(1), None)
    return list(seen)


def template_problems(template: str) -> list[str]:
    """What is wrong with a template's form (empty list when nothing is)."""
    problems = []
    bare = PLACEHOLDER.sub("X", template)
    if "{" in bare or "}" in bare:
        problems.append("a brace that is not a placeholder {name}, {name:noun} or {name:one/many}")
    n_words = len(bare.split())
    if n_words > MAX_WORDS:
        problems.append(f"{n_words} words, more than {MAX_WORDS}")
    return problems


def fill(template: str, facts: Mapping[str, object], missing: str) -> str:
    """The template with each placeholder replaced by its fact (KeyError for an unknown one);
    a fact that is ``None`` reads ``missing``."""

    def one(match: re.Match[str]) -> str:
        value = facts[match.group(1)]
        if value is None:
            return missing
        if not match.group(2):
            return str(value)
        one, _, many = match.group(2).partition("/")
        return count(int(str(value)), one, many or None)

    return PLACEHOLDER.sub(one, template)
