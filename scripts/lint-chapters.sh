#!/usr/bin/env bash
# Lint the chapters' code with ruff, as itables does for its documentation: each MyST notebook
# is mirrored as a py:percent script (jupytext) and checked with the project's ruff settings.
# Prose becomes comments in the mirror, so line length and typographic characters (en dashes,
# curly quotes) are not checked there. With --fix, import order and formatting are fixed in the
# chapters themselves (jupytext --pipe), leaving their front matter as it was.
#
# Usage: scripts/lint-chapters.sh [--fix] [BIN_DIR]   (BIN_DIR defaults to .venv/bin)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

fix=0
if [[ "${1:-}" == "--fix" ]]; then
    fix=1
    shift
fi
bin=$(cd "${1:-.venv/bin}" && pwd)
root=$PWD
ignore="E501,RUF001,RUF002,RUF003"

if [[ $fix -eq 1 ]]; then
    "$bin/jupytext" --quiet \
        --pipe "$bin/ruff check --config pyproject.toml --fix-only --select I,F401 {}" \
        --pipe "$bin/ruff format --config pyproject.toml {}" chapters/*.md
    # jupytext stamps its own version into the front matter; the chapters do not keep it.
    sed -i '/^    format_version: /d; /^    jupytext_version: /d' chapters/*.md
fi

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for chapter in chapters/*.md; do
    "$bin/jupytext" --quiet --to py:percent -o "$out/$(basename "${chapter%.md}").py" "$chapter"
done
status=0
(cd "$out" && "$bin/ruff" check --config "$root/pyproject.toml" --ignore "$ignore" \
    --output-format concise ./*.py) || status=1
(cd "$out" && "$bin/ruff" format --check --config "$root/pyproject.toml" ./*.py) \
    || status=1
if [[ $status -ne 0 ]]; then
    echo "chapters/: the file names above are the chapters (NAME.py is chapters/NAME.md);" \
        "scripts/lint-chapters.sh --fix fixes import order and formatting" >&2
fi
exit "$status"
