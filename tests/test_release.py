"""`python -m ivigbook release`: the offline zip's contents, checksums, determinism and
failures, on a small fake build; and (marker `book`) on the real build in BUILD_DIR."""

from __future__ import annotations

import hashlib
import os
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from typing import ClassVar

import pytest
import yaml

from ivigbook import cli, paths
from ivigbook.publish import release
from ivigbook.publish.version import ROOT, book_metadata

META = book_metadata()
TOP = META.archive_name
PDF_BYTES = b"%PDF-1.5\n% fake book\n%%EOF\n"


@pytest.fixture
def fake_build(tmp_path: Path) -> Path:
    build = tmp_path / "build"
    html_dir = build / "html"
    (html_dir / "_static").mkdir(parents=True)
    (html_dir / "index.html").write_text("<html><body>Start</body></html>\n", encoding="utf-8")
    (html_dir / "how-to-cite.html").write_text("<html>cite</html>\n", encoding="utf-8")
    (html_dir / "_static" / "style.css").write_text("body { color: black; }\n", encoding="utf-8")
    (html_dir / "_static" / "book.pdf").write_bytes(PDF_BYTES)
    (html_dir / ".buildinfo").write_text("config: 123\n", encoding="utf-8")  # hidden: left out
    return build


@pytest.fixture
def fake_data(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    (data / "studies").mkdir(parents=True)
    (data / "datapackage.json").write_text('{"name": "x"}\n', encoding="utf-8")
    (data / "studies" / "table.csv").write_text("id,n\n1,9\n", encoding="utf-8")
    (data / "__pycache__").mkdir()
    (data / "__pycache__" / "junk.pyc").write_bytes(b"\0")
    return data


def _release(build: Path, data: Path, dist: Path) -> Path:
    return release.release(build, dist, data)


def test_zip_holds_site_pdf_data_citation_licences(
    fake_build: Path, fake_data: Path, tmp_path: Path
) -> None:
    target = _release(fake_build, fake_data, tmp_path / "dist")
    assert target == tmp_path / "dist" / f"{TOP}.zip"
    with zipfile.ZipFile(target) as archive:
        names = archive.namelist()
        assert names == sorted(names)
        assert {name.split("/", 1)[0] for name in names} == {TOP}
        inside = {name.split("/", 1)[1] for name in names}
        assert inside == {
            "site/index.html",
            "site/how-to-cite.html",
            "site/_static/style.css",
            "site/_static/book.pdf",
            f"{TOP}.pdf",
            "data/datapackage.json",
            "data/studies/table.csv",
            "CITATION.cff",
            "CHANGELOG.md",
            "LICENSE",
            "LICENSE-CC-BY-4.0.md",
            "README-OFFLINE.txt",
            "SHA256SUMS",
        }
        assert archive.read(f"{TOP}/{TOP}.pdf") == PDF_BYTES
        assert archive.read(f"{TOP}/CITATION.cff") == (ROOT / "CITATION.cff").read_bytes()
        assert (
            archive.read(f"{TOP}/LICENSE-CC-BY-4.0.md")
            == (ROOT / "LICENSE-CC-BY-4.0.md").read_bytes()
        )
        readme = archive.read(f"{TOP}/README-OFFLINE.txt").decode("utf-8")
        assert f"Version {META.version}, released {META.release_date}." in readme
        assert "python -m http.server" in readme
        assert "site/index.html" in readme


def test_sha256sums_cover_every_file_and_are_right(
    fake_build: Path, fake_data: Path, tmp_path: Path
) -> None:
    target = _release(fake_build, fake_data, tmp_path / "dist")
    with zipfile.ZipFile(target) as archive:
        sums = archive.read(f"{TOP}/SHA256SUMS").decode("utf-8")
        listed = {}
        for line in sums.splitlines():
            digest, name = line.split("  ", 1)
            listed[name] = digest
        files = {name.split("/", 1)[1] for name in archive.namelist()} - {"SHA256SUMS"}
        assert set(listed) == files
        for name, digest in listed.items():
            assert hashlib.sha256(archive.read(f"{TOP}/{name}")).hexdigest() == digest, name


def test_release_is_byte_identical_across_runs(
    fake_build: Path, fake_data: Path, tmp_path: Path
) -> None:
    first = _release(fake_build, fake_data, tmp_path / "one").read_bytes()
    # New modification times on every input must not change a byte.
    for path in [*fake_build.rglob("*"), *fake_data.rglob("*")]:
        os.utime(path, (1_000_000_000, 1_000_000_000))
    second = _release(fake_build, fake_data, tmp_path / "two").read_bytes()
    assert first == second
    with zipfile.ZipFile(tmp_path / "one" / f"{TOP}.zip") as archive:
        stamp = (META.date_released.year, META.date_released.month, META.date_released.day)
        for info in archive.infolist():
            assert info.date_time == (*stamp, 0, 0, 0)
            assert info.external_attr == 0o644 << 16


def test_missing_pdf_fails_loudly(
    fake_build: Path, fake_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (fake_build / "html" / "_static" / "book.pdf").unlink()
    with pytest.raises(release.ReleaseError, match=r"no PDF in .*html"):
        _release(fake_build, fake_data, tmp_path / "dist")
    argv = ["release", "--build-dir", str(fake_build), "--dist-dir", str(tmp_path / "dist"),
            "--data-dir", str(fake_data)]  # fmt: skip
    assert cli.main(argv) == 1
    assert "release failed: no PDF in" in capsys.readouterr().err
    assert not (tmp_path / "dist" / f"{TOP}.zip").exists()


def test_missing_site_fails_loudly(fake_build: Path, fake_data: Path, tmp_path: Path) -> None:
    (fake_build / "html" / "index.html").unlink()
    with pytest.raises(release.ReleaseError, match=r"no built site: .*index\.html is missing"):
        _release(fake_build, fake_data, tmp_path / "dist")


def test_several_pdfs_need_a_choice(fake_build: Path, fake_data: Path, tmp_path: Path) -> None:
    (fake_build / "html" / "_static" / "figure.pdf").write_bytes(b"%PDF figure")
    with pytest.raises(release.ReleaseError, match="several PDFs"):
        _release(fake_build, fake_data, tmp_path / "dist")
    # The one LaTeX built is the book.
    (fake_build / "latex").mkdir()
    (fake_build / "latex" / "book.pdf").write_bytes(PDF_BYTES)
    target = _release(fake_build, fake_data, tmp_path / "dist")
    with zipfile.ZipFile(target) as archive:
        assert archive.read(f"{TOP}/{TOP}.pdf") == PDF_BYTES


def test_cli_writes_the_zip(
    fake_build: Path, fake_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["release", "--build-dir", str(fake_build), "--dist-dir", str(tmp_path / "dist"),
            "--data-dir", str(fake_data)]  # fmt: skip
    assert cli.main(argv) == 0
    assert f"wrote {tmp_path / 'dist' / TOP}.zip" in capsys.readouterr().out


# --- the real build ------------------------------------------------------------------------


class _Resources(HTMLParser):
    """Collects the URLs a page loads by itself (scripts, styles, images, frames, media)."""

    LOADING: ClassVar[dict[str, str]] = {
        "script": "src",
        "img": "src",
        "iframe": "src",
        "source": "src",
        "audio": "src",
        "video": "src",
        "embed": "src",
        "object": "data",
    }

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in self.LOADING and values.get(self.LOADING[tag]):
            self.urls.append(values[self.LOADING[tag]] or "")
        if tag == "link" and values.get("href"):
            rel = (values.get("rel") or "").lower()
            if {"stylesheet", "icon", "preload", "modulepreload", "manifest"} & set(rel.split()):
                self.urls.append(values["href"] or "")


def _external(url: str) -> bool:
    return url.startswith(("http://", "https://", "//"))


@pytest.mark.book
def test_release_of_the_real_build_works_offline(tmp_path: Path) -> None:
    build_dir = Path(os.environ.get("BUILD_DIR", "_build"))
    if not build_dir.is_absolute():
        build_dir = ROOT / build_dir
    if not (build_dir / "html" / "index.html").is_file():
        pytest.skip(f"no built book in {build_dir} (run `make book`)")
    target = release.release(build_dir, tmp_path / "dist")
    with zipfile.ZipFile(target) as archive:
        archive.extractall(tmp_path / "unzipped")
    top = tmp_path / "unzipped" / TOP
    site = top / "site"
    assert (site / "index.html").is_file()
    assert (top / f"{TOP}.pdf").read_bytes().startswith(b"%PDF")
    assert (top / "data").is_dir()
    pages = sorted(site.rglob("*.html"))
    assert pages
    offenders = {}
    for page in pages:
        parser = _Resources()
        parser.feed(page.read_text(encoding="utf-8"))
        external = [url for url in parser.urls if _external(url)]
        if external:
            offenders[str(page.relative_to(site))] = external
    assert not offenders, f"pages that load resources from the network: {offenders}"


def test_the_pdf_name_is_the_one_latex_writes() -> None:
    """The PDF's name is defined once (ivigbook.paths) and _config.yml's LaTeX target agrees."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    target = config["latex"]["latex_documents"]["targetname"]
    assert Path(target).with_suffix(".pdf").name == paths.PDF_NAME
    assert paths.pdf_path(Path("b")) == Path("b", "latex", paths.PDF_NAME)
