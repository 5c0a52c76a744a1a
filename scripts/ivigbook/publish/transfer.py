"""What a first visit to each page costs: ``first_visits(html_dir)``."""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
LOOPBACK = {"127.0.0.1", "localhost"}
#: Sphinx's pages that are not chapters but are served all the same.
SKIP = {"_static", "_sources", "_images", "reports", "downloads"}


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@contextlib.contextmanager
def serve(directory: Path) -> Iterator[str]:
    """Serve ``directory`` on loopback (quietly, threaded); yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def site_pages(html_dir: Path) -> list[str]:
    """Every HTML page of the site (relative paths), chapters and Sphinx's own pages."""
    return sorted(
        p.relative_to(html_dir).as_posix()
        for p in html_dir.rglob("*.html")
        if not SKIP & set(p.relative_to(html_dir).parts[:-1])
    )


def _visit(browser: Any, url: str) -> dict[str, Any]:
    context = browser.new_context()  # a new context: nothing cached
    tab = context.new_page()
    seen: dict[str, Any] = {"bytes": 0, "requests": 0, "not_found": [], "refused": [], "files": {}}

    def route(r: Any) -> None:
        if urlsplit(r.request.url).hostname in LOOPBACK:
            r.continue_()
        else:
            seen["refused"].append(r.request.url)
            r.abort()

    def finished(request: Any) -> None:
        response = request.response()
        size = request.sizes()["responseBodySize"] if response is not None else 0
        seen["requests"] += 1
        seen["bytes"] += size
        path = urlsplit(request.url).path
        seen["files"][path] = seen["files"].get(path, 0) + size
        if response is not None and response.status == 404:
            seen["not_found"].append(request.url)

    tab.route("**/*", route)
    tab.on("requestfinished", finished)
    tab.goto(url, wait_until="load")
    tab.wait_for_load_state("networkidle")
    tab.wait_for_timeout(200)
    context.close()
    return seen


def first_visits(html_dir: Path, pages: list[str] | None = None) -> dict[str, dict[str, Any]]:
    """Page -> {bytes, requests, not_found, refused, files} for a first visit of each page."""
    from playwright.sync_api import sync_playwright

    pages = pages if pages is not None else site_pages(html_dir)
    results = {}
    with serve(html_dir) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        try:
            for page in pages:
                results[page] = _visit(browser, f"{base}/{page}")
        finally:
            browser.close()
    return results
