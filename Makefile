# graphsvc: `make run` serves the demo, `make test` runs the checks. Both set everything up.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
NODE_DEPS := tools/cypherlint/node_modules/.installed tools/graphqlhttp/node_modules/.installed \
	tools/graphiql/node_modules/.installed

.PHONY: install run test soak lint format seeds schema bench bench-geography clean browser screenshots

install: $(INSTALLED) $(NODE_DEPS)

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

# Node tools for the tests: Neo4j's own Cypher parser (every query Neo4j would run is checked
# offline), graphql-http's GraphQL-over-HTTP audits, and GraphiQL's files, which the app serves
# itself at /graphql (graphsvc/api/pages.py; no CDN).
tools/%/node_modules/.installed: tools/%/package.json tools/%/package-lock.json
	command -v npm >/dev/null || (apt-get update -qq && apt-get install -y -qq nodejs npm)
	cd tools/$* && npm ci --no-audit --no-fund --loglevel=error
	touch $@

run: $(INSTALLED) tools/graphiql/node_modules/.installed
	$(VENV)/bin/graphsvc serve

# A real browser for the map test (tests/test_maps_browser.py): Debian's chromium, driven by
# Playwright for Python through its own executable (no browser download).
browser:
	test -x /usr/bin/chromium || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium)

test: install browser
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) -m pytest

# The long forms of the reliability checks: 200 kill -9 cycles, 60 s of 8 writers and
# 32 readers, 2,000 fuzzed queries per mode, the disk-full check 10 times, and a restart
# after loading the whole national bench bundle (prints the restart's seconds), 20 kill -9 of
# the database during a bulk load (tests/test_durability.py), and the worst crash of a
# national load priced (bench/durability.py).
soak: install
	GRAPHSVC_CRASH_CYCLES=200 GRAPHSVC_LOAD_SECONDS=60 GRAPHSVC_FUZZ_EXAMPLES=2000 \
		GRAPHSVC_DISK_FULL_ROUNDS=10 GRAPHSVC_RESTART_SCALE=1 GRAPHSVC_DURABILITY_KILLS=20 \
		$(PY) -m pytest -p no:cacheprovider tests/test_crash_consistency.py tests/test_load.py \
		tests/test_fuzz_graphql.py tests/test_fuzz_http.py tests/test_disk_full.py tests/test_reliability.py \
		tests/test_restart_after_load.py tests/test_durability.py
	GRAPHSVC_BENCH_SCALE=1 $(PY) -m bench.durability

lint: $(INSTALLED)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(INSTALLED)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Regenerate the demo seeds (deterministic) and the exported GraphQL schema.
seeds: $(INSTALLED)
	$(PY) -m graphsvc.demo.generate --out seeds

schema: $(INSTALLED)
	$(VENV)/bin/graphsvc schema > schema.graphql

# The README's screenshots, from the live demo in headless Chromium (tests/maps_fixtures.py).
screenshots: install browser
	$(PY) -m tests.maps_fixtures docs/map-leuven.png

clean:
	rm -rf $(VENV) tools/cypherlint/node_modules tools/graphqlhttp/node_modules tools/graphiql/node_modules .pytest_cache .ruff_cache

# Side-by-side ratios at pilot and national scale (GRAPHSVC_BENCH_SCALE=0.1 for a quick run);
# results and their reading in bench/RESULTS.md.
bench: $(INSTALLED)
	$(PY) -m bench.run

# Belgian geography with polygons: load, ~20,000 sector polygons, 100,000 points placed.
bench-geography: $(INSTALLED)
	$(PY) -m bench.geography
