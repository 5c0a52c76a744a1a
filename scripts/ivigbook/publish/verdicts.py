"""A chapter's verdicts: short reasons in a table, the reasoning behind a disclosure."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from ivigbook.analysis.claims import audit_table, chapter_verdicts
from ivigbook.publish.render import Table
from ivigbook.publish.sitetables import plain_table_html

if TYPE_CHECKING:
    from ivigbook.data.load import Evidence

#: The disclosure's title, as the reader sees it.
AUDIT_SUMMARY = "How each verdict is reached"


def raw_html(text: str) -> str:
    """``text`` as a MyST ``{raw} html`` block, fenced longer than any backtick run in it."""
    fence = "`" * max([3, *(len(run) + 1 for run in re.findall(r"`+", text))])
    return f"{fence}{{raw}} html\n{text}\n{fence}\n"


class Verdicts:
    """The verdict table of one chapter plus its collapsed audit (site), or the table (PDF)."""

    def __init__(self, ev: Evidence, chapter: str, caption: str) -> None:
        self.table = Table(chapter_verdicts(ev, chapter), caption=caption)
        audit = audit_table(ev, chapter).drop(columns="Where in the letter")
        self.audit = audit.rename(columns={"Checked as": "The claim as the data check it"})

    def audit_html(self) -> str:
        """The audit, a plain table (the dropdown's content)."""
        table_id = self.table.table_id().replace("ivig-table-", "ivig-audit-")
        caption = "The full reasoning, and the data that decide each verdict"
        return plain_table_html(self.audit, table_id, caption)

    def markdown(self) -> str:
        """The table, then the audit in a closed dropdown, as MyST."""
        return (
            f"{raw_html(self.table.to_html())}\n"
            f"::::{{dropdown}} {AUDIT_SUMMARY}\n:class-container: ivig-verdict-audit\n\n"
            f"{raw_html(self.audit_html())}::::\n"
        )

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        # No text/html: the site takes text/markdown, the PDF text/latex.
        return {
            "text/markdown": self.markdown(),
            "text/latex": self.table.to_latex(),
            "text/plain": self.table.df.to_string(),
        }


def show_verdicts(ev: Evidence, chapter: str, caption: str) -> Verdicts:
    """The claims ``chapter`` discusses, their verdicts, short reasons and reasoning."""
    return Verdicts(ev, chapter, caption)
