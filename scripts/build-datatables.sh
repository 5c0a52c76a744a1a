#!/usr/bin/env bash
# Rebuild the DataTables bundle the site serves, from the versions pinned in
# package-lock.json: `npm ci --no-audit --no-fund` first (make test does it), then
#   bash scripts/build-datatables.sh [OUTPUT_DIR]
# bundles scripts/ivigbook/publish/datatables/entry.mjs into datatables.min.js (an ES module:
# DataTables core, its default styling, jQuery and the ITable class that the code itables
# writes into a page imports; jQuery in its slim build) and datatables.min.css, in OUTPUT_DIR (default:
# _extra/ivigbook/datatables, where the repository keeps them, so that `make book` needs no
# Node; Sphinx copies _extra/ into the site through html_extra_path, see _config.yml).
# tests/test_light.py rebuilds into a temporary folder and checks that the committed files
# are what this script makes.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-_extra/ivigbook/datatables}"
esbuild=node_modules/.bin/esbuild
if [[ ! -x "$esbuild" ]]; then
  echo "node_modules/.bin/esbuild missing: run npm ci --no-audit --no-fund" >&2
  exit 1
fi
mkdir -p "$out"
# shellcheck disable=SC2016  # the ${...} below are JavaScript, not shell
versions=$(node -e '
  const lock = require("./package-lock.json").packages;
  const v = (name) => lock["node_modules/" + name].version;
  process.stdout.write(`DataTables ${v("datatables.net")}, datatables.net-dt ${v("datatables.net-dt")}, jQuery ${v("jquery")}; esbuild ${v("esbuild")}`);
')
banner="/* ${versions}. Built by scripts/build-datatables.sh. */"
# jQuery's slim build (no $.ajax, no effects: DataTables uses neither when its ajax option is
# a function, which ITable in entry.mjs makes of a URL): about 23 KB less on every table page.
"$esbuild" scripts/ivigbook/publish/datatables/entry.mjs --bundle --format=esm --minify --target=es2020 \
  --alias:jquery=jquery/slim --legal-comments=eof --banner:js="$banner" --log-level=warning \
  --outfile="$out/datatables.min.js"
"$esbuild" node_modules/datatables.net-dt/css/dataTables.dataTables.css --minify \
  --legal-comments=eof --banner:css="$banner" --log-level=warning \
  --outfile="$out/datatables.min.css"
