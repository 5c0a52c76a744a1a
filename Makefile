# The IVIG in s-IBM evidence book. `make book` and `make test` bootstrap everything.
# BUILD_DIR may be overridden so that parallel builds do not share one _build folder.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
BUILD_DIR ?= _build
# One data package for validation and builds alike: DATA_DIR, or IVIGBOOK_DATA_DIR, or data/.
DATA_DIR ?= $(or $(IVIGBOOK_DATA_DIR),data)
export IVIGBOOK_DATA_DIR := $(abspath $(DATA_DIR))
STAMP := $(VENV)/.installed
JB_FLAGS := -W -n --keep-going

.DEFAULT_GOAL := help
.PHONY: help env system validate html pdf book book-build test test-fast lint release bench new-study update-search record-screening dictionary clean

help:  ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

# The virtual environment is rebuilt whenever requirements.txt changes. A .pth file puts
# scripts/ on the path, so chapters, tests and the CLI all import the same ivigbook package.
$(STAMP): requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	$(PY) -c "import sysconfig, pathlib; pathlib.Path(sysconfig.get_paths()['purelib'], 'ivigbook-src.pth').write_text('$(CURDIR)/scripts\n')"
	touch $@

env: $(STAMP)  ## Create the Python environment

system:  ## Install (or name) the Debian packages listed in scripts/system-packages.txt
	@bash scripts/ensure-system-packages.sh

validate: $(STAMP)  ## Validate the data package (DATA_DIR=data)
	$(PY) -m ivigbook validate $(DATA_DIR)

html: $(STAMP) validate  ## Build the HTML site into $(BUILD_DIR)/html
	$(PY) -m ivigbook build html --build-dir $(BUILD_DIR)

pdf: $(STAMP) system validate  ## Build the PDF into $(BUILD_DIR)/latex
	$(PY) -m ivigbook build pdf --build-dir $(BUILD_DIR)

# With nothing changed since the last build (same data, chapters, library, configuration,
# static files: see ivigbook.publish.build.book_fingerprint) `make book` returns at once,
# skipping the system check, the validation and both builders; any real change rebuilds.
book: $(STAMP)  ## Build the whole book: HTML site with the PDF inside it
	@$(PY) -m ivigbook build book --build-dir $(BUILD_DIR) --up-to-date \
		|| $(MAKE) --no-print-directory book-build

book-build: $(STAMP) system validate
	$(PY) -m ivigbook build book --build-dir $(BUILD_DIR)

test: $(STAMP) system book node_modules/.package-lock.json  ## Run every test (data, chapters, built HTML and PDF, browser)
	$(PY) -m pytest --durations=15

# The inner loop: the data, the library and the layers, with no book build and no browser.
FAST := not book and not browser and not slow
test-fast: $(STAMP)  ## Fast tier: data, analysis, text and figures (no build, no browser; about a minute)
	$(PY) -m pytest -m "$(FAST)" --durations=10

# axe-core (pinned in package-lock.json) for the accessibility audit in the browser tests.
node_modules/.package-lock.json: package-lock.json
	npm ci --no-audit --no-fund

lint: $(STAMP)  ## ruff (library, tests and chapters), mypy (library), codespell, shellcheck and actionlint
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	bash scripts/lint-chapters.sh $(BIN)
	$(BIN)/codespell
	shellcheck scripts/*.sh .ci/run
	$(BIN)/actionlint .github/workflows/*.yml

release: $(STAMP) book  ## Zip site + PDF + data into dist/
	$(PY) -m ivigbook release --build-dir $(BUILD_DIR)

bench: $(STAMP) system  ## Time loading, validation and builds
	$(PY) -m ivigbook bench --build-dir $(BUILD_DIR) --builds

new-study: $(STAMP)  ## Scaffold a new study: make new-study ID=smith2027
	$(PY) -m ivigbook new-study $(ID)

# NCBI asks for an e-mail address (NCBI_EMAIL) and allows more requests with an API key
# (NCBI_API_KEY); both are read from the environment. Offline, it fails and changes nothing.
update-search: $(STAMP)  ## Run the PubMed update query; new records go to data/screening_worksheet.csv
	@$(PY) -m ivigbook search run --query $(or $(QUERY),pubmed_update) --data-dir $(DATA_DIR)

record-screening: $(STAMP)  ## Move screened worksheet rows into data/screened_records.csv, with the counts
	@$(PY) -m ivigbook search record --data-dir $(DATA_DIR)

dictionary: $(STAMP)  ## Regenerate data/README.md from the schema
	$(PY) -m ivigbook dictionary --write

clean:  ## Remove build outputs (keeps the environment)
	rm -rf $(BUILD_DIR) dist
