"""Data as Markdown text for a chapter: escaped values, source checks as a list."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ivigbook.analysis.cohorts import short_labels_by_id
from ivigbook.analysis.vocabulary import CHECK_TOPIC_LABELS

if TYPE_CHECKING:
    import pandas as pd

    from ivigbook.data.load import Evidence


_MARKDOWN_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_{}[]<>|#$~^"})


def markdown_text(text: object) -> str:
    """Text from the data made safe for a MyST table cell (markup characters escaped)."""
    return " ".join(str(text).split()).translate(_MARKDOWN_SPECIAL)


def source_checks_markdown(ev: Evidence) -> str:
    """The source checks as a MyST list-table (study, topic and check; what the letter says;
    what the source says; the source as a citation), for a cell whose output is Markdown."""
    lines = [
        "```{list-table} What the checked sources say, beside the letter",
        ":header-rows: 1",
        ":widths: 16 29 37 18",
        # longtable: it may run over pages in the PDF; ivig-paginate: on the site it becomes
        # a paginated, searchable table (_static/book.js), however many checks there are.
        ":class: longtable ivig-paginate",
        "",
        "* - Study, topic: check",
        "  - The letter says",
        "  - The source says",
        "  - Source",
    ]
    names = short_labels_by_id(ev)
    for _, row in ev.source_checks.iterrows():
        study = names[str(row["study_id"])]
        cells = [
            markdown_text(
                f"{study}, "
                f"{CHECK_TOPIC_LABELS.get(str(row['topic']), str(row['topic']))}: {row['verdict']}"
            ),
            markdown_text(row["letter_says"]),
            markdown_text(row["source_says"]),
            f"{{cite:p}}`{row['citation_key']}`",
        ]
        lines.append("* - " + cells[0])
        lines.extend("  - " + cell for cell in cells[1:])
    lines.append("```")
    return "\n".join(lines)


def downgrades_markdown(downgrades: pd.DataFrame) -> str:
    """The reasons a certainty rating is lowered as a list under each outcome, as the notes
    under a Cochrane summary of findings; ``downgrades`` is
    :func:`ivigbook.analysis.grade.downgrades_display`. No reason: one line says so."""
    if downgrades.empty:
        return "No rating is lowered."
    lines: list[str] = []
    for outcome, rows in downgrades.groupby("Outcome", sort=False):
        lines.append(f"- **{markdown_text(outcome)}**")
        lines.extend(
            f"  - *{markdown_text(r['Lowered for'])}* "
            f"({r['Levels'] if r['Levels'] != '0' else 'not lowered'}). "
            f"{markdown_text(r['Why'])}"
            for _, r in rows.iterrows()
        )
    return "\n".join(lines)


#: The repository's changelog, whose "Versioning rule" section the book shows.


def findings_list_markdown(findings: pd.DataFrame) -> str:
    """The summary of findings in brief, for the home page: one line per outcome with GRADE's
    statement and the certainty in words; ``findings`` is
    :func:`ivigbook.analysis.grade.findings_table`."""
    return "\n".join(
        f"- **{markdown_text(r['outcome_label'])}.** {markdown_text(r['statement'])} "
        f"*Certainty: {markdown_text(str(r['certainty_label']).lower())}.*"
        for _, r in findings.iterrows()
    )
