"""A chapter's verdicts as readers meet them: the short reasons in a table, and the long
reasoning behind a disclosure.

``render.show_verdicts(ev, "trials", caption=...)`` (the last expression of a cell) shows the
claims a chapter discusses with their verdict and short reason (issue 9: reasons in plain
words), followed in the HTML by a collapsed section "How each verdict is reached" that holds,
for the same claims, the claim as the data check it, the long reason and the data that decide
it, named as readers know them. The PDF prints the table only: the claims ledger in the
living-review part prints the full audit once.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

from sphinx_design.icons import get_octicon

from ivigbook.analysis.claims import audit_table, chapter_verdicts
from ivigbook.publish.render import Table
from ivigbook.publish.sitetables import plain_table_html

if TYPE_CHECKING:
    from ivigbook.data.load import Evidence

#: The disclosure's title, as the reader sees it.
AUDIT_SUMMARY = "How each verdict is reached"
#: Classes of sphinx-design's dropdown, so the disclosure looks like the book's other ones.
DROPDOWN_CLASSES = "sd-sphinx-override sd-dropdown sd-card sd-mb-3 ivig-verdict-audit"
#: sphinx-design's marker of a closed dropdown (it turns as the dropdown opens): without it
#: nothing shows that the section opens.
CHEVRON = (
    '<span class="sd-summary-state-marker sd-summary-chevron-right">'
    f"{get_octicon('chevron-right', height='1.5em')}</span>"
)


class Verdicts:
    """The verdict table of one chapter plus its collapsed audit (HTML), or the table (LaTeX)."""

    def __init__(self, ev: Evidence, chapter: str, caption: str) -> None:
        self.chapter = chapter
        self.table = Table(chapter_verdicts(ev, chapter), caption=caption)
        audit = audit_table(ev, chapter).drop(columns="Where in the letter")
        self.audit = audit.rename(columns={"Checked as": "The claim as the data check it"})

    def audit_html(self) -> str:
        """The collapsed audit: a plain table inside a closed ``<details>``."""
        table_id = self.table.table_id().replace("ivig-table-", "ivig-audit-")
        caption = "The full reasoning, and the data that decide each verdict"
        return (
            f'<details class="{DROPDOWN_CLASSES}">'
            '<summary class="sd-summary-title sd-card-header">'
            f'<span class="sd-summary-text">{html.escape(AUDIT_SUMMARY)}</span>'
            f"{CHEVRON}</summary>"
            '<div class="sd-summary-content sd-card-body">'
            f"{plain_table_html(self.audit, table_id, caption)}</div></details>"
        )

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        return {
            "text/html": self.table.to_html() + self.audit_html(),
            "text/latex": self.table.to_latex(),
            "text/plain": self.table.df.to_string(),
        }


def show_verdicts(ev: Evidence, chapter: str, caption: str) -> Verdicts:
    """The claims ``chapter`` discusses, their verdicts and short reasons, and (collapsed, in
    the HTML) how each verdict is reached."""
    return Verdicts(ev, chapter, caption)
