# `make run`  – generate the example workbook into output/
# `make web`  – the web page for HR, on the example workbook, into output/
# `make test` – run the test suite
# `make test-fast` – the suite without the tests marked slow (LibreOffice, kill tests, the wheel)
# They install what they need first: a virtualenv with the Python packages,
# and LibreOffice (for PDF/A) via apt-get when it is missing.

PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed
SUDO    = $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run web test test-fast bench systempakker maler eksempel clean

$(STAMP): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $(STAMP)

# LibreOffice converts to PDF/A (hyphen-no: Norwegian hyphenation in narrow table columns);
# the tests also use pdftotext (poppler) and openssl, and drive Debian's chromium for the web page
# (Playwright's own browser download does not work on these machines).
systempakker:
	@if ! command -v soffice >/dev/null 2>&1 || ! command -v pdftotext >/dev/null 2>&1 \
	    || ! command -v openssl >/dev/null 2>&1 || [ ! -e /usr/share/hyphen/hyph_nb_NO.dic ] \
	    || [ ! -e /usr/bin/chromium ]; then \
	  echo "Installerer LibreOffice, skrifter og Chromium (apt-get) ..."; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends \
	    libreoffice-writer-nogui fonts-liberation2 fonts-dejavu-core poppler-utils openssl hyphen-no chromium >/dev/null; \
	fi

run: $(STAMP) systempakker
	$(BIN)/lederavtale generer input/eksempel.xlsx --ut output

web: $(STAMP) systempakker
	$(BIN)/lederavtale web input/eksempel.xlsx --ut output

test: $(STAMP) systempakker
	$(BIN)/python -m pytest -q

test-fast: $(STAMP) systempakker
	$(BIN)/python -m pytest -q -m "not slow"

bench: $(STAMP) systempakker
	$(BIN)/python benchmarks/bench_docx.py
	$(BIN)/python benchmarks/bench_pdf.py
	$(BIN)/python benchmarks/bench_status.py
	$(BIN)/python benchmarks/bench_privacy.py
	$(BIN)/python benchmarks/bench_web.py

# Rebuild the default templates and the example workbook from their sources.
maler: $(STAMP)
	$(BIN)/python tools/build_templates.py

eksempel: $(STAMP)
	$(BIN)/python tools/make_example.py
	$(BIN)/python tools/example_nynorsk.py

clean:
	rm -rf $(VENV) output/*/ build *.egg-info
