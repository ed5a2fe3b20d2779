# Two commands matter: `make run` (set up everything and serve on SQLite) and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# Where people reach the portal: every absolute link (mails, SMS, feeds, calendars) points here
# (portal/siteaddress.py). Serving on 0.0.0.0 or behind a proxy, give the address people use,
# e.g. make run SITE_URL=http://192.168.1.20:8000
SITE_URL ?= http://$(HOST):$(PORT)
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/shangju
# The site's address for `make run`: migrate gives it to the first Site, bootstrap_site --url moves the Site
# there, and the admin links in mails use it (portal/siteaddress.py). Set it for another address.
setup run: export WAGTAILADMIN_BASE_URL ?= $(SITE_URL)
# Two or more processes (pytest-xdist): the suite is long and most of it waits on Chromium or a server.
PYTEST_ARGS ?= -n auto --maxprocesses=4
TEMPLATE_DIRS := templates portal alliance bulletins casework forms home demo

.PHONY: run setup test test-fast test-postgres lint format bench browser clean audit load messages gettext

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements-dev.txt
	touch $(STAMP)

setup: $(STAMP)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py bootstrap_site --url $(SITE_URL)/

run: setup
	$(PY) manage.py runserver $(HOST):$(PORT)

test: $(STAMP) browser
	$(PY) -m pytest $(PYTEST_ARGS)

# The quick loop while working: no browser, no subprocess, no fault injection (make test runs all).
test-fast: $(STAMP)
	$(PY) -m pytest $(PYTEST_ARGS) -m "not e2e and not subprocess and not faults"

test-postgres: $(STAMP) browser
	DATABASE_URL=$(PG_TEST_URL) $(PY) -m pytest $(PYTEST_ARGS)

# Debian's Chromium for the browser tests (Playwright's own download does not work here).
# Debian's Chromium, and a small CJK font so screenshots of the Chinese pages are readable.
BROWSER_PACKAGES = chromium fonts-wqy-microhei
browser:
	@{ test -x /usr/bin/chromium && fc-list :lang=zh | grep -q .; } || { \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(BROWSER_PACKAGES); }

# gettext's msgfmt compiles and checks our catalogue of the admin's Chinese (Debian's package).
gettext:
	@command -v msgfmt >/dev/null || { \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext; }

# Recompile locale/ after editing a .po; the .mo files are committed so a clone runs without gettext.
messages: gettext
	for po in locale/*/LC_MESSAGES/*.po; do msgfmt --check -o "$${po%.po}.mo" "$$po" || exit 1; done

lint: $(STAMP) gettext
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .
	find $(TEMPLATE_DIRS) -name '*.html' -print0 | xargs -0 $(VENV)/bin/djhtml --check
	DJANGO_SETTINGS_MODULE=portal.settings.test $(PY) manage.py check
	DJANGO_SETTINGS_MODULE=portal.settings.test $(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/lint-imports --no-cache
	DJANGO_SETTINGS_MODULE=portal.settings.test $(PY) manage.py check_admin_catalogue

# Known vulnerabilities in the installed (pinned) packages, from PyPI's advisory data; fails on any.
# A package whose advisories cannot be looked up is listed as skipped; AUDIT_STRICT=1 fails on that too.
audit: $(STAMP)
	$(VENV)/bin/pip-audit --progress-spinner off --skip-editable $(if $(AUDIT_STRICT),--strict)

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .
	find $(TEMPLATE_DIRS) -name '*.html' -print0 | xargs -0 $(VENV)/bin/djhtml

# Benchmarks drive the server with wrk (Debian package); figures, not tests.
bench: $(STAMP)
	@command -v wrk >/dev/null || { \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; \
		else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; fi; }
	$(PY) bench/run.py --update-docs $(BENCH_ARGS)

clean:
	rm -rf $(VENV) db.sqlite3* var staticfiles

# A bounded load run with locust on PostgreSQL (5 minutes, 20 visitors; see bench/README.md):
# exits non-zero when a target is missed. LOAD_ARGS e.g. "--duration 90 --outage-at 30".
load: $(STAMP)
	$(PY) bench/load.py $(LOAD_ARGS)
