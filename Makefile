# medcode: every install goes through this file and pyproject.toml.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup run demo test browser bench bench-tools lint clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[api,dev,spark]'
	touch $(STAMP)

setup: $(STAMP)

# The main job: build the store from the embedded official files, then serve the API and web page.
run: setup
	$(BIN)/medcode data build
	$(BIN)/medcode serve --host 127.0.0.1 --port 8000

# A quick look without a server.
demo: setup
	$(BIN)/medcode lookup E11.9 S72.001A
	$(BIN)/medcode validate E11.9 E11 W21.89A || true

# Headless Chromium for the web-page tests (Debian's package; Playwright drives it).
# apt waits up to 10 minutes for another program's package lock instead of failing.
APT := DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 -o Acquire::Retries=3
browser:
	@command -v chromium >/dev/null 2>&1 || ($(APT) update -qq && $(APT) install -y -qq chromium >/dev/null)

test: setup browser
	$(BIN)/python -m pytest -q

# wrk drives the HTTP benchmark (bench_http.py falls back to a slower Python client without it)
bench-tools:
	@command -v wrk >/dev/null 2>&1 || ($(APT) update -qq && $(APT) install -y -qq wrk >/dev/null)

# the peers the benchmarks compare with: the [bench] extra
$(VENV)/.bench-installed: $(STAMP)
	$(BIN)/python -m pip install -q -e '.[api,dev,bench]'
	touch $@

bench: setup bench-tools $(VENV)/.bench-installed
	$(BIN)/python bench/run_all.py

lint: setup
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy src/medcode

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
