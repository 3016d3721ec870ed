# Wangge: `make run` starts the platform with demo data; `make test` runs the whole test suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-fast test-browser lint typecheck check messages setup demo worker clean

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

setup: $(STAMP)

## run: migrate the SQLite database under var/, load the demo district once, start web server and worker
run: $(STAMP)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py demo
	@$(BIN)/python manage.py login_help
	@trap 'kill 0' INT TERM EXIT; \
	$(BIN)/python manage.py run_huey --quiet & \
	$(BIN)/python manage.py runserver 127.0.0.1:8000

## test: the whole suite (unit, service, view, permission matrix, browser) on the configured database
test: $(STAMP)
	$(BIN)/python scripts/ensure_browser.py
	$(BIN)/pytest

test-fast: $(STAMP)
	$(BIN)/pytest -m "not browser"

test-browser: $(STAMP)
	$(BIN)/pytest -m browser

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

check: lint typecheck
	$(BIN)/python manage.py makemigrations --check --dry-run

messages: $(STAMP)
	$(BIN)/python manage.py makemessages -l zh_Hans --no-obsolete --no-location -i ".venv/*" -i "var/*" -i "static/vendor/*"
	$(BIN)/python manage.py compilemessages -l zh_Hans --ignore=.venv

worker: $(STAMP)
	$(BIN)/python manage.py run_huey

clean:
	rm -rf $(VENV) var/test.sqlite3*

otp: $(STAMP)
	@$(BIN)/python manage.py demo_otp $(ACCOUNT)
