"""The prose templates: the filters agree in number, and every template file compiles."""

from __future__ import annotations

import jinja2
import pytest

from ivigbook import prose


@pytest.mark.parametrize(
    ("n", "expected"), [(0, "no"), (1, "one"), (12, "twelve"), (13, "13"), (1234, "1,234")]
)
def test_number_words(n: int, expected: str) -> None:
    assert prose.words(n) == expected


def test_counted_agrees_in_number() -> None:
    assert prose.counted(1, "study reports", "studies report") == "one study reports"
    assert prose.counted(0, "study", "studies", capital=True) == "No studies"
    assert prose.counted(3, "trial") == "three trials"
    assert prose.count(1, "patient") == "1 patient"
    assert prose.count(15, "patient") == "15 patients"


@pytest.mark.parametrize(
    ("items", "expected"),
    [([], ""), (["a"], "a"), (["a", "b"], "a and b"), (["a", "b", "c"], "a, b and c")],
)
def test_join_without_serial_comma(items: list[str], expected: str) -> None:
    assert prose.join(items) == expected


def test_every_template_compiles_and_defines_macros() -> None:
    files = sorted(prose.PROSE_DIR.glob("*.jinja"))
    env = prose.environment()
    for path in files:
        template = env.get_template(path.name)
        assert any(not name.startswith("_") for name in dir(template.module)), path.name


@pytest.fixture
def demo(tmp_path, monkeypatch):
    """A prose folder of one template, ``demo.jinja``, written by the test."""

    def write(text: str) -> None:
        (tmp_path / "demo.jinja").write_text(text, encoding="utf-8")
        prose.environment.cache_clear()

    monkeypatch.setattr(prose, "PROSE_DIR", tmp_path)
    yield write
    prose.environment.cache_clear()


def test_a_missing_fact_stops_the_build(demo) -> None:
    demo(
        "{% macro harms(n_with) %}{{ n_with | counted('study', 'studies') | capital }}"
        " report {{ what }}.{% endmacro %}\n"
    )
    with pytest.raises(jinja2.UndefinedError):
        prose.sentence("demo", "harms", n_with=2)
    with pytest.raises(KeyError, match="no macro"):
        prose.sentence("demo", "absent")


def test_sentence_and_passage_layout(demo) -> None:
    demo(
        "{% macro one(n) %}\n  {{ n | counted('trial') | capital }}\n  found ,\n  nothing.\n"
        "{% endmacro %}\n{% macro two() %}First\nline.\n\n- item one\n- item two\n{% endmacro %}\n"
    )
    assert prose.sentence("demo", "one", n=2) == "Two trials found, nothing."
    assert prose.passage("demo", "two") == "First line.\n\n- item one\n- item two"


def test_takes_names_a_macros_facts() -> None:
    assert prose.takes("sentences", "harms") == {"n_with", "n_without"}
    with pytest.raises(KeyError, match="no macro 'no_such_macro'"):
        prose.takes("sentences", "no_such_macro")
