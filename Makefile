# Borgerbudget. `make run` and `make test` need only python3 (with venv) and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run serve install test test-services lint check-migrations check-deploy messages assets clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall whenever the pins change. `run` needs the platform only; `test` adds the test tools.
$(VENV)/.installed-run: $(BIN)/python pyproject.toml requirements/constraints.txt
	$(BIN)/python -m pip install --quiet -c requirements/constraints.txt -e .
	$(BIN)/python requirements/editable_links.py $(VENV)
	@touch $@

$(VENV)/.installed: $(BIN)/python pyproject.toml requirements/constraints.txt
	$(BIN)/python -m pip install --quiet -c requirements/constraints.txt -e '.[test]'
	$(BIN)/python requirements/editable_links.py $(VENV)
	@touch $@ $(VENV)/.installed-run

install: $(VENV)/.installed

# Links in e-mails, code letters and exports point at the address the site is served at.
run: export SITE_URL ?= http://$(HOST):$(PORT)
run: $(VENV)/.installed-run
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py purge_personal_data
	$(BIN)/python manage.py grant_receipts_purge
	@echo
	@echo "Borgerbudget: http://$(HOST):$(PORT)/  (admin: http://$(HOST):$(PORT)/admin/)"
	@echo "HTTP and WebSockets on one port, SQLite and the in-memory channel layer (one process)."
	@echo "Beside it: one e-mail worker (db_worker) and the notices scheduler; Ctrl-C stops all three."
	@$(BIN)/python manage.py db_worker --backend notices --queue-name '*' --no-reload & worker=$$!; \
	$(BIN)/python manage.py notices_schedule --loop 120 & scheduler=$$!; \
	trap 'kill $$worker $$scheduler 2>/dev/null' EXIT INT TERM; \
	HOST=$(HOST) PORT=$(PORT) $(BIN)/daphne -b $(HOST) -p $(PORT) pbsite.asgi:application

# Browser journeys (tests/e2e) drive Debian's Chromium; without it they are skipped, and said so.
CHROMIUM ?= /usr/bin/chromium

test: install
	@status=0; \
	DJANGO_SETTINGS_MODULE=pbsite.settings.test CHROMIUM=$(CHROMIUM) $(BIN)/python -m pytest $(PYTEST_ARGS) || status=$$?; \
	test -x $(CHROMIUM) || echo "NOTE: browser journeys (tests/e2e) were skipped: no Chromium at $(CHROMIUM) (apt-get install chromium; with CI=true or REQUIRE_BROWSER=1 they fail instead)."; \
	exit $$status

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

check-migrations: install
	$(BIN)/python manage.py makemigrations --check --dry-run

check-deploy: install
	DJANGO_SETTINGS_MODULE=pbsite.settings.production \
	SECRET_KEY=$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))') \
	ALLOWED_HOSTS=borgerbudget.example.dk \
	$(BIN)/python manage.py check --deploy --fail-level WARNING

# Regenerate the translation catalogues (needs GNU gettext); the compiled .mo files are
# committed so that `make run` needs no gettext.
messages: install
	$(BIN)/python manage.py makemessages -l da -l en --ignore '.venv/*' --ignore 'var/*' --ignore 'tests/*' --ignore 'benchmarks/*'
	$(BIN)/python manage.py compilemessages --ignore '.venv/*'

# Refresh the vendored front-end assets from the npm registry (needs node and npm).
assets:
	bash frontend/vendor-assets.sh

clean:
	rm -rf $(VENV) var .pytest_cache
