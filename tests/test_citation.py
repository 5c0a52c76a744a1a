"""CITATION.cff is valid CFF 1.2.0 and everything that restates it agrees with it:
.zenodo.json, version.py, the CHANGELOG, the licence files, the how-to-cite page and what the
Sphinx extension stamps into a build."""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import html
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml
from pybtex.database import parse_string

from ivigbook.publish import sphinx_ext
from ivigbook.publish.version import ROOT, SLUG, book_metadata, load_citation

SCHEMA_FILE = ROOT / "tests" / "schemas" / "cff-1.2.0.schema.json"
SCHEMA_SHA256 = "0b8d22140da702d766df318dcff3a91af2f39521298dcf36d76315fd99cc169b"
# SHA-256 of https://creativecommons.org/licenses/by/4.0/legalcode.txt as Creative Commons
# serves it, identical to Debian texlive-latex-extra's doclicense-CC-by-4.0-plaintext.tex.
CC_BY_4_SHA256 = "9ba9550ad48438d0836ddab3da480b3b69ffa0aac7b7878b5a0039e7ab429411"
LETTER_TITLE = (
    "Intravenous immunoglobulin in the treatment of sporadic inclusion body myositis: "
    "time for new evidence?"
)
CHAPTER = ROOT / "chapters" / "how-to-cite.md"


@pytest.fixture(scope="module")
def cff() -> dict:
    return load_citation()


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft7Validator:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(
        schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER
    )


@pytest.fixture(scope="module")
def zenodo() -> dict:
    return json.loads((ROOT / ".zenodo.json").read_text(encoding="utf-8"))


# --- CITATION.cff -------------------------------------------------------------------------


def test_schema_file_is_the_recorded_copy() -> None:
    digest = hashlib.sha256(SCHEMA_FILE.read_bytes()).hexdigest()
    assert digest == SCHEMA_SHA256, "tests/schemas/cff-1.2.0.schema.json was modified"
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert schema["$id"] == "https://citation-file-format.github.io/1.2.0/schema.json"


def test_citation_cff_is_valid_cff_1_2_0(cff: dict, validator) -> None:
    assert cff["cff-version"] == "1.2.0"
    errors = sorted(validator.iter_errors(cff), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)


@pytest.mark.parametrize(
    ("breakage", "path"),
    [
        (lambda d: d.pop("authors"), "authors"),
        (lambda d: d.__setitem__("date-released", "25/11/2026"), "date-released"),
        (lambda d: d.__setitem__("license", "CC-BY-4"), "license"),
        (lambda d: d["references"][0].pop("authors"), "references"),
    ],
    ids=["no-authors", "bad-date", "unknown-licence", "reference-without-authors"],
)
def test_schema_rejects_broken_copies(cff: dict, validator, breakage, path: str) -> None:
    """The validation above can fail: each breakage is caught."""
    broken = copy.deepcopy(cff)
    breakage(broken)
    assert not validator.is_valid(broken), f"a broken {path} passed the schema"


def test_citation_states_the_release(cff: dict) -> None:
    assert cff["title"] == "IVIG in sporadic inclusion body myositis: an open evidence book"
    assert re.fullmatch(r"\d+\.\d+\.\d+", str(cff["version"]))
    dt.date.fromisoformat(cff["date-released"])
    assert cff["authors"] == [{"name": "The IVIG in s-IBM evidence book contributors"}]
    assert "repository-code" not in cff, "no public repository yet: do not invent one"
    assert "doi" not in cff, "no DOI is minted yet: do not invent one"


def test_letter_is_credited_without_guessed_details(cff: dict) -> None:
    letters = [ref for ref in cff["references"] if " ".join(ref["title"].split()) == LETTER_TITLE]
    assert len(letters) == 1
    letter = letters[0]
    assert letter["type"] == "article"
    assert letter["year"] == 2024
    # Authors, journal, DOI are not confirmed (shared/reference/sources.md): none may appear.
    assert letter["authors"] == [{"name": "Authors of the letter (names not confirmed)"}]
    guessed = {"doi", "journal", "volume", "issue", "start", "end", "pages", "url", "pmid"}
    assert not guessed & set(letter), (
        f"unconfirmed fields in the letter entry: {guessed & set(letter)}"
    )


# --- version.py ---------------------------------------------------------------------------


def test_book_metadata_is_what_the_file_says() -> None:
    raw = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    meta = book_metadata()
    assert meta.title == raw["title"]
    assert meta.version == str(raw["version"])
    assert meta.release_date == str(raw["date-released"])
    assert meta.licence == raw["license"]
    assert meta.authors == tuple(author["name"] for author in raw["authors"])
    assert meta.licences == (raw["license"], "MIT")
    assert meta.archive_name == f"{SLUG}-{raw['version']}"


def test_book_metadata_follows_another_file(tmp_path: Path) -> None:
    """book_metadata reads the file it is given, so a bump in CITATION.cff is seen."""
    text = (ROOT / "CITATION.cff").read_text(encoding="utf-8")
    bumped = tmp_path / "CITATION.cff"
    bumped.write_text(
        re.sub(r"(?m)^version: .*$", "version: 9.8.7", text).replace(
            'date-released: "', 'date-released: "1999-01-02" # was "'
        ),
        encoding="utf-8",
    )
    meta = book_metadata(bumped)
    assert meta.version == "9.8.7"
    assert meta.date_released == dt.date(1999, 1, 2)


def test_bibtex_parses_and_agrees() -> None:
    meta = book_metadata()
    entry = next(iter(parse_string(meta.bibtex(), "bibtex").entries.values()))
    assert entry.type == "misc"
    assert entry.fields["title"] == "{" + meta.title + "}"
    assert entry.fields["year"] == str(meta.date_released.year)
    assert entry.fields["version"] == meta.version
    assert meta.release_date in entry.fields["note"]
    assert [str(person) for person in entry.persons["author"]] == [
        "{" + name + "}" for name in meta.authors
    ]


def test_citation_text_names_version_and_year() -> None:
    meta = book_metadata()
    text = meta.citation_text()
    assert text.startswith(f"{meta.author_text}. ({meta.date_released.year}). {meta.title} ")
    assert f"(Version {meta.version})" in text


# --- .zenodo.json -------------------------------------------------------------------------


def _plain(markup: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def test_data_package_carries_the_book_version(cff: dict) -> None:
    """The data package is released with the book: its descriptor and its README name the
    book's version."""
    package = yaml.safe_load((ROOT / "data" / "datapackage.yaml").read_text(encoding="utf-8"))
    assert str(package["version"]) == str(cff["version"])
    readme = (ROOT / "data" / "README.md").read_text(encoding="utf-8")
    assert f"- Version: {cff['version']}\n" in readme


def test_zenodo_agrees_with_citation(cff: dict, zenodo: dict) -> None:
    assert zenodo["title"] == cff["title"]
    assert zenodo["version"] == str(cff["version"])
    assert zenodo["publication_date"] == cff["date-released"]
    licence = zenodo["license"]
    assert (licence["id"] if isinstance(licence, dict) else licence) == cff["license"]
    assert [c["name"] for c in zenodo["creators"]] == [a["name"] for a in cff["authors"]]
    assert _plain(zenodo["description"]) == " ".join(cff["abstract"].split())
    assert zenodo["keywords"] == cff["keywords"]
    # CFF can only say software or dataset; Zenodo can say what the work is: a book.
    assert cff["type"] == "dataset"
    assert (zenodo["upload_type"], zenodo["publication_type"]) == ("publication", "book")
    assert zenodo["access_right"] == "open"
    assert any(LETTER_TITLE in reference for reference in zenodo["references"])
    assert "doi" not in zenodo, "no DOI is minted yet: do not invent one"


def test_both_files_name_the_code_licence(cff: dict, zenodo: dict) -> None:
    meta = book_metadata()
    for text in (cff["message"], zenodo["notes"]):
        assert f"{meta.licence} (LICENSE-CC-BY-4.0.md)" in " ".join(text.split())
        assert f"{meta.code_licence} (LICENSE)" in " ".join(text.split())


# --- licence files ------------------------------------------------------------------------


def test_cc_by_licence_is_the_legal_code() -> None:
    path = ROOT / "LICENSE-CC-BY-4.0.md"
    text = path.read_text(encoding="utf-8")
    headings = [
        "Attribution 4.0 International",
        "Creative Commons Attribution 4.0 International Public License",
        "Section 1 -- Definitions.",
        "Section 2 -- Scope.",
        "Section 3 -- License Conditions.",
        "Section 4 -- Sui Generis Database Rights.",
        "Section 5 -- Disclaimer of Warranties and Limitation of Liability.",
        "Section 6 -- Term and Termination.",
        "Section 7 -- Other Terms and Conditions.",
        "Section 8 -- Interpretation.",
    ]
    lines = text.splitlines()
    positions = [lines.index(heading) for heading in headings]
    assert positions == sorted(positions), "CC BY 4.0 sections out of order"
    assert hashlib.sha256(path.read_bytes()).hexdigest() == CC_BY_4_SHA256


def test_mit_licence_is_the_mit_text() -> None:
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    meta = book_metadata()
    assert text.startswith("MIT License\n")
    assert f"Copyright (c) {meta.date_released.year} {meta.author_text}\n" in text
    flat = " ".join(text.split())
    for clause in (
        "Permission is hereby granted, free of charge, to any person obtaining a copy of this "
        'software and associated documentation files (the "Software"), to deal in the Software '
        "without restriction,",
        "The above copyright notice and this permission notice shall be included in all copies "
        "or substantial portions of the Software.",
        'THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND,',
        "OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.",
    ):
        assert clause in flat


# --- CHANGELOG ----------------------------------------------------------------------------


def test_changelog_has_this_release_and_the_rule() -> None:
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    meta = book_metadata()
    assert f"\n## [{meta.version}] - {meta.release_date}\n" in text
    releases = re.findall(r"^## \[(\d+\.\d+\.\d+)\] - (\d{4}-\d{2}-\d{2})$", text, re.MULTILINE)
    assert releases[0] == (meta.version, meta.release_date), "newest release must come first"
    assert "## Versioning rule" in text
    for level in ("**MAJOR**", "**MINOR**", "**PATCH**"):
        assert level in text


# --- how-to-cite page ---------------------------------------------------------------------


def test_how_to_cite_types_no_version_date_or_doi() -> None:
    text = CHAPTER.read_text(encoding="utf-8")
    meta = book_metadata()
    assert meta.version not in text
    assert meta.release_date not in text
    assert str(meta.date_released.year) not in text
    assert "doi.org" not in text
    assert "10.5281" not in text
    for name in ("version", "release_date", "citation_apa", "bibtex"):
        assert f"{{{{ {name} }}}}" in text
    assert "\n{{ bibtex }}\n" in text, "the bibtex block substitution must stand alone"
    unknown = set(re.findall(r"\{\{ (\w+) \}\}", text)) - set(sphinx_ext.substitutions(meta))
    assert not unknown, f"substitutions the extension does not provide: {unknown}"


# --- the Sphinx extension in a real (tiny) jupyter-book build ------------------------------


def _tiny_book(folder: Path, title: str) -> Path:
    folder.mkdir()
    config = {
        "title": title,
        "author": "placeholder",
        "only_build_toc_files": True,
        "execute": {"execute_notebooks": "off"},
        # site: the {ivigbook-downloads} directive that how-to-cite.md uses
        "sphinx": {"extra_extensions": ["ivigbook.publish.sphinx_ext", "ivigbook.publish.site"]},
    }
    (folder / "_config.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    (folder / "_toc.yml").write_text(
        "format: jb-book\nroot: index\nchapters:\n  - file: how-to-cite\n", encoding="utf-8"
    )
    (folder / "index.md").write_text("# Start\n\nVersion {{ version }}.\n", encoding="utf-8")
    (folder / "how-to-cite.md").write_text(CHAPTER.read_text(encoding="utf-8"), encoding="utf-8")
    return folder


def _build(book: Path, out: Path, builder: str = "html") -> subprocess.CompletedProcess:
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "scripts")}
    return subprocess.run(
        [str(jupyter_book), "build", str(book), "--path-output", str(out), "--builder",
         builder, "-W", "-n", "--keep-going"],
        capture_output=True, text=True, env=env, check=False, timeout=300,
    )  # fmt: skip


def test_extension_stamps_html_and_latex(tmp_path: Path) -> None:
    meta = book_metadata()
    book = _tiny_book(tmp_path / "book", meta.title)
    result = _build(book, tmp_path / "out")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    page = (tmp_path / "out" / "_build" / "html" / "how-to-cite.html").read_text(encoding="utf-8")
    assert "{{ version }}" not in page
    assert "{{ bibtex }}" not in page
    assert f"This is version <strong>{meta.version}</strong>" in page
    assert f"released on {meta.release_date}" in page
    assert 'class="highlight-bibtex' in page
    assert '<div class="extra_footer">' in page
    assert html.escape(sphinx_ext.footer_html(meta), quote=False) not in page  # not escaped
    assert sphinx_ext.footer_html(meta) in page
    assert f"{meta.date_released.year}, {meta.author_text}" in page  # the copyright line

    result = _build(book, tmp_path / "out", builder="latex")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    tex = next((tmp_path / "out" / "_build" / "latex").glob("*.tex")).read_text(encoding="utf-8")
    assert f"\\date{{{meta.release_date_long}}}" in tex
    assert f"\\release{{{meta.version}}}" in tex


def test_extension_rejects_a_title_that_differs(tmp_path: Path) -> None:
    book = _tiny_book(tmp_path / "book", "Some other title")
    result = _build(book, tmp_path / "out")
    assert result.returncode != 0
    assert "differs from CITATION.cff title" in result.stdout + result.stderr
