"""The one loader: ``load()`` validates the data package and returns typed tables.

Every chapter, test and command reads the data through :func:`load`::

    from ivigbook.data.load import load
    ev = load()
    ev.studies            # one pandas DataFrame per resource, typed from the schema
    ev["outcomes"]        # the same, by name

Types follow the schema: ``string`` -> ``"string"``, ``integer`` -> ``"Int64"``, ``number`` ->
``"Float64"``, ``boolean`` -> ``"boolean"``, ``date`` -> ``datetime64``; a field with an
``enum`` constraint becomes an ordered ``Categorical`` in the schema's enum order. Missing
values are ``pd.NA`` (``NaT`` for dates). Rows keep the file's order.

The package is validated first (:mod:`ivigbook.data.validate`); an invalid package raises
:class:`DataPackageError` listing every problem. Results are cached per resolved folder and
the files' modification times, and every call hands out fresh copies of the tables, so a
chapter that modifies a table cannot change what the next caller sees.
"""

from __future__ import annotations

import copy
import os
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pandas as pd

from ivigbook.data.problems import DEFAULT_TRUE, DataPackageError
from ivigbook.data.read import Table
from ivigbook.data.schema import find_descriptor
from ivigbook.data.validate import default_data_dir, run_validation

__all__ = ["DataPackageError", "Evidence", "default_data_dir", "load"]

_PANDAS_DTYPES = {"string": "string", "integer": "Int64", "number": "Float64", "boolean": "boolean"}


@dataclass(frozen=True)
class Evidence:
    """The validated data package: one typed DataFrame per resource, plus its descriptor."""

    data_dir: Path
    package: Mapping[str, Any]
    tables: Mapping[str, pd.DataFrame]
    bib_keys: frozenset[str]

    def __getitem__(self, resource: str) -> pd.DataFrame:
        return self.tables[resource]

    def __getattr__(self, name: str) -> pd.DataFrame:
        # Called only for names that are not attributes: resources by name (ev.studies).
        tables = object.__getattribute__(self, "tables")
        if name in tables:
            return tables[name]
        msg = f"{type(self).__name__} has no attribute or resource {name!r}"
        raise AttributeError(msg)

    @property
    def resource_names(self) -> list[str]:
        """The resources in the descriptor's order."""
        return list(self.tables)

    def resource(self, name: str) -> dict[str, Any]:
        """The descriptor of one resource (a copy)."""
        for res in self.package["resources"]:
            if res["name"] == name:
                return copy.deepcopy(res)
        raise KeyError(name)

    def field(self, resource: str, name: str) -> dict[str, Any]:
        """The descriptor of one field (a copy)."""
        for fld in self.resource(resource)["schema"]["fields"]:
            if fld["name"] == name:
                return fld
        msg = f"{resource}.{name}"
        raise KeyError(msg)

    def enum(self, resource: str, name: str) -> list[Any]:
        """The allowed values of an enum field, in the schema's order."""
        return list(self.field(resource, name).get("constraints", {})["enum"])


#: A value of the descriptor (an enum choice) as the loader types the field's cells.
_TYPED: dict[str, Callable[[Any], Any]] = {"integer": int, "number": float}
_TYPED["boolean"] = lambda v: str(v) in DEFAULT_TRUE


def _column(fld: dict[str, Any], values: list[Any]) -> pd.Series:
    ftype, name = fld.get("type", "string"), fld["name"]
    enum = (fld.get("constraints") or {}).get("enum")
    if enum is not None:
        categories = [_TYPED.get(ftype, str)(v) for v in enum]
        if ftype == "date":
            categories = list(pd.to_datetime(categories))
            values = [None if v is None else pd.Timestamp(v) for v in values]
        dtype = pd.CategoricalDtype(categories=categories, ordered=True)
        return pd.Series(values, dtype=dtype, name=name)
    if ftype == "date":
        return pd.Series(pd.to_datetime(pd.Series(values, dtype=object)), name=name)
    return pd.Series(values, dtype=_PANDAS_DTYPES[ftype], name=name)


def table_frame(table: Table) -> pd.DataFrame:
    """A typed DataFrame of a validated table (columns in schema order)."""
    columns = {
        fld["name"]: _column(fld, [row.typed[fld["name"]] for row in table.rows])
        for fld in table.fields
    }
    return pd.DataFrame(columns, index=pd.RangeIndex(len(table.rows)))


def _fingerprint(descriptor: Path) -> tuple[Any, ...]:
    """Resolved folder plus name, mtime and size of every file in it that the package uses."""
    base = descriptor.parent.resolve()
    files = [path for path in sorted(base.iterdir()) if path.is_file()]
    stamps = [(path.name, (stat := path.stat()).st_mtime_ns, stat.st_size) for path in files]
    return (str(base), str(descriptor.name), tuple(stamps))


#: How many packages the cache keeps (the real one, plus a few in tests and benchmarks).
CACHE_SIZE = 8
_CACHE: OrderedDict[tuple[Any, ...], Evidence] = OrderedDict()


def _fresh(evidence: Evidence) -> Evidence:
    tables = {name: df.copy(deep=True) for name, df in evidence.tables.items()}
    return Evidence(
        data_dir=evidence.data_dir,
        package=copy.deepcopy(dict(evidence.package)),
        tables=MappingProxyType(tables),
        bib_keys=evidence.bib_keys,
    )


def load(data_dir: str | os.PathLike[str] | None = None) -> Evidence:
    """Validate and load the data package.

    ``data_dir`` defaults to ``$IVIGBOOK_DATA_DIR``, else the repository's ``data/``. Raises
    :class:`~ivigbook.data.problems.DataPackageError` (with every problem) if the package
    is invalid.
    """
    location = Path(data_dir) if data_dir is not None else default_data_dir()
    descriptor = find_descriptor(location)
    key = _fingerprint(descriptor) if descriptor.parent.is_dir() else None
    if key is not None and key in _CACHE:
        _CACHE.move_to_end(key)
        return _fresh(_CACHE[key])
    result = run_validation(location)
    if result.problems:
        raise DataPackageError(result.problems)
    assert result.package is not None
    tables = {name: table_frame(table) for name, table in result.tables.items()}
    evidence = Evidence(
        data_dir=descriptor.parent.resolve(),
        package=result.package,
        tables=MappingProxyType(tables),
        bib_keys=result.bib_keys if result.bib_keys is not None else frozenset(),
    )
    if key is not None:
        _CACHE[key] = evidence
        while len(_CACHE) > CACHE_SIZE:
            _CACHE.popitem(last=False)
    return _fresh(evidence)


def clear_cache() -> None:
    """Forget cached packages (tests use it; chapters never need it)."""
    _CACHE.clear()
