# Commands for a fresh machine with python3, make and git:
#   make serve   build the site and serve it at http://127.0.0.1:8000, rebuilding on every change
#   make check   the quick check after editing sources (about a minute): kb validate and the fast tests
#   make test    run the whole test suite (what CI runs)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export NO_MKDOCS_2_WARNING := 1

.PHONY: serve build validate check test lint system-deps clean bench

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	# cffconvert validates CITATION.cff in the tests; it needs jsonschema<4, the project >=4.21.
	$(BIN)/python -m venv $(VENV)/cffconvert
	$(VENV)/cffconvert/bin/python -m pip install --quiet 'cffconvert>=2,<3'
	# Quiet MkDocs' and Material's end-of-life banner for commands typed in the activated
	# environment too (`mkdocs build`), not only under make.
	grep -q NO_MKDOCS_2_WARNING $(BIN)/activate || echo 'export NO_MKDOCS_2_WARNING=1' >> $(BIN)/activate
	grep -q NO_MKDOCS_2_WARNING $(BIN)/activate.fish || echo 'set -gx NO_MKDOCS_2_WARNING 1' >> $(BIN)/activate.fish
	touch $@

serve: $(STAMP)
	$(BIN)/mkdocs serve --livereload --dirty --dev-addr 127.0.0.1:8000

build: $(STAMP)
	$(BIN)/mkdocs build --strict

validate: $(STAMP)
	$(BIN)/kb validate

# Build-cost benchmark on synthetic knowledge bases (see benchmarks/README.md); takes about half
# an hour. BENCH_ARGS="--quick" measures only what the targets need; results in benchmarks/results/.
bench: $(STAMP)
	$(BIN)/python -m benchmarks.run $(BENCH_ARGS)

# The contributor's quick check: every source validated, then the tests marked `quick` (validation,
# every contributor mistake, kb new and kb diff, the real knowledge base loaded in-process); no
# browser and no build of the real site. `make test` runs everything, as CI does.
check: $(STAMP)
	$(BIN)/kb validate
	$(BIN)/pytest -q -m quick

lint: $(STAMP)
	$(BIN)/ruff check .

# Browser, pandoc and the HTML checker for the reader's-eye tests; skipped with a notice
# where the machine cannot install system packages.
system-deps:
	bash scripts/install-test-deps.sh

test: $(STAMP) system-deps lint
	$(BIN)/pytest

clean:
	rm -rf build site $(VENV)
