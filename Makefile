# The two commands: `make run` and `make test`. Everything else is a helper they call.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
MANAGE := $(PY) manage.py
export DJANGO_SETTINGS_MODULE := config.settings

.PHONY: run test lint messages compilemessages migrate seed bench clean ci

$(VENV)/.base: requirements/base.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -r requirements/base.txt
	touch $@

$(VENV)/.dev: $(VENV)/.base requirements/dev.txt requirements/base.txt
	$(PIP) install -q -r requirements/dev.txt
	touch $@

# .mo files are built with Babel, so no system gettext is needed.
compilemessages: $(VENV)/.base
	$(VENV)/bin/pybabel compile --statistics -d locale -D django

migrate: $(VENV)/.base
	$(MANAGE) migrate --noinput

run: $(VENV)/.base compilemessages migrate
	$(MANAGE) seed_demo
	# honcho hands the first process PORT=5000 unless told otherwise; the site is on 8000 (SITE_URL).
	$(VENV)/bin/honcho -f Procfile.embedded start --port $${PORT:-8000}

test: $(VENV)/.dev compilemessages
	SECRET_KEY=$${SECRET_KEY:-test-only-secret-key} $(VENV)/bin/pytest $(PYTEST_ARGS)

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# Developers: refresh the .po files after changing texts (needs GNU gettext).
messages: $(VENV)/.base
	$(MANAGE) makemessages -l zh_Hans -l en --no-obsolete --ignore '.venv/*' --ignore 'var/*'

bench: $(VENV)/.dev compilemessages
	SECRET_KEY=$${SECRET_KEY:-bench-only-secret-key} $(PY) -m bench $(BENCH_ARGS)

clean:
	rm -rf var/ .pytest_cache
