"""Sphinx extension: stamp the book's identity from CITATION.cff into the build."""

from __future__ import annotations

import html
from typing import Any

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.util import logging

from ivigbook.publish.version import BookMetadata, book_metadata

logger = logging.getLogger(__name__)


def substitutions(meta: BookMetadata) -> dict[str, str]:
    """MyST substitution values. ``bibtex`` is block Markdown (a fenced code block)."""
    return {
        "book_title": meta.title,
        "book_authors": meta.author_text,
        "version": meta.version,
        "release_date": meta.release_date,
        "release_date_long": meta.release_date_long,
        "licence": meta.licence,
        "code_licence": meta.code_licence,
        "citation_apa": meta.citation_text(markdown=True),
        "bibtex": f"```bibtex\n{meta.bibtex()}\n```",
    }


def footer_html(meta: BookMetadata) -> str:
    """Every page's footer line: the version, its release date and the licences."""
    return (
        f"<p>Version {html.escape(meta.version)}, released "
        f"{html.escape(meta.release_date)}. Prose and data: {html.escape(meta.licence)}; "
        f"code: {html.escape(meta.code_licence)}.</p>"
    )


def _stamp(app: Sphinx, config: Config) -> None:
    meta = book_metadata()

    title_set = config.html_title
    if title_set and title_set != meta.title:
        logger.warning(
            "ivigbook: _config.yml title %r differs from CITATION.cff title %r; "
            "set _config.yml `title:` to the CITATION.cff title",
            title_set,
            meta.title,
        )

    config.version = meta.version
    config.release = meta.version
    config.today = meta.release_date_long
    config.author = meta.author_text
    config.copyright = f"{meta.date_released.year}, {meta.author_text}"

    theme_options: dict[str, Any] = dict(config.html_theme_options or {})
    theme_options["extra_footer"] = footer_html(meta)
    config.html_theme_options = theme_options

    if "myst_substitutions" in config:
        subs = dict(config.myst_substitutions or {})
        subs.update(substitutions(meta))
        config.myst_substitutions = subs
        extensions = list(config.myst_enable_extensions or [])
        if "substitution" not in extensions:
            extensions.append("substitution")
            config.myst_enable_extensions = extensions


def setup(app: Sphinx) -> dict[str, Any]:
    # config-inited fires once every extension is set up, so myst_substitutions (registered
    # by myst-nb / myst-parser) exists by then whatever the extension order. Priority 900
    # runs it after the theme's and myst-nb's own config-inited handlers.
    app.connect("config-inited", _stamp, priority=900)
    return {"version": book_metadata().version, "parallel_read_safe": True}
