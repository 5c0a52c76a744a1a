"""Per-study charts stay legible with many studies: they show the letter's studies and the
most recently added ones, and say in their subtitle how many they leave out; with the real
package they show every study and no note."""

from __future__ import annotations

import json
import re
from itertools import pairwise
from pathlib import Path

import altair as alt
import pandas as pd
import pytest

from ivigbook.analysis.cohorts import study_labels
from ivigbook.analysis.evidence import dose_by_study, overall_results
from ivigbook.analysis.power import trial_power_table
from ivigbook.analysis.responders import responder_table
from ivigbook.analysis.timing import timing_matrix
from ivigbook.analysis.trials import outcome_matrix
from ivigbook.data import load
from ivigbook.data.synthetic import generate_package
from ivigbook.data.validate import default_data_dir
from ivigbook.figures.evidence import dose_chart, evidence_map
from ivigbook.figures.power import trial_power_chart
from ivigbook.figures.responders import responder_chart
from ivigbook.figures.theme import (
    MAX_STUDIES_SHOWN,
    is_added_study,
    limit_studies,
    tooltips,
    with_narrow,
    with_note,
)
from ivigbook.figures.timing import timing_chart
from ivigbook.figures.trials import outcome_matrix_chart
from ivigbook.publish import chartspec


def _frame(n_letter: int, n_added: int, rows_each: int = 1) -> pd.DataFrame:
    labels = [f"Author{i} et al. ({i})" for i in range(1, n_letter + 1)]
    labels += [f"Synthetic et al. (added) [synthetic{i:05d}]" for i in range(1, n_added + 1)]
    return pd.DataFrame({"study": [s for s in labels for _ in range(rows_each)]})


def test_is_added_study() -> None:
    assert is_added_study("Smith et al. 2027 (added)")
    assert is_added_study("Synthetic et al. (added) [synthetic00001]")
    assert not is_added_study("Amato et al. (1)")


def test_limit_keeps_everything_up_to_the_limit() -> None:
    frame = _frame(10, MAX_STUDIES_SHOWN - 10, rows_each=2)
    shown, note = limit_studies(frame)
    assert note is None
    assert shown is frame


def test_limit_keeps_letter_studies_and_most_recent_additions() -> None:
    frame = _frame(10, 990, rows_each=2)
    shown, note = limit_studies(frame)
    studies = list(dict.fromkeys(shown["study"]))
    assert len(studies) == MAX_STUDIES_SHOWN
    assert studies[:10] == [f"Author{i} et al. ({i})" for i in range(1, 11)]
    room = MAX_STUDIES_SHOWN - 10
    assert studies[10:] == [
        f"Synthetic et al. (added) [synthetic{i:05d}]" for i in range(991 - room, 991)
    ]
    assert len(shown) == 2 * MAX_STUDIES_SHOWN  # every row of a shown study is kept
    assert note == (
        f"{1000 - MAX_STUDIES_SHOWN} more added studies not shown (shown: the letter's 10 "
        f"and the {room} most recently added); see the table"
    )


def test_limit_counts_one_study_in_the_singular() -> None:
    _, note = limit_studies(_frame(2, 3), limit=4)
    assert note is not None
    assert note.startswith("1 more added study not shown (shown: the letter's 2 and the 2 ")


def test_limit_with_more_letter_studies_than_room() -> None:
    shown, note = limit_studies(_frame(5, 5), limit=3)
    assert list(shown["study"]) == [f"Author{i} et al. ({i})" for i in range(1, 6)]
    assert note is not None
    assert note.startswith("5 more added studies not shown")


def test_with_note() -> None:
    assert with_note("sub", None) == "sub"
    assert with_note("sub", "note") == ["sub", "note"]
    assert with_note(["a", "b"], "note") == ["a", "b", "note"]


# --- the factories, with the real package and with 1,000 studies ---------------------------


@pytest.fixture(scope="module")
def real() -> load.Evidence:
    return load.load(default_data_dir())


@pytest.fixture(scope="module")
def many(tmp_path_factory: pytest.TempPathFactory) -> load.Evidence:
    dest = Path(tmp_path_factory.mktemp("many")) / "data"
    return load.load(generate_package(60, dest, keep_studies=True))


def _factories(ev: load.Evidence) -> dict:
    responders = responder_table(ev)
    return {
        "dose": dose_chart(dose_by_study(ev)),
        "matrix": outcome_matrix_chart(outcome_matrix(ev)),
        "responders": responder_chart(responders),
        "timing": timing_chart(timing_matrix(ev)),
        "trial power": trial_power_chart(trial_power_table(ev, 0.3, 0.1, 0.05), 0.8),
    }


def _subtitle(spec: dict) -> list[str]:
    sub = spec["title"]["subtitle"]
    return [sub] if isinstance(sub, str) else list(sub)


def _studies_drawn(spec: dict) -> set[str]:
    found: set[str] = set()
    for rows in spec.get("datasets", {}).values():
        found |= {str(r["study"]) for r in rows if "study" in r}
    return found


def test_real_package_charts_show_every_study_and_no_note(real: load.Evidence) -> None:
    for name, chart in _factories(real).items():
        spec = chart.to_dict()
        assert not any("not shown" in line for line in _subtitle(spec)), name
    assert len(_studies_drawn(_factories(real)["timing"].to_dict())) == len(real.studies)


def test_many_studies_charts_are_limited_and_say_so(many: load.Evidence) -> None:
    for name, chart in _factories(many).items():
        spec = chart.to_dict()
        drawn = _studies_drawn(spec)
        assert 0 < len(drawn) <= MAX_STUDIES_SHOWN, name
        notes = [line for line in _subtitle(spec) if "not shown" in line]
        assert len(notes) == 1, name
        assert notes[0].endswith("see the table"), name
    timing = _factories(many)["timing"].to_dict()
    letter = set(study_labels(many.studies)[many.studies["letter_ref"].notna()])
    assert letter <= _studies_drawn(timing)
    assert f"{len(many.studies) - MAX_STUDIES_SHOWN} more added studies" in _subtitle(timing)[-1]


def test_evidence_map_groups_added_studies_when_crowded(
    real: load.Evidence, many: load.Evidence
) -> None:
    small = evidence_map(overall_results(real)).to_dict()
    assert not any("grouped" in line for line in small["title"]["subtitle"])
    big = evidence_map(overall_results(many)).to_dict()
    rows = [r for data in big["datasets"].values() for r in data]
    grouped = [r for r in rows if "studies" in r]
    single = [r for r in rows if "study_id" in r]
    n_added = int(many.studies["letter_ref"].isna().sum())
    assert sum(r["studies"] for r in grouped) == n_added
    assert len(single) == len(many.studies) - n_added  # the letter's, one mark each
    assert any(
        line.startswith(f"{n_added:,} added studies grouped") for line in big["title"]["subtitle"]
    )


def test_evidence_map_draws_hollow_the_studies_without_an_objective_measure(
    real: load.Evidence,
) -> None:
    """The map's filled "Improved" marks are the studies counted as improving on an objective
    measure; one placed by its other measures is hollow, and the subtitle says so."""
    overall = overall_results(real)
    chart = evidence_map(overall).to_dict()
    fill = chart["layer"][0]["encoding"]["color"]
    assert fill["value"] == "transparent"
    assert "overall_basis === 'objective'" in fill["condition"]["test"]
    rows = [r for data in chart["datasets"].values() for r in data if "overall_basis" in r]
    hollow = {r["study_id"] for r in rows if r["overall_basis"] != "objective"}
    assert hollow == set(overall.loc[overall["overall_basis"] != "objective", "study_id"])
    says_hollow = any(line.startswith("Hollow marks") for line in chart["title"]["subtitle"])
    assert says_hollow == bool(hollow)
    # Without such a study, no mark is hollow and the subtitle does not mention it.
    objective = overall[overall["overall_basis"] == "objective"]
    plain = evidence_map(objective).to_dict()
    assert not any(line.startswith("Hollow marks") for line in plain["title"]["subtitle"])


# --------------------------------------------------------------------------------------
# The site's charts: compiled to Vega at build time, with a narrow layout for phones.


def _line_chart(title: str = "A title", width: int = 400) -> alt.Chart:
    frame = pd.DataFrame({"x": [1, 2, 3], "y": [3, 1, 2], "group": ["a", "b", "a"]})
    return (
        alt.Chart(frame)
        .mark_line()
        .encode(x="x:Q", y="y:Q", color=alt.Color("group:N", legend=alt.Legend(columns=2)))
        .properties(width=width, title=title)
    )


def test_site_chart_is_vega_with_a_flexible_width() -> None:
    vega = chartspec.vega_spec(_line_chart(width=400).to_dict())
    assert vega["$schema"].endswith("/vega/v6.json")
    assert vega["usermeta"]["ivigFlex"] == [{"name": "width", "min": 120}]


def test_concatenated_panels_flex_but_side_by_side_columns_do_not() -> None:
    stacked = alt.vconcat(_line_chart(width=300), _line_chart(width=200))
    names = [f["name"] for f in chartspec.vega_spec(stacked.to_dict())["usermeta"]["ivigFlex"]]
    assert len(names) == 2
    beside = alt.hconcat(_line_chart(width=300), _line_chart(width=200))
    assert "ivigFlex" not in chartspec.vega_spec(beside.to_dict()).get("usermeta", {})


def test_narrow_layout_wraps_titles_and_puts_legends_below() -> None:
    long_title = "Responder counts and shares, with exact 95% confidence intervals"
    narrow = chartspec.narrow_variant(_line_chart(title=long_title).to_dict())
    lines = narrow["title"]
    assert isinstance(lines, list)
    assert " ".join(lines) == long_title
    assert max(len(line) for line in lines) <= chartspec.NARROW_TITLE_CHARS
    legend = narrow["encoding"]["color"]["legend"]
    assert legend["orient"] == "bottom"
    assert "columns" not in legend


def test_a_factorys_narrow_layout_travels_with_the_chart_but_not_to_print() -> None:
    chart = with_narrow(_line_chart(width=500), width=200, y_title=False)
    spec = chart.to_dict()
    assert spec["usermeta"]["ivigbook"]["narrow"]["width"] == 200
    assert chartspec.narrow_variant(spec)["encoding"]["y"]["title"] is None
    printed = chartspec.print_spec(spec)
    assert "usermeta" not in printed
    assert printed["width"] == 500


def test_only_a_chart_a_reader_moves_draws_with_the_vega_runtime() -> None:
    slider = alt.param(name="k", value=1, bind=alt.binding_range(min=0, max=2))
    moved = _line_chart().add_params(slider)
    assert chartspec.is_interactive(moved.to_dict())
    assert not chartspec.is_interactive(_line_chart().add_params(alt.param(name="k", expr="2")))
    markup = chartspec.chart_html(moved.to_dict())
    assert "vegaEmbed" not in markup
    assert "window.ivigChart(el, spec, narrow)" in markup
    assert 'class="ivig-chart-fallback"' in markup
    static = chartspec.chart_html(_line_chart().to_dict())
    assert "<script" not in static
    assert 'class="ivig-chart ivig-static"' in static


def _static_svgs(chart: alt.TopLevelMixin) -> tuple[str, list[str]]:
    markup = chartspec.static_html(chart.to_dict())
    return markup, re.findall(r"<svg.*?</svg>", markup, flags=re.S)


def test_a_static_chart_is_svg_for_a_laptop_and_for_a_phone() -> None:
    """Two SVGs, laid out (not scaled) for a laptop's column and for a phone's, each with the
    chart's title as <desc>, its ids prefixed with the chart's own (unique on a page)."""
    frame = pd.DataFrame({"x": [1, 2, 3], "y": [3, 1, 2], "group": ["a", "b", "a"]})
    chart = alt.Chart(frame).mark_bar(clip=True).encode(x="x:Q", y="y:Q", color="group:N")
    markup, svgs = _static_svgs(
        alt.vconcat(
            chart.properties(width=300), chart.properties(width=200, title="Two")
        ).properties(title="A <chart> & title")
    )
    element_id = re.search(r'id="(ivig-chart-[0-9a-f]{16})"', markup).group(1)  # type: ignore[union-attr]
    assert [re.search(r'class="marks (ivig-\w+)"', s).group(1) for s in svgs] == [  # type: ignore[union-attr]
        "ivig-wide",
        "ivig-narrow",
    ]
    widths = [float(re.search(r' width="([0-9.]+)"', s).group(1)) for s in svgs]  # type: ignore[union-attr]
    assert abs(widths[0] - chartspec.WIDE_COLUMN) <= 2
    assert abs(widths[1] - chartspec.NARROW_COLUMN) <= 2
    for svg in svgs:
        assert "<desc>A &lt;chart&gt; &amp; title</desc>" in svg
        ids = re.findall(r' id="([^"]+)"', svg)
        assert ids, "a clipped mark names its clip path"
        assert all(i.startswith(f"{element_id}-") for i in ids), ids
        for ref in re.findall(r"url\(#([^)]+)\)", svg):
            assert ref in ids
    assert not set(re.findall(r' id="([^"]+)"', svgs[0])) & set(
        re.findall(r' id="([^"]+)"', svgs[1])
    )


def test_a_static_charts_tooltips_are_native_titles_escaped() -> None:
    frame = pd.DataFrame({"x": [1.234567], "y": [2], "who": ["<b>Smith</b>, 2020"]})
    chart = (
        alt.Chart(frame)
        .mark_point()
        .encode(x="x:Q", y="y:Q", tooltip=tooltips("who x:Q:.1f", who="Study"))
    )
    labelled = alt.layer(chart, chart.mark_text(dx=10).encode(text="who:N"))
    markup, svgs = _static_svgs(labelled)
    # the point's tooltip, once: its label repeats none and lets the pointer through
    titles = re.findall(r"<title>(.*?)</title>", svgs[0], flags=re.S)
    assert titles == ["Study: &lt;b&gt;Smith&lt;/b&gt;, 2020\nx: 1.2"]
    assert re.search(r'<g class="mark-text[^"]*" pointer-events="none">', svgs[0])
    assert "<b>" not in markup
    assert "aria-label" not in markup
    assert "role=" not in markup
    # a phone's layout has no titles (a touch screen shows none)
    assert "<title>" not in svgs[1]
    # a text mark with a tooltip of its own has it, beside its text (in a group)
    words = chart.mark_text().encode(text="who:N")
    _, (wide, _) = _static_svgs(words)
    assert re.search(r"<g><title>Study: [^<]*</title><text[^>]*>&lt;b&gt;Smith", wide)
    # a chart without tooltips has no titles
    plain = chartspec.static_html(_line_chart().to_dict())
    assert "<title>" not in plain


def test_tooltip_text_reads_vega_lites_tooltip_object() -> None:
    signal = '{"Study": isValid(datum["s"]) ? datum["s"] : ""+datum["s"], '
    signal += '"N, all": format(datum["n"], ",")}'
    expression = chartspec._tooltip_text(signal)
    assert expression == (
        '"Study: " + (isValid(datum["s"]) ? datum["s"] : ""+datum["s"]) + "\\n" + '
        '"N, all: " + (format(datum["n"], ","))'
    )
    assert chartspec._tooltip_text("datum.label") == '"" + (datum.label)'


def test_tooltips_take_shared_titles_types_and_formats() -> None:
    got = [t.to_dict() for t in tooltips("study share:Q:.0% n:Q", n="Patients in each")]
    assert got == [
        {"field": "study", "type": "nominal", "title": "Study"},
        {"field": "share", "type": "quantitative", "title": "Share", "format": ".0%"},
        {"field": "n", "type": "quantitative", "title": "Patients in each"},
    ]


def test_the_evidence_map_log_axis_ticks_at_one_and_three_per_decade() -> None:
    """1, 3, 10, 30, ... up to the axis's end: never 1, 2, 3, ... 9, which ran together."""
    from ivigbook.figures.evidence import log_ticks

    assert log_ticks(100) == [1, 3, 10, 30, 100]
    assert log_ticks(2999) == [1, 3, 10, 30, 100, 300, 1000]
    ticks = log_ticks(10**6)
    assert all(b / a in (3, 10 / 3) for a, b in pairwise(ticks))


def test_phone_layout_wraps_legend_labels_and_stacks_legends() -> None:
    """On a phone, legend labels wrap onto lines (none is cut short) and the legends stand one
    under another below the plot, not side by side (wider than a phone)."""
    frame = pd.DataFrame(
        {"x": [1, 2], "y": [1, 2], "kind": ["Change without clinical relevance", "None"]}
    )
    chart = alt.Chart(frame).mark_point().encode(x="x:Q", y="y:Q", color="kind:N", size="x:Q")
    narrow = chartspec.narrow_vega(chartspec.vega_spec(chartspec.narrow_variant(chart.to_dict())))
    legends = narrow["legends"]
    assert len(legends) == 2
    for legend in legends:
        assert "split(" in legend["encode"]["labels"]["update"]["text"]["signal"]
    assert narrow["config"]["legend"]["layout"]["bottom"]["direction"] == "vertical"


def test_wrapped_label_expression_breaks_at_spaces() -> None:
    """The expression that wraps labels, evaluated the way Vega does (JavaScript's replace
    with a global regular expression), gives whole words on lines of at most N characters."""
    import re

    from ivigbook.figures.theme import wrap_label_expr

    expression = wrap_label_expr(20)
    pattern = re.search(r"regexp\('(.*?)', 'g'\)", expression).group(1)  # type: ignore[union-attr]
    pattern = pattern.replace("\\\\", "\\")  # the JavaScript string's escape
    label = "Change without clinical relevance"
    lines = re.sub(pattern, lambda m: m.group(1) + "\n", label).strip().split("\n")
    assert lines == ["Change without", "clinical relevance"]
    assert expression.startswith("length(datum.label) > 20 ? ")


def test_signals_phone_layout_keeps_the_size_legend_and_whole_lines() -> None:
    """The forest plot's phone layout: every row's label and caveats in whole lines across
    the width (never cut), and the legend of marker size its caption relies on."""
    from ivigbook.analysis.responders import responder_table
    from ivigbook.data.load import load
    from ivigbook.figures import responders

    spec = responders.responder_chart(responder_table(load())).to_dict()
    narrow = spec["usermeta"]["ivigbook"]["narrow"]
    text = json.dumps(narrow)
    assert '"title": "Patients in study"' in text
    rows = [row for d in narrow["datasets"].values() for row in d if "narrow_lines" in row]
    assert rows
    for row in rows:
        for line in row["narrow_lines"]:
            assert len(line) <= responders.NARROW_LINE_CHARS or " " not in line
        assert "1 patients" not in " ".join(row["narrow_lines"])
