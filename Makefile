# `make run`  – generate the example workbook into output/
# `make web`  – the web page for HR, on the example workbook, into output/
# `make test` – run the test suite
# `make test-fast` – the suite without the tests marked slow (LibreOffice, kill tests, the wheel)
# `make oppgrader` – renew uv.lock to the newest versions pyproject.toml allows, then `make test`
# They install what they need first: a virtualenv with exactly the Python packages in
# uv.lock (versions and hashes), and LibreOffice (for PDF/A) via apt-get when it is missing;
# the tests also axe-core (the accessibility check of the web page) from package-lock.json.

PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed
NODE_STAMP = node_modules/.installed
SUDO    = $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run web test test-fast bench systempakker eksempel oppgrader clean

# uv.lock is the one lock, for every platform HR and IT use (Windows included) and every Python
# pyproject.toml allows. A new virtualenv has only pip: it takes uv itself from the lock, hash-checked
# (tools/uv_from_lock.py), and uv installs the rest exactly as locked (--locked: it refuses a lock that
# no longer matches pyproject.toml). --clear: a virtualenv made from an older lock keeps nothing the new
# lock does not name. The project itself goes in without build isolation, so its build backend is the
# locked one too (and without setuptools' note to developers about editable installs on a new user's screen).
$(STAMP): uv.lock pyproject.toml
	$(PYTHON) -m venv --clear $(VENV)
	$(PYTHON) tools/uv_from_lock.py uv.lock > $(VENV)/uv-krav.txt
	$(BIN)/python -m pip install -q --require-hashes -r $(VENV)/uv-krav.txt
	VIRTUAL_ENV=$(VENV) UV_PROJECT_ENVIRONMENT=$(VENV) $(BIN)/uv sync -q --locked --extra test --no-install-project
	PYTHONWARNINGS=ignore $(BIN)/python -m pip install -q --no-deps --no-build-isolation -e .
	touch $(STAMP)

# The newest versions the ranges in pyproject.toml allow, then the whole suite on them. Commit
# uv.lock only when the tests pass; `git checkout uv.lock` goes back.
oppgrader: $(STAMP)
	$(BIN)/uv lock --upgrade
	$(MAKE) test

# axe-core for tests/test_web_axe.py: exactly the version and integrity hash in package-lock.json
# (`npm ci` installs nothing else and runs no package's scripts). Only the tests use it.
$(NODE_STAMP): package-lock.json package.json | systempakker
	npm ci --ignore-scripts --no-audit --no-fund
	touch $(NODE_STAMP)

# LibreOffice converts to PDF/A (hyphen-no: Norwegian hyphenation in narrow table columns);
# the tests also use pdftotext (poppler) and openssl, and drive Debian's chromium for the web page
# (Playwright's own browser download does not work on these machines), with axe-core from npm.
# npm is asked for only when missing: a Node.js from NodeSource brings its own, and conflicts with Debian's.
systempakker:
	@if ! command -v soffice >/dev/null 2>&1 || ! command -v pdftotext >/dev/null 2>&1 \
	    || ! command -v openssl >/dev/null 2>&1 || [ ! -e /usr/share/hyphen/hyph_nb_NO.dic ] \
	    || [ ! -e /usr/bin/chromium ] || ! command -v npm >/dev/null 2>&1; then \
	  echo "Installerer LibreOffice, skrifter, Chromium og npm (apt-get) ..."; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends \
	    libreoffice-writer-nogui fonts-liberation2 fonts-dejavu-core poppler-utils openssl hyphen-no chromium \
	    $$(command -v npm >/dev/null 2>&1 || echo nodejs npm) >/dev/null; \
	fi

run: $(STAMP) systempakker
	$(BIN)/lederavtale generer input/eksempel.xlsx --ut output

web: $(STAMP) systempakker
	$(BIN)/lederavtale web input/eksempel.xlsx --ut output

# Two workers (pytest-xdist), each test file whole on one of them so that a file's shared fixtures are made
# once: most tests wait on LibreOffice, a browser or a server of their own, so both cores stay busy.
PYTEST = $(BIN)/python -m pytest -q -n 2 --dist loadfile

test: $(STAMP) systempakker $(NODE_STAMP)
	$(PYTEST)

test-fast: $(STAMP) systempakker $(NODE_STAMP)
	$(PYTEST) -m "not slow"

bench: $(STAMP) systempakker
	$(BIN)/python benchmarks/bench_docx.py
	$(BIN)/python benchmarks/bench_pdf.py
	$(BIN)/python benchmarks/bench_status.py
	$(BIN)/python benchmarks/bench_privacy.py
	$(BIN)/python benchmarks/bench_web.py
	$(BIN)/python benchmarks/bench_tables.py
	$(BIN)/python benchmarks/bench_signed.py

# Rebuild the example workbooks from their sources. (The default templates in maler/ are their own
# source: edit the .docx in Word or LibreOffice.)
eksempel: $(STAMP)
	$(BIN)/python tools/make_example.py
	$(BIN)/python tools/example_nynorsk.py

clean:
	rm -rf $(VENV) node_modules output/*/ build *.egg-info
