"""The package is a standard Frictionless data package: frictionless itself validates it."""

from __future__ import annotations

from pathlib import Path

import frictionless
import pytest
from conftest import copy_fixture_package

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"


def _errors(report: frictionless.Report) -> list[str]:
    found = [f"{e.type}: {e.message}" for e in report.errors]
    for task in report.tasks:
        found += [f"{task.name}: {e.type}: {e.message}" for e in task.errors]
    return found


def _validate(descriptor: Path) -> frictionless.Report:
    return frictionless.validate(str(descriptor.name), basepath=str(descriptor.parent))


def test_real_package_passes_frictionless() -> None:
    report = _validate(DATA / "datapackage.yaml")
    assert _errors(report) == []
    assert report.valid
    names = {task.name for task in report.tasks}
    assert names == {
        "studies",
        "outcomes",
        "responders",
        "search",
        "source_checks",
        "judgements",
        "risk_of_bias",
        "findings",
        "grade_statements",
        "downgrades",
        "harms",
        "overlaps",
        "checked_results",
        "checked_study_values",
        "claims",
        "criteria",
        "search_queries",
        "update_searches",
        "update_search",
        "screened_records",
        "screening_worksheet",
        "guidance",
        "planning",
    }


def test_package_object_reads_every_resource() -> None:
    package = frictionless.Package(str(DATA / "datapackage.yaml"))
    assert package.name == "ivig-sibm-evidence"
    for resource in package.resources:
        assert resource.schema.fields, resource.name
        assert (DATA / resource.path).is_file(), resource.path


@pytest.fixture
def fixture_copy(tmp_path: Path) -> Path:
    return copy_fixture_package(tmp_path / "package")


def test_fixture_package_passes_frictionless(fixture_copy: Path) -> None:
    assert _errors(_validate(fixture_copy / "datapackage.yaml")) == []


def test_frictionless_sees_a_broken_foreign_key(fixture_copy: Path) -> None:
    """The comparison above means something: frictionless does check keys on this package."""
    path = fixture_copy / "source_checks.csv"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "alpha2001-c1,alpha2001,", "alpha2001-c1,delta2004,"
        ),
        encoding="utf-8",
    )
    errors = _errors(_validate(fixture_copy / "datapackage.yaml"))
    assert any("foreign-key" in e for e in errors), errors
