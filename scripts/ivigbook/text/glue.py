"""Glue a whole set of facts into a chapter in one call.

A chapter computes its facts with one library call (a dataclass or a mapping of plain values)
and glues them all with :func:`glue_facts`; the prose then refers to ``{glue:text}`PREFIX_NAME```.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from myst_nb import glue


def as_mapping(facts: Any) -> dict[str, Any]:
    """The fields of a dataclass instance, or a mapping's items, as a plain dict."""
    if dataclasses.is_dataclass(facts) and not isinstance(facts, type):
        return {f.name: getattr(facts, f.name) for f in dataclasses.fields(facts)}
    if isinstance(facts, Mapping):
        return dict(facts)
    msg = f"facts must be a dataclass instance or a mapping, not {type(facts).__name__}"
    raise TypeError(msg)


def glue_facts(prefix: str, *facts: Any) -> dict[str, Any]:
    """Glue every fact as ``{prefix}_{name}`` (not displayed); return them as a dict.

    ``facts`` are one or more dataclass instances or mappings (the numbers of a section and
    the words built from them, say); a name given twice is an error. Tuples and lists are
    glued as they are; the prose should glue a sentence built from them rather than a raw
    sequence.
    """
    values: dict[str, Any] = {}
    for part in facts:
        for name, value in as_mapping(part).items():
            if name in values:
                msg = f"{prefix}_{name} is glued twice"
                raise ValueError(msg)
            values[name] = value
    for name, value in values.items():
        glue(f"{prefix}_{name}", value, display=False)
    return values
